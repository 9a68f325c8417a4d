"""The activity log (who did what to which entity) and its anonymised archive."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now

from core.fields import JSONTextField
from core.ids import uuid4_str
from core.models import created_at_field


class ActivityLog(models.Model):
    id = models.TextField(primary_key=True, default=uuid4_str, editable=False)
    # SET NULL, not CASCADE: deleting an account keeps its (anonymised) history.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="activity", db_index=False)
    action = models.TextField()
    entity_type = models.TextField(null=True, blank=True)
    entity_id = models.TextField(null=True, blank=True)
    metadata = JSONTextField(null=True, blank=True)
    ip_address = models.TextField(null=True, blank=True)
    user_agent = models.TextField(null=True, blank=True)
    anonymized = models.BooleanField(null=True, default=False, db_default=False)
    created_at = created_at_field()

    class Meta:
        db_table = "activity_log"
        ordering = ["-created_at"]
        verbose_name = "activity log entry"
        verbose_name_plural = "activity log"
        indexes = [
            models.Index(fields=["user"], name="activity_log_user_idx"),
            models.Index(fields=["action"], name="activity_log_action_idx"),
            models.Index(fields=["entity_type", "entity_id"], name="activity_log_entity_idx"),
            models.Index(fields=["created_at"], name="activity_log_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_id or 'anonymous'}"


class ActivityLogArchive(models.Model):
    """Activity older than the retention period, without personal data."""

    id = models.TextField(primary_key=True, default=uuid4_str, editable=False)
    action = models.TextField()
    entity_type = models.TextField(null=True, blank=True)
    metadata = JSONTextField(null=True, blank=True)
    original_created_at = models.DateTimeField()
    archived_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        db_table = "activity_log_archive"
        ordering = ["-original_created_at"]
        verbose_name = "archived activity entry"
        verbose_name_plural = "activity archive"
        indexes = [
            models.Index(fields=["action"], name="activity_archive_action_idx"),
            models.Index(fields=["original_created_at"], name="activity_archive_original_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} at {self.original_created_at:%Y-%m-%d}"
