"""LLM provider access: per-user encrypted credentials, OAuth device-flow state, legacy providers.

Secrets are `EncryptedTextField`s: model code reads plaintext, the database holds ciphertext, and
nothing here ever renders a secret (admin and API only show whether one is set).
"""

from django.conf import settings
from django.db import models

from core.fields import EncryptedTextField, choices_check
from core.ids import uuid4_str
from core.models import TimeStampedModel, created_at_field


class AuthType(models.TextChoices):
    API_KEY = "api_key"
    OAUTH = "oauth"
    DEVICE_FLOW = "device_flow"


class OAuthStatus(models.TextChoices):
    PENDING = "pending"
    COMPLETED = "completed"
    EXPIRED = "expired"
    ERROR = "error"


class ProviderCredential(TimeStampedModel):
    id = models.TextField(primary_key=True, default=uuid4_str, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="provider_credentials", db_index=False)
    provider_id = models.TextField()
    auth_type = models.TextField(choices=AuthType.choices)
    api_key = EncryptedTextField(db_column="api_key_encrypted", null=True, blank=True)
    access_token = EncryptedTextField(db_column="access_token_encrypted", null=True, blank=True)
    refresh_token = EncryptedTextField(db_column="refresh_token_encrypted", null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    oauth_provider = models.TextField(null=True, blank=True)
    oauth_scopes = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "provider_credentials"
        constraints = [
            models.UniqueConstraint(fields=["user", "provider_id"], name="provider_credentials_user_provider_unique"),
            choices_check("auth_type", AuthType),
        ]
        indexes = [
            models.Index(fields=["user"], name="provider_creds_user_id_idx"),
            models.Index(fields=["provider_id"], name="provider_creds_provider_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} ({self.auth_type}) of {self.user_id}"


class OAuthState(models.Model):
    """A pending GitHub Copilot device flow, owned by the user who started it."""

    id = models.TextField(primary_key=True, default=uuid4_str, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oauth_states",
                             db_index=False)
    provider_id = models.TextField()
    device_code = models.TextField()
    user_code = models.TextField()
    verification_uri = models.TextField()
    interval_seconds = models.IntegerField(null=True, default=5, db_default=5)
    expires_at = models.DateTimeField()
    status = models.TextField(choices=OAuthStatus.choices, null=True, default=OAuthStatus.PENDING,
                              db_default=OAuthStatus.PENDING)
    error_message = models.TextField(null=True, blank=True)
    created_at = created_at_field()

    class Meta:
        db_table = "oauth_state"
        constraints = [choices_check("status", OAuthStatus)]
        indexes = [
            models.Index(fields=["user"], name="oauth_state_user_id_idx"),
            models.Index(fields=["provider_id"], name="oauth_state_provider_id_idx"),
            models.Index(fields=["status"], name="oauth_state_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} device flow {self.id}"


class LegacyProvider(TimeStampedModel):
    """The single-tenant `providers` table of the old server; imported, not used by the API."""

    id = models.TextField(primary_key=True)
    name = models.TextField()
    type = models.TextField()
    api_key = EncryptedTextField(null=True, blank=True)
    access_token = EncryptedTextField(null=True, blank=True)
    refresh_token = EncryptedTextField(null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    is_default = models.BooleanField(null=True, default=False, db_default=False)
    is_configured = models.BooleanField(null=True, default=False, db_default=False)

    class Meta:
        db_table = "providers"
        ordering = ["id"]
        indexes = [models.Index(fields=["is_default"], name="providers_is_default_idx")]

    def __str__(self) -> str:
        return self.name
