"""`GET /api/users/me/preferences` from memory (settings_app/preferences_cache.py): no query while nothing
changed, and every way the row changes is seen by the next request, in this process or from another
connection."""

import pytest

from settings_app import preferences_cache
from tests.support.chat_worker import wait_for
from tests.support.database import other_connection

def shown(api) -> dict:
    response = api.get("/api/users/me/preferences")
    assert response.status_code == 200
    return response.json()["preferences"]


@pytest.mark.django_db
def test_unchanged_preferences_cost_no_query(api, user, django_assert_num_queries):
    shown(api)  # creates the row (a write: nothing is kept from that read)
    first = shown(api)
    with django_assert_num_queries(0):  # the session and the preferences both kept
        assert shown(api) == first


@pytest.mark.django_db
def test_an_update_through_the_api_is_seen_by_the_next_read(api, user):
    assert shown(api)["themeMode"] == "system"
    assert api.patch("/api/users/me/preferences", {"themeMode": "dark"},
                     content_type="application/json").status_code == 200
    assert (shown(api)["themeMode"], shown(api)["settingsVersion"]) == ("dark", 2)
    assert api.delete("/api/users/me/preferences").status_code == 200
    assert (shown(api)["themeMode"], shown(api)["settingsVersion"]) == ("system", 1)


@pytest.mark.django_db
def test_the_account_deletion_of_preferences_is_seen(api, user):
    shown(api)
    user.preferences.delete()
    assert user.pk not in preferences_cache.shown


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_update_by_another_process_is_seen_once_it_commits(api, user):
    assert shown(api)["themePreset"] == "default-neutral"
    with other_connection() as other:
        other.execute("UPDATE user_preferences SET theme_preset = 'ocean', settings_version = 7 "
                      "WHERE user_id = %s", [user.pk])
    assert wait_for(lambda: user.pk not in preferences_cache.shown, timeout=2, interval=0.01)
    assert (shown(api)["themePreset"], shown(api)["settingsVersion"]) == ("ocean", 7)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_deleted_by_another_process_is_created_again_with_the_defaults(api, user):
    shown(api)
    api.patch("/api/users/me/preferences", {"themeMode": "light"}, content_type="application/json")
    assert shown(api)["themeMode"] == "light"
    with other_connection() as other:
        other.execute("DELETE FROM user_preferences WHERE user_id = %s", [user.pk])
    assert wait_for(lambda: user.pk not in preferences_cache.shown, timeout=2, interval=0.01)
    assert shown(api)["themeMode"] == "system"
