from django.apps import AppConfig

from core.user_data import user_data_register


class ProvidersConfig(AppConfig):
    """Per-user LLM provider credentials, OAuth device-flow state, legacy providers."""

    name = "providers"
    verbose_name = "Providers"

    def ready(self):
        from . import receivers  # models are loaded only now

        user_data_register(receivers.USER_DATA)
