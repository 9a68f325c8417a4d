"""allauth customisation: GitHub users land on the same user Better Auth linked, and the mirrored
`account` table follows allauth's social accounts."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from . import services


class AccountAdapter(DefaultAccountAdapter):
    pass


class SocialAccountAdapter(DefaultSocialAccountAdapter):
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
