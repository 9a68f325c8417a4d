"""`/api/users/me/preferences`: created on first read, partial updates, versioned sync."""

import pytest

from activity.models import ActivityLog
from settings_app.models import UserPreferences

pytestmark = pytest.mark.django_db

DEFAULTS = {"themeMode": "system", "themePreset": "default-neutral", "autoRefreshInterval": 30,
            "inAppNotifications": True, "systemNotifications": True, "defaultResourceTierId": "starter",
            "defaultFlavorId": "fullstack", "defaultAddonIds": ["code-server"], "defaultAgentId": "opencode",
            "settingsVersion": 1}


def body_without_ids(preferences: dict) -> dict:
    return {k: v for k, v in preferences.items() if k not in {"id", "userId", "createdAt", "updatedAt"}}


def send(client, method, body):
    return getattr(client, method)("/api/users/me/preferences", body, content_type="application/json")


def test_get_creates_the_default_row(api, user):
    response = api.get("/api/users/me/preferences")
    assert response.status_code == 200
    preferences = response.json()["preferences"]
    row = UserPreferences.objects.get(user=user)
    assert preferences == {**DEFAULTS, "id": row.id, "userId": user.id,
                           "createdAt": preferences["createdAt"], "updatedAt": preferences["updatedAt"]}


@pytest.mark.parametrize("method", ["put", "patch"])
def test_put_and_patch_change_only_what_is_sent_and_bump_the_version_once(api, user, method):
    response = send(api, method, {"themeMode": "dark", "autoRefreshInterval": 60, "unknown": "ignored"})
    assert response.status_code == 200
    assert response.json()["message"] == "Preferences updated"
    assert body_without_ids(response.json()["preferences"]) == {
        **DEFAULTS, "themeMode": "dark", "autoRefreshInterval": 60, "settingsVersion": 2}
    row = UserPreferences.objects.get(user=user)
    assert (row.theme_mode, row.auto_refresh_interval, row.settings_version) == ("dark", 60, 2)
    assert ActivityLog.objects.filter(user=user, action="preferences.update", entity_type="user").count() == 1


def test_a_body_without_a_known_field_keeps_the_version(api, user):
    send(api, "patch", {"themeMode": "dark"})
    assert send(api, "patch", {}).json()["preferences"]["settingsVersion"] == 2
    assert send(api, "put", {"nothing": "known"}).json()["preferences"]["settingsVersion"] == 2
    assert UserPreferences.objects.get(user=user).settings_version == 2


@pytest.mark.parametrize("method", ["put", "patch"])
def test_every_update_with_a_known_field_bumps_the_version_once_even_to_the_same_value(api, user, method):
    """Contract 2.4: clients count versions; five updates starting with the stored default 30 end at 6."""
    for interval in (30, 40, 50, 60, 70):
        send(api, method, {"autoRefreshInterval": interval})
    preferences = api.get("/api/users/me/preferences").json()["preferences"]
    assert (preferences["autoRefreshInterval"], preferences["settingsVersion"]) == (70, 6)
    assert send(api, method, {"autoRefreshInterval": 70}).json()["preferences"]["settingsVersion"] == 7
    assert UserPreferences.objects.get(user=user).settings_version == 7


@pytest.mark.parametrize("body, field", [
    ({"themeMode": "purple"}, "themeMode"),
    ({"autoRefreshInterval": 4}, "autoRefreshInterval"),
    ({"autoRefreshInterval": 301}, "autoRefreshInterval"),
    ({"autoRefreshInterval": 5.5}, "autoRefreshInterval"),
    ({"autoRefreshInterval": "soon"}, "autoRefreshInterval"),
    ({"defaultAddonIds": "code-server"}, "defaultAddonIds"),
])
def test_invalid_values_are_400_and_change_nothing(api, user, body, field):
    response = send(api, "put", body)
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid request"
    assert response.json()["details"].startswith(f"{field}:")
    assert list(response.json()["fields"]) == [field]
    assert not UserPreferences.objects.filter(user=user, settings_version__gt=1).exists()


def test_version_does_not_create_a_row(api, user):
    assert api.get("/api/users/me/preferences/version").json() == {"version": 0, "userId": user.id}
    assert not UserPreferences.objects.exists()
    send(api, "patch", {"themePreset": "ocean"})
    assert api.get("/api/users/me/preferences/version").json() == {"version": 2, "userId": user.id}


def test_sync_compares_versions(api):
    send(api, "patch", {"themePreset": "ocean"})
    assert api.get("/api/users/me/preferences/sync?localVersion=0").json() == {
        "localVersion": 0, "serverVersion": 2, "needsSync": True, "message": "Server has newer preferences"}
    assert api.get("/api/users/me/preferences/sync?localVersion=999").json() == {
        "localVersion": 999, "serverVersion": 2, "needsSync": False, "message": "Preferences are in sync"}
    for query in ["", "?localVersion=abc", "?localVersion=-1"]:
        response = api.get(f"/api/users/me/preferences/sync{query}")
        assert response.status_code == 400 and response.json()["details"].startswith("localVersion:"), query


def test_delete_resets_to_defaults_and_version_one(api, user):
    send(api, "patch", {"themeMode": "light"})
    response = api.delete("/api/users/me/preferences")
    assert response.json()["message"] == "Preferences reset to defaults"
    assert body_without_ids(response.json()["preferences"]) == DEFAULTS
    assert UserPreferences.objects.get(user=user).theme_mode == "system"


def test_each_user_sees_only_their_preferences(api, other_api, user, other_user):
    send(api, "patch", {"themeMode": "dark"})
    theirs = other_api.get("/api/users/me/preferences").json()["preferences"]
    assert (theirs["userId"], theirs["themeMode"]) == (other_user.id, "system")
    assert UserPreferences.objects.get(user=user).theme_mode == "dark"


def test_the_service_token_and_anonymous_callers_are_refused(service_api, client):
    assert service_api.get("/api/users/me/preferences").json() == {"error": "Forbidden"}
    assert service_api.get("/api/users/me/preferences").status_code == 403
    assert client.get("/api/users/me/preferences").status_code == 401
    assert not UserPreferences.objects.exists()
