"""The GitHub Copilot device flow: `/api/providers/{id}/oauth/*` (api-contract 2.7, DECISIONS 1, 23).

GitHub is faked at the HTTP layer (`github_device_code`, `github_token`); flows are `oauth_state`
rows owned by the caller, and another user's flow is answered exactly as a missing one.
"""

import json
import logging
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import requests
from django.db import connection
from django.utils import timezone

from activity.models import ActivityLog
from core.serializers import iso_datetime
from providers.conf import GITHUB_ACCESS_TOKEN_URL, GITHUB_DEVICE_CODE_URL
from providers.models import OAuthState, ProviderCredential
from tests.factories import OAuthStateFactory
from tests.providers.conftest import calls_to

pytestmark = pytest.mark.django_db

COPILOT = "/api/providers/github-copilot"
TOKEN = "gho_secretAccessToken1234567890"


def poll(client, state_id, provider="github-copilot"):
    return client.post(f"/api/providers/{provider}/oauth/poll", {"stateId": state_id}, content_type="application/json")


def sent_form(call) -> dict:
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


def pending_state(user, **fields):
    return OAuthStateFactory(user=user, device_code="device-code-secret-0001", **fields)


def reload(state):
    return OAuthState.objects.filter(pk=state.pk).first()


# -- POST /api/providers/github-copilot/oauth/init ------------------------------------------------------

def test_init_asks_github_for_a_device_code_and_records_a_pending_flow(api, user, http, github_device_code):
    github_device_code()
    before = timezone.now()
    response = api.post(f"{COPILOT}/oauth/init")
    assert response.status_code == 200
    state = OAuthState.objects.get()
    assert response.json() == {"success": True, "stateId": state.pk, "userCode": "WDJB-MJHT",
                               "verificationUri": "https://github.com/login/device",
                               "expiresAt": iso_datetime(state.expires_at), "interval": 5}
    assert (state.user_id, state.provider_id, state.device_code, state.status, state.interval_seconds) == (
        user.pk, "github-copilot", "device-code-secret-0001", "pending", 5)
    assert timedelta(seconds=898) < state.expires_at - before <= timedelta(seconds=900)
    [call] = calls_to(http, GITHUB_DEVICE_CODE_URL)
    assert sent_form(call) == {"client_id": "Iv1.b507a08c87ecfe98", "scope": "read:user"}
    assert call.request.headers["Accept"] == "application/json"
    assert "device-code-secret-0001" not in response.content.decode()
    entry = ActivityLog.objects.get()
    assert (entry.user_id, entry.action, entry.entity_type, entry.entity_id) == (
        user.pk, "provider.oauth_init", "provider", "github-copilot")


def test_init_uses_githubs_defaults_when_it_omits_expiry_and_interval(api, http):
    http.post(GITHUB_DEVICE_CODE_URL, json={"device_code": "dc", "user_code": "AAAA-BBBB",
                                            "verification_uri": "https://github.com/login/device"})
    body = api.post(f"{COPILOT}/oauth/init").json()
    state = OAuthState.objects.get()
    assert body["interval"] == 5
    assert timedelta(seconds=895) < state.expires_at - timezone.now() <= timedelta(seconds=900)


@pytest.mark.parametrize("provider_id", ["anthropic", "openai", "opencode"])
def test_init_for_any_other_provider_is_400(api, http, provider_id):
    response = api.post(f"/api/providers/{provider_id}/oauth/init")
    assert response.status_code == 400
    assert response.json() == {"error": f"OAuth not supported for provider: {provider_id}"}
    assert len(http.calls) == 0
    assert not OAuthState.objects.exists()


@pytest.mark.parametrize("github", [
    {"status": 500, "body": "oops"},
    {"status": 404, "json": {"error": "Not Found"}},
    {"status": 200, "json": {"error": "unauthorized_client", "error_description": "Device flow disabled"}},
    {"status": 200, "json": {"device_code": "dc", "user_code": "", "verification_uri": "https://x"}},
    {"status": 200, "body": "<html>"},
    {"body": requests.ConnectionError("unreachable")},
    {"body": requests.Timeout("slow")},
])
def test_init_when_github_fails_is_503_and_records_nothing(api, http, github):
    http.post(GITHUB_DEVICE_CODE_URL, **github)
    response = api.post(f"{COPILOT}/oauth/init")
    assert response.status_code == 503
    assert response.json() == {"error": "Failed to initialize OAuth flow", "details": "GitHub did not issue a device code"}
    assert not OAuthState.objects.exists()
    assert not ActivityLog.objects.exists()


# -- POST /api/providers/github-copilot/oauth/poll ------------------------------------------------------

def test_poll_while_the_user_has_not_entered_the_code_is_pending(api, user, http, github_token):
    state = pending_state(user)
    github_token({"error": "authorization_pending", "error_description": "The authorization request is pending"})
    response = poll(api, state.pk)
    assert response.status_code == 200
    assert response.json() == {"status": "pending", "error": None, "isConfigured": False}
    [call] = calls_to(http, GITHUB_ACCESS_TOKEN_URL)
    assert sent_form(call) == {"client_id": "Iv1.b507a08c87ecfe98", "device_code": "device-code-secret-0001",
                               "grant_type": "urn:ietf:params:oauth:grant-type:device_code"}
    assert reload(state).status == "pending"
    assert not ProviderCredential.objects.exists()


def test_slow_down_stays_pending_with_githubs_new_interval(api, user, github_token):
    state = pending_state(user)
    github_token({"error": "slow_down", "interval": 10})
    assert poll(api, state.pk).json() == {"status": "pending", "error": None, "isConfigured": False}
    assert reload(state).interval_seconds == 10


def test_poll_completes_the_flow_and_stores_the_token_encrypted(api, user, http, github_token, models_dev):
    state = pending_state(user)
    github_token({"access_token": TOKEN, "token_type": "bearer", "scope": "read:user"})
    response = poll(api, state.pk)
    assert response.status_code == 200
    assert response.json() == {"status": "completed", "error": None, "isConfigured": True}
    row = ProviderCredential.objects.get(user=user, provider_id="github-copilot")
    assert (row.auth_type, row.access_token, row.api_key, row.oauth_provider, json.loads(row.oauth_scopes)) == (
        "oauth", TOKEN, None, "github", ["read:user"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token_encrypted FROM provider_credentials WHERE id = %s", [row.pk])
        stored = cursor.fetchone()[0]
    assert stored and TOKEN not in stored
    assert (reload(state).status, reload(state).error_message) == ("completed", None)
    entries = ActivityLog.objects.filter(action="provider.oauth_complete")
    assert [(e.user_id, e.entity_type, e.entity_id) for e in entries] == [(user.pk, "provider", "github-copilot")]
    # The flow has ended: asking again needs no GitHub call and logs nothing more.
    assert poll(api, state.pk).json() == {"status": "completed", "error": None, "isConfigured": True}
    assert len(calls_to(http, GITHUB_ACCESS_TOKEN_URL)) == 1
    assert ActivityLog.objects.filter(action="provider.oauth_complete").count() == 1
    configured = api.get("/api/providers/configured").json()["providers"]
    assert [(p["id"], p["authType"], p["isConfigured"]) for p in configured] == [("github-copilot", "device_flow", True)]


def test_a_completed_flow_replaces_an_earlier_copilot_credential(api, user, github_token):
    ProviderCredential.objects.create(user=user, provider_id="github-copilot", auth_type="oauth",
                                      access_token="gho_old", oauth_provider="github")
    github_token({"access_token": TOKEN, "scope": "read:user,copilot"})
    poll(api, pending_state(user).pk)
    row = ProviderCredential.objects.get(user=user)
    assert (row.access_token, json.loads(row.oauth_scopes)) == (TOKEN, ["read:user", "copilot"])


@pytest.mark.parametrize("github, status, error", [
    ({"error": "access_denied", "error_description": "The user has denied your application access."},
     "error", "User denied access"),
    ({"error": "expired_token"}, "expired", "Device code expired"),
    ({"error": "incorrect_device_code", "error_description": "The device_code provided is not valid."},
     "error", "The device_code provided is not valid."),
    ({"error": "unsupported_grant_type"}, "error", "unsupported_grant_type"),
])
def test_poll_ends_the_flow_when_github_refuses(api, user, http, github_token, github, status, error):
    state = pending_state(user)
    github_token(github)
    assert poll(api, state.pk).json() == {"status": status, "error": error, "isConfigured": False}
    assert (reload(state).status, reload(state).error_message) == (status, error)
    # An ended flow stays ended without asking GitHub again.
    assert poll(api, state.pk).json() == {"status": status, "error": error, "isConfigured": False}
    assert len(calls_to(http, GITHUB_ACCESS_TOKEN_URL)) == 1
    assert not ProviderCredential.objects.exists()


def test_poll_of_a_flow_past_its_expiry_is_expired_without_asking_github(api, user, http):
    state = pending_state(user, expires_at=timezone.now() - timedelta(seconds=1))
    assert poll(api, state.pk).json() == {"status": "expired", "error": "Device flow expired", "isConfigured": False}
    assert reload(state).status == "expired"
    assert len(http.calls) == 0


@pytest.mark.parametrize("github", [{"body": requests.ConnectionError("down")}, {"status": 502, "body": "bad gateway"}])
def test_poll_when_github_cannot_be_reached_is_a_network_error_and_the_flow_stays_pending(api, user, http, github):
    state = pending_state(user)
    http.post(GITHUB_ACCESS_TOKEN_URL, **github)
    assert poll(api, state.pk).json() == {"status": "error", "error": "Network error", "isConfigured": False}
    assert reload(state).status == "pending"


def test_poll_of_an_unknown_state_is_invalid(api, http):
    response = poll(api, "no-such-state")
    assert response.status_code == 200
    assert response.json() == {"status": "error", "error": "Invalid state ID", "isConfigured": False}
    assert len(http.calls) == 0


def test_poll_of_another_users_state_is_answered_as_a_missing_one(other_api, user, http, github_token):
    state = pending_state(user)
    github_token({"access_token": TOKEN})
    response = poll(other_api, state.pk)
    assert response.json() == {"status": "error", "error": "Invalid state ID", "isConfigured": False}
    assert len(http.calls) == 0
    assert reload(state).status == "pending"
    assert not ProviderCredential.objects.exists()


@pytest.mark.parametrize("body, details", [
    ({}, "stateId: This field is required."),
    ({"stateId": ""}, "stateId: This field may not be blank."),
    ({"stateId": 42}, "stateId: Must be a string."),
    ({"stateId": None}, "stateId: This field may not be null."),
])
def test_poll_with_a_bad_body_is_400_before_the_provider_is_checked(api, http, body, details):
    for provider_id in ("github-copilot", "anthropic"):
        response = api.post(f"/api/providers/{provider_id}/oauth/poll", body, content_type="application/json")
        assert response.status_code == 400
        assert (response.json()["error"], response.json()["details"]) == ("Invalid request", details)
    assert len(http.calls) == 0


def test_poll_for_another_provider_is_400(api, user, http):
    state = pending_state(user)
    response = poll(api, state.pk, provider="anthropic")
    assert response.status_code == 400
    assert response.json() == {"error": "OAuth not supported for provider: anthropic"}
    assert len(http.calls) == 0


def test_the_token_and_device_code_appear_in_no_response_and_no_log(api, user, http, github_device_code,
                                                                    github_token, models_dev, caplog):
    caplog.set_level(logging.DEBUG)
    github_device_code()
    init = api.post(f"{COPILOT}/oauth/init")
    state_id = init.json()["stateId"]
    github_token({"access_token": TOKEN, "scope": "read:user"})
    responses = [init, poll(api, state_id), poll(api, state_id), api.get(f"{COPILOT}/oauth/status/{state_id}"),
                 api.get("/api/providers/configured"), api.get("/api/providers/github-copilot"),
                 api.get("/api/providers?popularOnly=false")]
    for response in responses:
        assert response.status_code == 200
        assert TOKEN not in response.content.decode()
        assert "device-code-secret-0001" not in response.content.decode()
    assert TOKEN not in caplog.text
    assert "device-code-secret-0001" not in caplog.text
    assert all(TOKEN not in str(entry.metadata) for entry in ActivityLog.objects.all())


# -- GET /api/providers/github-copilot/oauth/status/{stateId} -------------------------------------------

def test_status_of_a_pending_flow(api, user, http):
    state = pending_state(user)
    response = api.get(f"{COPILOT}/oauth/status/{state.pk}")
    assert response.status_code == 200
    assert response.json() == {"status": "pending", "error": None}
    assert len(http.calls) == 0


def test_status_of_a_pending_flow_past_its_expiry_marks_it_expired(api, user):
    state = pending_state(user, expires_at=timezone.now() - timedelta(minutes=1))
    assert api.get(f"{COPILOT}/oauth/status/{state.pk}").json() == {"status": "expired",
                                                                    "error": "Device flow expired"}
    assert reload(state).status == "expired"


def test_status_of_a_failed_flow_carries_its_error(api, user):
    state = pending_state(user, status="error", error_message="User denied access")
    assert api.get(f"{COPILOT}/oauth/status/{state.pk}").json() == {"status": "error", "error": "User denied access"}


@pytest.mark.parametrize("owner", ["nobody", "other"])
def test_status_of_an_unknown_or_foreign_flow_is_404(other_api, user, owner):
    state_id = pending_state(user).pk if owner == "other" else "non-existent-state"
    response = other_api.get(f"{COPILOT}/oauth/status/{state_id}")
    assert response.status_code == 404
    assert response.json() == {"error": "OAuth flow not found"}


def test_status_for_another_provider_is_400(api, user):
    state = pending_state(user)
    response = api.get(f"/api/providers/anthropic/oauth/status/{state.pk}")
    assert response.status_code == 400
    assert response.json() == {"error": "OAuth not supported for provider: anthropic"}


# -- DELETE /api/providers/github-copilot/oauth/{stateId} -----------------------------------------------

def test_cancel_deletes_the_flow(api, user):
    state = pending_state(user)
    response = api.delete(f"{COPILOT}/oauth/{state.pk}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "OAuth flow cancelled"}
    assert reload(state) is None
    assert api.get(f"{COPILOT}/oauth/status/{state.pk}").status_code == 404


def test_cancel_of_an_unknown_flow_is_still_ok(api):
    response = api.delete(f"{COPILOT}/oauth/test-cancel-state")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "OAuth flow cancelled"}


def test_another_user_cannot_cancel_my_flow(other_api, user):
    state = pending_state(user)
    response = other_api.delete(f"{COPILOT}/oauth/{state.pk}")
    assert response.json() == {"success": True, "message": "OAuth flow cancelled"}  # as for a missing flow
    assert reload(state) is not None


def test_cancel_for_another_provider_is_400(api, user):
    state = pending_state(user)
    response = api.delete(f"/api/providers/anthropic/oauth/{state.pk}")
    assert response.status_code == 400
    assert response.json() == {"error": "OAuth not supported for provider: anthropic"}
    assert reload(state) is not None


def test_a_whole_flow_from_init_to_the_configured_provider(api, user, http, github_device_code, github_token,
                                                          models_dev):
    github_device_code()
    state_id = api.post(f"{COPILOT}/oauth/init").json()["stateId"]
    github_token({"error": "authorization_pending"})
    assert poll(api, state_id).json()["status"] == "pending"
    http.replace("POST", GITHUB_ACCESS_TOKEN_URL, json={"access_token": TOKEN, "scope": "read:user"})
    assert poll(api, state_id).json()["status"] == "completed"
    assert api.get(f"{COPILOT}/oauth/status/{state_id}").json() == {"status": "completed", "error": None}
    assert api.get("/api/providers/github-copilot").json()["provider"]["isConfigured"] is True
    assert api.post("/api/providers/github-copilot/set-default").status_code == 200
    assert [e.action for e in ActivityLog.objects.order_by("created_at")] == ["provider.oauth_init",
                                                                              "provider.oauth_complete"]
