from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    """Per-user LLM provider credentials, OAuth device-flow state, legacy providers."""

    name = "providers"
    verbose_name = "Providers"
