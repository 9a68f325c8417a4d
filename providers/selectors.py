"""Reads: the catalogue as one user sees it (configured, default), and that user's device flows.

Everything is scoped to the caller (DECISIONS 1, 5): another user's credentials, default provider
or OAuth state are never read. Secrets are never decrypted here; only provider ids are selected.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Setting

from .catalogue import (
    POPULAR_PROVIDERS,
    CatalogueModel,
    CatalogueProvider,
    catalogue_provider,
    catalogue_providers,
)
from .models import AuthType, OAuthState, ProviderCredential


@dataclass(frozen=True)
class ProviderEntry:
    """A catalogue provider with the caller's flags."""

    id: str
    name: str
    auth_type: str
    api_key_env_var: str | None
    logo_url: str
    models: tuple[CatalogueModel, ...]
    is_configured: bool
    is_default: bool

    @classmethod
    def of(cls, provider: CatalogueProvider, *, configured: set[str], default: str | None) -> ProviderEntry:
        return cls(id=provider.id, name=provider.name, auth_type=provider.auth_type,
                   api_key_env_var=provider.api_key_env_var, logo_url=provider.logo_url,
                   models=provider.models, is_configured=provider.id in configured,
                   is_default=provider.id == default)


def default_provider_key(*, user_id: str) -> str:
    """The `settings` row holding one user's default provider (DECISIONS 5: per user, schema unchanged)."""
    return Setting.user_key(name="default_provider", user_id=user_id)


def default_provider_id(*, user) -> str | None:
    key = default_provider_key(user_id=user.pk)
    return Setting.objects.filter(key=key).values_list("value", flat=True).first() or None


def configured_provider_ids(*, user) -> set[str]:
    return set(ProviderCredential.objects.filter(user=user).values_list("provider_id", flat=True))


def provider_is_configured(*, user, provider_id: str) -> bool:
    return ProviderCredential.objects.filter(user=user, provider_id=provider_id).exists()


def provider_list(*, user, popular_only: bool = True) -> list[ProviderEntry]:
    """The catalogue in models.dev order; only the popular providers unless `popular_only` is false.

    Two queries whatever the number of providers or credentials.
    """
    providers = catalogue_providers()
    configured, default = configured_provider_ids(user=user), default_provider_id(user=user)
    return [ProviderEntry.of(provider, configured=configured, default=default)
            for provider in providers.values() if not popular_only or provider.id in POPULAR_PROVIDERS]


def configured_provider_list(*, user) -> list[ProviderEntry]:
    """The caller's configured providers that the catalogue knows, in catalogue order.

    A user without credentials gets `[]` without the catalogue being consulted at all.
    """
    configured = configured_provider_ids(user=user)
    if not configured:
        return []
    default = default_provider_id(user=user)
    return [ProviderEntry.of(provider, configured=configured, default=default)
            for provider in catalogue_providers().values() if provider.id in configured]


def provider_get(*, user, provider_id: str) -> ProviderEntry | None:
    provider = catalogue_provider(provider_id)
    if provider is None:
        return None
    return ProviderEntry.of(provider, configured={provider_id} if provider_is_configured(
        user=user, provider_id=provider_id) else set(), default=default_provider_id(user=user))


def default_provider(*, user) -> tuple[ProviderEntry | None, str | None]:
    """The caller's default provider, or None with the reason the old server gave."""
    provider_id = default_provider_id(user=user)
    if provider_id is None:
        return None, "No default provider set"
    if not provider_is_configured(user=user, provider_id=provider_id):
        return None, "Default provider is not configured"
    provider = catalogue_provider(provider_id)
    if provider is None:
        return None, "Default provider not found"
    return ProviderEntry.of(provider, configured={provider_id}, default=provider_id), None


def oauth_state_get(*, user, provider_id: str, state_id: str) -> OAuthState | None:
    """The caller's device flow; another user's is None, exactly like a missing one."""
    return OAuthState.objects.filter(pk=state_id, user=user, provider_id=provider_id).first()


def opencode_auth_entries(*, user_id: str) -> dict[str, dict]:
    """OpenCode's auth.json for a user (api-contract 4), decrypted: `{provider: {type: api, key}}` or
    `{provider: {type: oauth, refresh, access, expires}}`. Secret: never log or return it."""
    entries: dict[str, dict] = {}
    for credential in ProviderCredential.objects.filter(user_id=user_id).order_by("provider_id"):
        if credential.auth_type == AuthType.API_KEY and credential.api_key:
            entries[credential.provider_id] = {"type": "api", "key": credential.api_key}
        elif credential.auth_type in (AuthType.OAUTH, AuthType.DEVICE_FLOW) and credential.access_token:
            expires = credential.token_expires_at
            entries[credential.provider_id] = {
                "type": "oauth", "refresh": credential.access_token, "access": credential.access_token,
                "expires": int(expires.timestamp() * 1000) if expires else 0}
    return entries
