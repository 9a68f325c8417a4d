"""Receivers that keep the mirrored `account` table in step with allauth's social accounts."""

from allauth.account.signals import user_logged_in
from allauth.socialaccount.signals import social_account_added, social_account_updated
from django.dispatch import receiver

from . import services

# Better Auth recorded the granted scopes comma-joined (legacy-sqlite section 3).
GITHUB_SCOPE = "read:user,user:email"


def _mirror(sociallogin) -> None:
    token = sociallogin.token
    services.account_link_social(
        user=sociallogin.user if sociallogin.user.pk else sociallogin.account.user,
        provider=sociallogin.account.provider, uid=sociallogin.account.uid,
        access_token=token.token if token else None,
        scope=GITHUB_SCOPE if sociallogin.account.provider == "github" else None,
    )


@receiver(user_logged_in)
def mirror_social_login(sender, request, user, sociallogin=None, **kwargs):
    if sociallogin is not None:
        _mirror(sociallogin)


@receiver(social_account_added)
@receiver(social_account_updated)
def mirror_social_account(sender, request, sociallogin, **kwargs):
    _mirror(sociallogin)
