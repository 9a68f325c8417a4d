from django.apps import AppConfig

from core.user_data import user_data_register


class SettingsAppConfig(AppConfig):
    """Users' OpenCode config and files, user preferences."""

    name = "settings_app"
    verbose_name = "Settings"

    def ready(self):
        from . import preferences_cache, receivers  # models are loaded only now

        user_data_register(receivers.USER_DATA)
        preferences_cache.subscribe()
