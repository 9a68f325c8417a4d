from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """Onboarding sessions that configure a new sandbox."""

    name = "onboarding"
    verbose_name = "Onboarding"
