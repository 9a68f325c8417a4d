"""allauth customisation: GitHub users land on the same user Better Auth linked, and the mirrored
`account` table follows allauth's social accounts."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp

from core.api.errors import NotFound

from . import services

# The providers' names as people know them, and the settings that configure each.
PROVIDERS = {"github": ("GitHub", "GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET")}


class ProviderNotConfigured(NotFound, SocialApp.DoesNotExist):
    """No OAuth app for the provider. allauth's own callers catch `SocialApp.DoesNotExist` (its headless
    token input answers a validation error); where nothing catches it, the one handler answers a 404 that
    says what is missing instead of a 500."""


class AccountAdapter(DefaultAccountAdapter):
    pass


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request, provider, client_id=None):
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            name, variables = PROVIDERS.get(provider, (provider, "SOCIALACCOUNT_PROVIDERS"))
            raise ProviderNotConfigured(f"{name} sign-in is not configured",
                                        details=f"The server has no {name} OAuth app ({variables})") from None

    def pre_social_login(self, request, sociallogin):
        """A GitHub account linked in the old system (an imported `account` row) keeps its user."""
        if sociallogin.is_existing:
            return
        user = services.user_for_legacy_social_account(provider=sociallogin.account.provider,
                                                       uid=sociallogin.account.uid)
        if user is not None:
            sociallogin.connect(request, user)

    def populate_user(self, request, sociallogin, data):
        """Name, e-mail and avatar as Better Auth set them for a new GitHub user."""
        user = super().populate_user(request, sociallogin, data)
        extra = sociallogin.account.extra_data or {}
        user.name = extra.get("name") or extra.get("login") or user.name or ""
        user.image = extra.get("avatar_url") or user.image
        user.email_verified = True
        return user
