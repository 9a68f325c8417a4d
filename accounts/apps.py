from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, Better Auth sessions and linked accounts, sign-in."""

    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import signals  # noqa: F401
