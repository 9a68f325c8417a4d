from django.apps import AppConfig

from core.user_data import user_data_register


class SandboxesConfig(AppConfig):
    """Users' sandboxes and their container lifecycle."""

    name = "sandboxes"
    verbose_name = "Sandboxes"

    def ready(self):
        from . import endpoint_cache, receivers  # connects the receivers; models are loaded only now

        user_data_register(receivers.USER_DATA)
        endpoint_cache.subscribe()
