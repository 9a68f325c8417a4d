"""Onboarding sessions: the guided set-up that configures a new sandbox for its project."""

from django.conf import settings
from django.db import models

from core.fields import JSONTextField, choices_check
from core.ids import nanoid
from core.models import TimeStampedModel


class OnboardingStatus(models.TextChoices):
    PENDING = "pending"
    STARTED = "started"
    GATHERING = "gathering"
    GENERATING = "generating"
    APPLYING = "applying"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    FAILED = "failed"


class OnboardingSession(TimeStampedModel):
    id = models.TextField(primary_key=True, default=nanoid, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="onboarding_sessions", db_index=False)
    # SET NULL: the onboarding record outlives a deleted sandbox.
    sandbox = models.OneToOneField("sandboxes.Sandbox", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="onboarding_session", db_index=False)
    status = models.TextField(choices=OnboardingStatus.choices, default=OnboardingStatus.PENDING,
                              db_default=OnboardingStatus.PENDING)
    project_type = models.TextField(null=True, blank=True)
    project_name = models.TextField(null=True, blank=True)
    project_description = models.TextField(null=True, blank=True)
    gathered_requirements = JSONTextField(null=True, blank=True)
    generated_config = JSONTextField(null=True, blank=True)
    selected_model = models.TextField(null=True, blank=True)
    selected_small_model = models.TextField(null=True, blank=True)
    error_message = models.TextField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "onboarding_sessions"
        ordering = ["-created_at"]
        constraints = [choices_check("status", OnboardingStatus)]
        indexes = [
            models.Index(fields=["user"], name="onboarding_user_id_idx"),
            models.Index(fields=["sandbox"], name="onboarding_sandbox_id_idx"),
            models.Index(fields=["status"], name="onboarding_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Onboarding {self.id} ({self.status})"
