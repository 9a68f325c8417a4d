"""The onboarding app's receivers: every new sandbox gets a pending onboarding session (api-contract 2.11,
create step 4), its container learns the session's id, and a deleted sandbox's session lets go of it."""

from django.dispatch import receiver

from sandboxes.models import Sandbox
from sandboxes.signals import container_environment, sandbox_created, sandbox_deleted

from .models import OnboardingSession


@receiver(sandbox_created, sender=Sandbox)
def create_pending_session(sender, *, sandbox, **kwargs):
    OnboardingSession.objects.create(user_id=sandbox.user_id, sandbox=sandbox)


@receiver(sandbox_deleted, sender=Sandbox)
def let_go_of_deleted_sandbox(sender, *, sandbox, **kwargs):
    # What the foreign key's SET NULL did when a deleted sandbox's row went: a deleted sandbox is soft
    # deleted now, and its onboarding record outlives it, as before, without it.
    OnboardingSession.objects.filter(sandbox_id=sandbox.pk).update(sandbox=None)


@receiver(container_environment, sender=Sandbox)
def onboarding_environment(sender, *, sandbox, **kwargs) -> dict | None:
    session_id = OnboardingSession.objects.filter(sandbox_id=sandbox.pk).values_list("id", flat=True).first()
    return {"ONBOARDING_MODE": "true", "ONBOARDING_SESSION_ID": session_id} if session_id else None
