from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, Better Auth sessions and linked accounts, sign-in."""

    name = "accounts"
    verbose_name = "Users and sessions"  # allauth's app is "Accounts" in the admin too

    def ready(self):
        from . import receivers, session_cache, signals  # noqa: F401

        session_cache.subscribe()
