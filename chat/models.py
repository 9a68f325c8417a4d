"""Chat history of a sandbox: sessions (OpenCode or ACP gateway) and their messages."""

from django.conf import settings
from django.db import models

from core.fields import JSONTextField, choices_check
from core.ids import uuid4_str
from core.models import TimeStampedModel, created_at_field


class ChatSource(models.TextChoices):
    OPENCODE = "opencode"
    ACP_GATEWAY = "acp_gateway"


class ChatSessionStatus(models.TextChoices):
    ACTIVE = "active"
    ARCHIVED = "archived"
    DELETED = "deleted"


class ChatMessageRole(models.TextChoices):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class ChatMessageStatus(models.TextChoices):
    STREAMING = "streaming"
    COMPLETE = "complete"
    ERROR = "error"
    CANCELLED = "cancelled"


class ChatSession(TimeStampedModel):
    id = models.TextField(primary_key=True, default=uuid4_str, editable=False)
    sandbox = models.ForeignKey("sandboxes.Sandbox", on_delete=models.CASCADE, related_name="chat_sessions",
                                db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_sessions",
                             db_index=False)
    source = models.TextField(choices=ChatSource.choices)
    opencode_session_id = models.TextField(null=True, blank=True)
    acp_session_id = models.TextField(null=True, blank=True)
    acp_agent_id = models.TextField(null=True, blank=True)
    title = models.TextField(null=True, blank=True)
    status = models.TextField(choices=ChatSessionStatus.choices, null=True, default=ChatSessionStatus.ACTIVE,
                              db_default=ChatSessionStatus.ACTIVE)
    message_count = models.IntegerField(null=True, default=0, db_default=0)
    user_message_count = models.IntegerField(null=True, default=0, db_default=0)
    assistant_message_count = models.IntegerField(null=True, default=0, db_default=0)
    total_input_tokens = models.IntegerField(null=True, default=0, db_default=0)
    total_output_tokens = models.IntegerField(null=True, default=0, db_default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "chat_sessions"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["sandbox", "opencode_session_id"], name="chat_sessions_opencode_unique"),
            models.UniqueConstraint(fields=["sandbox", "acp_session_id"], name="chat_sessions_acp_unique"),
            choices_check("source", ChatSource),
            choices_check("status", ChatSessionStatus),
        ]
        indexes = [
            models.Index(fields=["user"], name="chat_sessions_user_idx"),
            models.Index(fields=["sandbox"], name="chat_sessions_sandbox_idx"),
            models.Index(fields=["status"], name="chat_sessions_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.id


class ChatMessage(models.Model):
    id = models.TextField(primary_key=True, default=uuid4_str, editable=False)
    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages", db_index=False)
    external_message_id = models.TextField(null=True, blank=True)
    role = models.TextField(choices=ChatMessageRole.choices)
    content = JSONTextField()
    tool_calls = JSONTextField(null=True, blank=True)
    tool_results = JSONTextField(null=True, blank=True)
    thinking = JSONTextField(null=True, blank=True)
    model_provider = models.TextField(null=True, blank=True)
    model_id = models.TextField(null=True, blank=True)
    agent_id = models.TextField(null=True, blank=True)
    input_tokens = models.IntegerField(null=True, blank=True)
    output_tokens = models.IntegerField(null=True, blank=True)
    status = models.TextField(choices=ChatMessageStatus.choices, null=True, default=ChatMessageStatus.COMPLETE,
                              db_default=ChatMessageStatus.COMPLETE)
    error_message = models.TextField(null=True, blank=True)
    created_at = created_at_field()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "chat_messages"
        ordering = ["created_at", "id"]
        constraints = [
            choices_check("role", ChatMessageRole),
            choices_check("status", ChatMessageStatus),
        ]
        indexes = [
            # Leading column session_id as the schema asks; created_at and id after it serve the
            # paginated, ordered message lists without sorting a long session.
            models.Index(fields=["session", "created_at", "id"], name="chat_messages_session_idx"),
            models.Index(fields=["session", "external_message_id"], name="chat_messages_external_idx"),
            models.Index(fields=["created_at"], name="chat_messages_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.role} message {self.id}"


class ChatSyncState(models.Model):
    """Whether a `sync_chats` worker follows a sandbox's OpenCode event stream, and how it goes; what
    `GET .../chat/sync/status` reports. One row per sandbox a worker has followed (a table of this
    project's own, not of the legacy schema)."""

    sandbox = models.OneToOneField("sandboxes.Sandbox", on_delete=models.CASCADE, primary_key=True,
                                   related_name="chat_sync_state")
    worker = models.TextField(help_text="host:pid of the worker following it")
    active = models.BooleanField(default=False)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    reconnect_attempts = models.IntegerField(default=0)
    heartbeat_at = models.DateTimeField(help_text="The worker's last sign of life")
    last_error = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "chat_sync_state"
        verbose_name = "chat sync state"

    def __str__(self) -> str:
        return f"sync of sandbox {self.sandbox_id}"
