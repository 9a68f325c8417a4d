"""A user's sandbox: a container running the OpenCode agent on one repository.

Deleting a sandbox is a soft delete (`sandboxes.services.sandbox_delete`): the row stays, with
`deleted_at` set, so that its chat history, whose foreign key to the sandbox is NOT NULL and cascades in
the mirrored schema, is kept (archived). The old server deleted that history with the sandbox. A deleted
sandbox is gone for everything but the admin, the account's data export and deletion, and the legacy
export (which leaves it out): `Sandbox.objects` (the default manager, hence also `user.sandboxes`) never
returns it; `Sandbox.all_objects` is for the few places that must see it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Value

from core.fields import JSONTextField, choices_check
from core.ids import sandbox_id
from core.models import TimeStampedModel


class SandboxStatus(models.TextChoices):
    CREATED = "created"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    ERROR = "error"


class SandboxQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class LiveSandboxManager(models.Manager.from_queryset(SandboxQuerySet)):
    """Sandboxes that are not deleted: the default manager, so every lookup by id, list and count (and
    related access, `user.sandboxes`) misses a deleted one unless it asks `all_objects`."""

    def get_queryset(self):
        return super().get_queryset().live()


class Sandbox(TimeStampedModel):
    id = models.TextField(primary_key=True, default=sandbox_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sandboxes",
                             db_index=False)
    name = models.TextField()
    slug = models.TextField()
    description = models.TextField(null=True, blank=True)
    repo_name = models.TextField()
    github_url = models.TextField(null=True, blank=True)
    # Plain ids, not foreign keys, as in the mirrored schema: a tier or flavor an operator retires
    # must not delete or block the sandboxes built from it.
    resource_tier_id = models.TextField(null=True, default="starter", db_default="starter")
    flavor_id = models.TextField(null=True, default="fullstack", db_default="fullstack")
    addon_ids = JSONTextField(null=True, default=list, db_default=Value("[]"))
    container_id = models.TextField(null=True, blank=True)
    container_name = models.TextField(null=True, blank=True)
    status = models.TextField(choices=SandboxStatus.choices, null=True, default=SandboxStatus.CREATED,
                              db_default=SandboxStatus.CREATED)
    error_message = models.TextField(null=True, blank=True)
    opencode_url = models.TextField(null=True, blank=True)
    acp_gateway_url = models.TextField(null=True, blank=True)
    vnc_url = models.TextField(null=True, blank=True)
    code_server_url = models.TextField(null=True, blank=True)
    last_accessed_at = models.DateTimeField(null=True, blank=True)
    # Not in the mirrored schema (an extra nullable column): when the owner deleted the sandbox.
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner deleted the sandbox (its chat history is kept, archived)")

    objects = LiveSandboxManager()
    all_objects = SandboxQuerySet.as_manager()

    class Meta:
        db_table = "sandboxes"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "slug"], name="sandboxes_user_slug_unique"),
            choices_check("status", SandboxStatus),
        ]
        indexes = [
            models.Index(fields=["user"], name="sandboxes_user_id_idx"),
            models.Index(fields=["status"], name="sandboxes_status_idx"),
            models.Index(fields=["container_id"], name="sandboxes_container_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"
