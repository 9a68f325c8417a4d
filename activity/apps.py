from django.apps import AppConfig


class ActivityConfig(AppConfig):
    """The activity log and its archive."""

    name = "activity"
    verbose_name = "Activity"
