from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """Onboarding sessions that configure a new sandbox."""

    name = "onboarding"
    verbose_name = "Onboarding"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the receivers; models are loaded only now
