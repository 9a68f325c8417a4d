"""The verified-session cache (accounts/session_cache.py): a kept session costs no query, and every way a
session or its user changes is seen by the next request, in this process and from another connection."""

import time
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts import session_cache
from core.db.notifications import APPLICATION_NAME, listener
from tests.factories import SessionFactory

UNAUTHORIZED = {"error": "Unauthorized", "message": "Valid session or API key required"}


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def listening():
    wait_for(lambda: listener.listening)


def bearer(session) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {session.token}")


def kept(session) -> bool:
    return session.token in session_cache._entries


def other_connection():
    """A connection of its own, as another server process or psql would have, committing what it does."""
    params = connection.get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    return psycopg.connect(**params, autocommit=True)


@pytest.mark.django_db
def test_a_kept_session_costs_no_query(listening, django_assert_num_queries):
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/users/me/preferences").status_code == 200  # the session read, the row created
    with django_assert_num_queries(1):  # the preferences only
        response = client.get("/api/users/me/preferences")
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == session.user_id


@pytest.mark.django_db
def test_each_request_gets_its_own_user_instance(listening):
    session = SessionFactory()
    client = bearer(session)
    first = client.get("/api/users/me/preferences").wsgi_request.user
    first.name = "edited in memory only"
    second = client.get("/api/users/me/preferences").wsgi_request.user
    assert second is not first
    assert second.name == session.user.name


@pytest.mark.django_db
def test_sign_out_ends_a_kept_session_at_once(listening):
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/resource-tiers").status_code == 200
    assert kept(session)
    assert client.post("/api/auth/sign-out", {}, content_type="application/json").status_code == 200
    response = client.get("/api/resource-tiers")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_a_user_edited_or_deactivated_is_seen_by_the_next_request(listening):
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/auth/get-session").json()["user"]["name"] == session.user.name
    session.user.name = "Renamed"
    session.user.save()
    assert client.get("/api/auth/get-session").json()["user"]["name"] == "Renamed"
    session.user.is_active = False
    session.user.save()
    assert client.get("/api/resource-tiers").status_code == 401


@pytest.mark.django_db
def test_a_session_past_its_expiry_is_not_served_from_memory(listening):
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/resource-tiers").status_code == 200
    entry = session_cache._entries[session.token]
    expired = list(entry[1])
    expired[[f.attname for f in session._meta.concrete_fields].index("expires_at")] = (
        timezone.now() - timedelta(seconds=1))
    session_cache._entries[session.token] = (entry[0], tuple(expired), entry[2])
    # The kept copy says expired; the row says valid: the row is read again, and wins.
    assert client.get("/api/resource-tiers").status_code == 200
    assert session_cache._entries[session.token][1] == entry[1]


@pytest.mark.django_db
def test_a_session_kept_longer_than_the_setting_is_read_again(listening, settings, django_assert_num_queries):
    settings.SESSION_CACHE_SECONDS = 0.05
    client = bearer(SessionFactory())
    client.get("/api/users/me/preferences")
    time.sleep(0.1)
    with django_assert_num_queries(2):
        client.get("/api/users/me/preferences")


@pytest.mark.django_db
def test_nothing_is_kept_when_the_cache_is_off(listening, settings, django_assert_num_queries):
    settings.SESSION_CACHE_SECONDS = 0
    client = bearer(SessionFactory())
    client.get("/api/users/me/preferences")
    with django_assert_num_queries(2):
        client.get("/api/users/me/preferences")


# -- from another connection: the triggers' notifications (committed data, so transactional tests) ---------

@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_session_deleted_by_another_process_is_refused_once_the_delete_commits(listening):
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/resource-tiers").status_code == 200
    assert kept(session)
    with other_connection() as other:
        with other.transaction():
            other.execute('DELETE FROM "session" WHERE id = %s', [session.pk])
            time.sleep(0.2)
            assert kept(session)  # not committed yet: nothing to forget
    wait_for(lambda: not kept(session), timeout=2)
    assert client.get("/api/resource-tiers").status_code == 401


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_user_deactivated_by_another_process_is_refused(listening):
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/resource-tiers").status_code == 200
    with other_connection() as other:
        other.execute('UPDATE "user" SET is_active = false WHERE id = %s', [session.user_id])
    wait_for(lambda: not kept(session), timeout=2)
    assert client.get("/api/resource-tiers").status_code == 401


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_truncated_session_table_forgets_every_kept_session(listening):
    sessions = [SessionFactory(), SessionFactory()]
    for session in sessions:
        assert bearer(session).get("/api/resource-tiers").status_code == 200
    with other_connection() as other:
        other.execute('TRUNCATE "session"')
    wait_for(lambda: not any(kept(session) for session in sessions), timeout=2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lost_listener_connection_turns_the_cache_off_then_resumes_empty(listening):
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/resource-tiers").status_code == 200
    assert kept(session)
    with other_connection() as other:
        other.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s "
                      "AND datname = current_database()", [APPLICATION_NAME])
    wait_for(lambda: not kept(session), timeout=5)  # what was kept may have missed a notification
    wait_for(lambda: listener.listening, timeout=10)
    assert client.get("/api/resource-tiers").status_code == 200
    assert kept(session)
