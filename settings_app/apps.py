from django.apps import AppConfig


class SettingsAppConfig(AppConfig):
    """Key-value settings, users' OpenCode config and files, user preferences."""

    name = "settings_app"
    verbose_name = "Settings"
