from django.apps import AppConfig


class ChatConfig(AppConfig):
    """Chat sessions and messages synced from sandboxes."""

    name = "chat"
    verbose_name = "Chat"
