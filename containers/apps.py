from django.apps import AppConfig


class ContainersConfig(AppConfig):
    """Reference data for sandboxes: resource tiers, flavors, addons, legacy container tiers."""

    name = "containers"
    verbose_name = "Containers"
