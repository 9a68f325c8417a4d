from django.apps import AppConfig


class SandboxesConfig(AppConfig):
    """Users' sandboxes and their container lifecycle."""

    name = "sandboxes"
    verbose_name = "Sandboxes"
