from django.apps import AppConfig

from core.user_data import user_data_register


class ActivityConfig(AppConfig):
    """The activity log and its archive."""

    name = "activity"
    verbose_name = "Activity"

    def ready(self):
        from . import receivers  # connects the receivers; models are loaded only now

        user_data_register(receivers.USER_DATA)
