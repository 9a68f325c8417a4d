from django.apps import AppConfig


class ContainersConfig(AppConfig):
    """Reference data for sandboxes: resource tiers, flavors, addons, legacy container tiers."""

    name = "containers"
    verbose_name = "Containers"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the receivers; models are loaded only now
