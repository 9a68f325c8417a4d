"""`/api/users/me/activity`: only the caller's entries, anywhere (DECISIONS 1, 20, 22)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.serializers import iso_datetime
from tests.factories import ActivityLogFactory

pytestmark = pytest.mark.django_db


def entry(user, action="sandbox.start", minutes_ago=0, **fields):
    return ActivityLogFactory(user=user, action=action, created_at=timezone.now() - timedelta(minutes=minutes_ago),
                              **fields)


def test_list_is_newest_first_with_every_key_present(api, user, other_user):
    old = entry(user, "sandbox.create", 10, entity_id="sbx1", metadata={"params": {"id": "sbx1"}},
                ip_address="10.0.0.1", user_agent="AgentPod/1")
    new = entry(user, "preferences.update", 1, entity_type="user", entity_id=None)
    entry(other_user, "sandbox.delete")
    body = api.get("/api/users/me/activity").json()
    assert body["pagination"] == {"total": 2, "limit": 50, "offset": 0}
    assert body["activities"] == [
        {"id": new.id, "userId": user.id, "action": "preferences.update", "entityType": "user", "entityId": None,
         "metadata": None, "ipAddress": None, "userAgent": None, "anonymized": False,
         "createdAt": iso_datetime(new.created_at)},
        {"id": old.id, "userId": user.id, "action": "sandbox.create", "entityType": "sandbox", "entityId": "sbx1",
         "metadata": {"params": {"id": "sbx1"}}, "ipAddress": "10.0.0.1", "userAgent": "AgentPod/1",
         "anonymized": False, "createdAt": iso_datetime(old.created_at)},
    ]


def test_pagination_and_the_action_filter_total_counts_what_matches(api, user):
    for minutes in range(5):
        entry(user, "sandbox.start", minutes)
    entry(user, "sandbox.stop", 9)
    page = api.get("/api/users/me/activity?limit=2&offset=1").json()
    assert page["pagination"] == {"total": 6, "limit": 2, "offset": 1}
    assert len(page["activities"]) == 2
    filtered = api.get("/api/users/me/activity?action=sandbox.stop").json()
    assert filtered["pagination"]["total"] == 1
    assert [a["action"] for a in filtered["activities"]] == ["sandbox.stop"]


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=101", "limit"), ("offset=-1", "offset"),
                                          ("limit=abc", "limit"), ("offset=9223372036854775808", "offset"),
                                          ("limit=99999999999999999999", "limit")])
def test_list_validation(api, query, field):
    response = api.get(f"/api/users/me/activity?{query}")
    assert response.status_code == 400
    assert response.json()["details"].startswith(f"{field}:")


def test_stats_count_only_the_callers_rows(api, user, other_user):
    entry(user, "preferences.update")
    entry(user, "preferences.update")
    entry(user, "provider.configure")
    for _ in range(5):
        entry(other_user, "provider.configure")
    assert api.get("/api/users/me/activity/stats").json() == {
        "total": 3,
        "byAction": [{"action": "preferences.update", "count": 2}, {"action": "provider.configure", "count": 1}],
        "period": {"start": "all time", "end": "now"},
    }


def test_stats_by_date(api, user):
    entry(user, "old.action", 60 * 24 * 3)
    entry(user, "new.action", 5)
    start = iso_datetime(timezone.now() - timedelta(days=1))
    body = api.get(f"/api/users/me/activity/stats?startDate={start}").json()
    assert body["byAction"] == [{"action": "new.action", "count": 1}]
    assert body["total"] == 2
    assert body["period"] == {"start": start, "end": "now"}
    assert api.get("/api/users/me/activity/stats?startDate=yesterday").status_code == 400


def test_export_json_and_csv(api, user):
    first = entry(user, "sandbox.create", 2, entity_id='quote"d')
    second = entry(user, "sandbox.start", 1)
    as_json = api.get("/api/users/me/activity/export?format=json&limit=5")
    assert as_json["Content-Disposition"] == f'attachment; filename="activity-{user.id}.json"'
    body = as_json.json()
    assert (body["userId"], body["count"], [a["id"] for a in body["activities"]]) == (user.id, 2, [second.id, first.id])
    as_csv = api.get("/api/users/me/activity/export?format=csv&limit=5")
    assert as_csv["Content-Type"] == "text/csv"
    assert as_csv["Content-Disposition"] == f'attachment; filename="activity-{user.id}.csv"'
    assert as_csv.content.decode() == "\n".join([
        "id,action,entityType,entityId,createdAt",
        f'"{second.id}","sandbox.start","sandbox","{second.entity_id}","{iso_datetime(second.created_at)}"',
        f'"{first.id}","sandbox.create","sandbox","quote""d","{iso_datetime(first.created_at)}"',
    ])
    assert api.get("/api/users/me/activity/export?format=xml").status_code == 400
    assert api.get("/api/users/me/activity/export?limit=1001").status_code == 400


def test_entity_activity_is_filtered_to_the_caller(api, user, other_user):
    mine = entry(user, "sandbox.start", entity_type="sandbox", entity_id="shared1")
    entry(other_user, "sandbox.stop", entity_type="sandbox", entity_id="shared1")
    body = api.get("/api/users/me/activity/entity/sandbox/shared1").json()
    assert body["entityType"] == "sandbox" and body["entityId"] == "shared1"
    assert [a["id"] for a in body["activities"]] == [mine.id]


def test_another_users_entries_never_show(other_api, user):
    entry(user, "sandbox.start")
    assert other_api.get("/api/users/me/activity").json()["activities"] == []
    assert other_api.get("/api/users/me/activity/stats").json()["total"] == 0


def test_the_list_runs_a_constant_number_of_queries(api, user, django_assert_num_queries):
    entry(user)
    api.get("/api/resource-tiers")  # from here on the caller's session is kept (accounts/session_cache.py)
    with django_assert_num_queries(2):  # page, count
        api.get("/api/users/me/activity")
    for minutes in range(49):
        entry(user, minutes_ago=minutes)
    with django_assert_num_queries(2):
        assert len(api.get("/api/users/me/activity").json()["activities"]) == 50


def test_service_token_and_anonymous_are_refused(service_api, client):
    assert service_api.get("/api/users/me/activity").status_code == 403
    assert client.get("/api/users/me/activity").status_code == 401
