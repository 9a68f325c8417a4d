"""Writes: provider credentials, the per-user default provider, the GitHub Copilot device flow.

Every credential change is announced (`core.signals.opencode_config_changed`): sandboxes pushes it into
the user's running sandboxes, fire-and-forget. Secrets are stored through the model's encrypted fields
and never logged, returned or put in error details.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.activity import activity_report
from core.api.errors import InvalidRequest, NotFound, ServiceUnavailable
from core.fields import dump_json
from core.models import Setting
from core.signals import announce_opencode_config_changed

from . import selectors
from .catalogue import CatalogueProvider, catalogue_provider
from .conf import GITHUB_ACCESS_TOKEN_URL, GITHUB_DEVICE_CODE_URL, USER_AGENT, setting
from .models import AuthType, OAuthState, OAuthStatus, ProviderCredential

logger = logging.getLogger(__name__)

DEVICE_FLOW_PROVIDER = "github-copilot"
DEVICE_FLOW_DEFAULT_EXPIRES_IN = 900  # seconds, GitHub's documented default
DEVICE_FLOW_DEFAULT_INTERVAL = 5


# -- API keys --------------------------------------------------------------------------------------

def credential_configure(*, user, provider_id: str, api_key: str, request=None) -> CatalogueProvider:
    """Store (or replace) the caller's API key for a catalogue provider that takes API keys."""
    provider = catalogue_provider(provider_id)
    if provider is None:
        raise NotFound(f"Provider not found: {provider_id}")
    if provider.auth_type != AuthType.API_KEY:
        raise InvalidRequest(f"Provider {provider_id} uses {provider.auth_type} authentication, not API key")
    _credential_upsert(user=user, provider_id=provider_id, auth_type=AuthType.API_KEY, api_key=api_key,
                       access_token=None, refresh_token=None, token_expires_at=None, oauth_provider=None,
                       oauth_scopes=None)
    activity_report(action="provider.configure", user=user, entity_type="provider", entity_id=provider_id,
                    metadata={"params": {"id": provider_id}}, request=request)
    announce_opencode_config_changed(user_id=user.pk)
    return provider


def _credential_upsert(*, user, provider_id: str, **fields) -> None:
    """Insert or overwrite a credential without reading the stored one.

    `update_or_create` would load (and decrypt) the old secrets first, so a row whose secret no longer
    decrypts (e.g. after a key change) could never be replaced; an UPDATE, then an INSERT, can.
    """
    fields["updated_at"] = timezone.now()
    existing = ProviderCredential.objects.filter(user=user, provider_id=provider_id)
    with transaction.atomic():
        if existing.update(**fields):
            return
        try:
            with transaction.atomic():
                ProviderCredential.objects.create(user=user, provider_id=provider_id, **fields)
        except IntegrityError:  # inserted by a concurrent request since our UPDATE
            existing.update(**fields)


def credential_delete(*, user, provider_id: str) -> None:
    """Remove the caller's credential; if it was their default provider, they no longer have one."""
    with transaction.atomic():
        deleted, _ = ProviderCredential.objects.filter(user=user, provider_id=provider_id).delete()
        if not deleted:
            raise NotFound("Provider not configured")
        default_key = selectors.default_provider_key(user_id=user.pk)
        Setting.objects.filter(key=default_key, value=provider_id).delete()
    announce_opencode_config_changed(user_id=user.pk)


def default_provider_set(*, user, provider_id: str) -> None:
    if not selectors.provider_is_configured(user=user, provider_id=provider_id):
        raise InvalidRequest("Provider must be configured before setting as default")
    Setting.objects.update_or_create(key=selectors.default_provider_key(user_id=user.pk),
                                     defaults={"value": provider_id})
    announce_opencode_config_changed(user_id=user.pk)


# -- GitHub Copilot device flow ------------------------------------------------------------------

@dataclass(frozen=True)
class DeviceFlowStatus:
    status: str
    error: str | None = None

    @property
    def is_configured(self) -> bool:
        return self.status == OAuthStatus.COMPLETED


INVALID_STATE = DeviceFlowStatus(OAuthStatus.ERROR, "Invalid state ID")
FLOW_EXPIRED = DeviceFlowStatus(OAuthStatus.EXPIRED, "Device flow expired")


def ensure_device_flow_provider(provider_id: str) -> None:
    """Only GitHub Copilot signs in with a device flow; every OAuth endpoint checks this first."""
    if provider_id != DEVICE_FLOW_PROVIDER:
        raise InvalidRequest(f"OAuth not supported for provider: {provider_id}")


def device_flow_init(*, user, provider_id: str, request=None) -> OAuthState:
    """Ask GitHub for a device code and remember it as a pending flow owned by the caller."""
    ensure_device_flow_provider(provider_id)
    data = _github_post(GITHUB_DEVICE_CODE_URL, {"client_id": setting("GITHUB_COPILOT_CLIENT_ID"),
                                                 "scope": " ".join(setting("GITHUB_COPILOT_SCOPES"))})
    fields = [data.get(name) if data else None for name in ("device_code", "user_code", "verification_uri")]
    if not all(isinstance(value, str) and value for value in fields):
        logger.warning("GitHub device-code request failed or answered without a device code")
        raise ServiceUnavailable("Failed to initialize OAuth flow",
                                 details="GitHub did not issue a device code")
    device_code, user_code, verification_uri = fields
    state = OAuthState.objects.create(
        user=user, provider_id=provider_id, device_code=device_code, user_code=user_code,
        verification_uri=verification_uri,
        interval_seconds=_positive_int(data.get("interval"), DEVICE_FLOW_DEFAULT_INTERVAL),
        expires_at=timezone.now() + timedelta(seconds=_positive_int(data.get("expires_in"),
                                                                    DEVICE_FLOW_DEFAULT_EXPIRES_IN)),
        status=OAuthStatus.PENDING)
    activity_report(action="provider.oauth_init", user=user, entity_type="provider", entity_id=provider_id,
                    metadata={"params": {"id": provider_id}, "stateId": state.pk}, request=request)
    return state


def device_flow_poll(*, user, provider_id: str, state_id: str, request=None) -> DeviceFlowStatus:
    """Ask GitHub whether the user has entered the code; on success store the token as a credential.

    Answers with a status rather than an error for every flow outcome, as the old server did
    (an unknown or foreign state is `error` / `Invalid state ID`). A flow that has ended stays ended.
    """
    ensure_device_flow_provider(provider_id)
    state = selectors.oauth_state_get(user=user, provider_id=provider_id, state_id=state_id)
    if state is None:
        return INVALID_STATE
    if state.status != OAuthStatus.PENDING:
        return DeviceFlowStatus(state.status, state.error_message)
    if timezone.now() > state.expires_at:
        _state_update(state, OAuthStatus.EXPIRED)
        return FLOW_EXPIRED

    data = _github_post(GITHUB_ACCESS_TOKEN_URL, {
        "client_id": setting("GITHUB_COPILOT_CLIENT_ID"), "device_code": state.device_code,
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code"})
    if data is None:
        return DeviceFlowStatus(OAuthStatus.ERROR, "Network error")

    with transaction.atomic():
        # A concurrent poll may have finished (or cancelled) the flow while GitHub answered us.
        state = OAuthState.objects.select_for_update().filter(pk=state.pk, user=user).first()
        if state is None:
            return INVALID_STATE
        if state.status != OAuthStatus.PENDING:
            return DeviceFlowStatus(state.status, state.error_message)
        outcome = _token_outcome(data)
        if outcome.status == OAuthStatus.COMPLETED:
            _credential_upsert(user=user, provider_id=provider_id, auth_type=AuthType.OAUTH, api_key=None,
                               access_token=data["access_token"], refresh_token=None, token_expires_at=None,
                               oauth_provider="github", oauth_scopes=dump_json(_scopes(data.get("scope"))))
        if outcome.status != OAuthStatus.PENDING:
            _state_update(state, outcome.status, outcome.error)
        elif _positive_int(data.get("interval"), state.interval_seconds) != state.interval_seconds:
            state.interval_seconds = data["interval"]  # `slow_down` comes with a longer interval
            state.save(update_fields=["interval_seconds"])
    if outcome.status == OAuthStatus.COMPLETED:
        activity_report(action="provider.oauth_complete", user=user, entity_type="provider",
                        entity_id=provider_id, metadata={"params": {"id": provider_id}, "stateId": state.pk},
                        request=request)
        announce_opencode_config_changed(user_id=user.pk)
    return outcome


def device_flow_status(*, user, provider_id: str, state_id: str) -> DeviceFlowStatus:
    """The flow's recorded status; a pending flow past its expiry is marked expired on the way."""
    ensure_device_flow_provider(provider_id)
    state = selectors.oauth_state_get(user=user, provider_id=provider_id, state_id=state_id)
    if state is None:
        raise NotFound("OAuth flow not found")
    if state.status == OAuthStatus.PENDING and timezone.now() > state.expires_at:
        _state_update(state, OAuthStatus.EXPIRED)
        return FLOW_EXPIRED
    return DeviceFlowStatus(state.status, state.error_message)


def device_flow_cancel(*, user, provider_id: str, state_id: str) -> None:
    """Forget the caller's flow. Unknown and foreign flows are answered the same (nothing to cancel)."""
    ensure_device_flow_provider(provider_id)
    OAuthState.objects.filter(pk=state_id, user=user, provider_id=provider_id).delete()


def _token_outcome(data: dict) -> DeviceFlowStatus:
    """GitHub's answer to a token poll as a flow status (GitHub answers 200 with `error` while pending)."""
    error = data.get("error")
    if error in ("authorization_pending", "slow_down"):
        return DeviceFlowStatus(OAuthStatus.PENDING)
    if error == "expired_token":
        return DeviceFlowStatus(OAuthStatus.EXPIRED, "Device code expired")
    if error == "access_denied":
        return DeviceFlowStatus(OAuthStatus.ERROR, "User denied access")
    if error:
        description = data.get("error_description")
        message = description if isinstance(description, str) and description else str(error)
        return DeviceFlowStatus(OAuthStatus.ERROR, message[:500])
    token = data.get("access_token")
    if isinstance(token, str) and token:
        return DeviceFlowStatus(OAuthStatus.COMPLETED)
    return DeviceFlowStatus(OAuthStatus.PENDING)


def _state_update(state: OAuthState, status: str, error: str | None = None) -> None:
    state.status, state.error_message = status, error
    state.save(update_fields=["status", "error_message"])


def _github_post(url: str, form: dict) -> dict | None:
    """POST a form to GitHub and return its JSON object; None when GitHub could not be reached or
    answered something else. Neither the form (it holds the device code) nor the answer is logged."""
    try:
        response = requests.post(url, data=form, timeout=setting("GITHUB_TIMEOUT"),
                                 headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    except requests.RequestException as exc:
        logger.warning("GitHub device flow: %s failed: %s", url, type(exc).__name__)
        return None
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) or (response.status_code >= 400 and "error" not in data):
        logger.warning("GitHub device flow: %s answered HTTP %s", url, response.status_code)
        return None
    return data


def _positive_int(value, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def _scopes(value) -> list[str]:
    """GitHub lists granted scopes separated by commas (the old server split on spaces): accept both."""
    scopes = [scope for scope in re.split(r"[,\s]+", value) if scope] if isinstance(value, str) else []
    return scopes or list(setting("GITHUB_COPILOT_SCOPES"))
