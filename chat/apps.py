from django.apps import AppConfig

from core.user_data import user_data_register


class ChatConfig(AppConfig):
    """Chat sessions and messages synced from sandboxes."""

    name = "chat"
    verbose_name = "Chat"

    def ready(self):
        from . import receivers  # models are loaded only now

        user_data_register(receivers.USER_DATA)
