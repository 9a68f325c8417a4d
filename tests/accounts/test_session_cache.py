"""The verified-session cache (accounts/session_cache.py): a kept session costs no query, and every way a
session or its user changes is seen by the next request, in this process and from another connection."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import session_cache
from core.db.notifications import APPLICATION_NAME, listener
from tests.factories import SessionFactory
from tests.support.chat_worker import wait_for
from tests.support.database import other_connection

UNAUTHORIZED = {"error": "Unauthorized", "message": "Valid session or API key required"}


def bearer(session) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {session.token}")


def kept(session) -> bool:
    return session.token in session_cache.sessions


@pytest.mark.django_db
def test_a_kept_session_costs_no_query(django_assert_num_queries):
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/users/me/preferences").status_code == 200  # the session read, the row created
    with django_assert_num_queries(1):  # the preferences only
        response = client.get("/api/users/me/preferences")
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == session.user_id


@pytest.mark.django_db
def test_each_request_gets_its_own_user_instance():
    session = SessionFactory()
    client = bearer(session)
    first = client.get("/api/users/me/preferences").wsgi_request.user
    first.name = "edited in memory only"
    second = client.get("/api/users/me/preferences").wsgi_request.user
    assert second is not first
    assert second.name == session.user.name


@pytest.mark.django_db
def test_sign_out_ends_a_kept_session_at_once():
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/resource-tiers").status_code == 200
    assert kept(session)
    assert client.post("/api/auth/sign-out", {}, content_type="application/json").status_code == 200
    response = client.get("/api/resource-tiers")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_a_user_edited_or_deactivated_is_seen_by_the_next_request():
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
def test_a_session_past_its_expiry_is_not_served_from_memory():
    session = SessionFactory(expires_at=timezone.now() + timedelta(seconds=1))
    session_cache.put(session, read_at=session_cache.sessions.generation)  # as a lookup keeps it (a request would also slide its expiry)
    assert kept(session)
    time.sleep(1.1)
    client = bearer(session)
    response = client.get("/api/resource-tiers")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_a_session_kept_longer_than_the_setting_is_read_again(settings, django_assert_num_queries):
    settings.MEMORY_CACHE_SECONDS = 0.05
    client = bearer(SessionFactory())
    client.get("/api/users/me/preferences")
    time.sleep(0.1)
    with django_assert_num_queries(2):
        client.get("/api/users/me/preferences")


@pytest.mark.django_db
def test_nothing_is_kept_when_the_cache_is_off(settings, django_assert_num_queries):
    settings.MEMORY_CACHE_SECONDS = 0
    client = bearer(SessionFactory())
    client.get("/api/users/me/preferences")
    with django_assert_num_queries(2):
        client.get("/api/users/me/preferences")


# -- from another connection: the triggers' notifications (committed data, so transactional tests) ---------

@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_session_deleted_by_another_process_is_refused_once_the_delete_commits():
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/resource-tiers").status_code == 200
    assert kept(session)
    with other_connection() as other:
        with other.transaction():
            other.execute('DELETE FROM "session" WHERE id = %s', [session.pk])
            time.sleep(0.2)
            assert kept(session)  # not committed yet: nothing to forget
    assert wait_for(lambda: not kept(session), timeout=2, interval=0.01)
    assert client.get("/api/resource-tiers").status_code == 401


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_user_deactivated_by_another_process_is_refused():
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/resource-tiers").status_code == 200
    with other_connection() as other:
        other.execute('UPDATE "user" SET is_active = false WHERE id = %s', [session.user_id])
    assert wait_for(lambda: not kept(session), timeout=2, interval=0.01)
    assert client.get("/api/resource-tiers").status_code == 401


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_truncated_session_table_forgets_every_kept_session():
    sessions = [SessionFactory(), SessionFactory()]
    for session in sessions:
        assert bearer(session).get("/api/resource-tiers").status_code == 200
    with other_connection() as other:
        other.execute('TRUNCATE "session"')
    assert wait_for(lambda: not any(kept(session) for session in sessions), timeout=2, interval=0.01)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lost_listener_connection_turns_the_cache_off_then_resumes_empty():
    session = SessionFactory()
    client = bearer(session)
    assert client.get("/api/resource-tiers").status_code == 200
    assert kept(session)
    with other_connection() as other:
        other.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s "
                      "AND datname = current_database()", [APPLICATION_NAME])
    assert wait_for(lambda: not kept(session), timeout=5, interval=0.01)  # it may have missed a notification
    assert wait_for(lambda: listener.listening, timeout=10, interval=0.01)
    assert client.get("/api/resource-tiers").status_code == 200
    assert kept(session)


@pytest.mark.django_db
def test_a_session_forgotten_while_it_was_read_is_not_kept():
    """A sign-out that commits (and is notified) between a lookup's query and its keeping the row."""
    session = SessionFactory()
    read_at = session_cache.sessions.generation
    session_cache.forget_token(session.token)  # the notification, arriving mid-lookup
    session_cache.put(session, read_at=read_at)
    assert not kept(session)
    session_cache.put(session, read_at=session_cache.sessions.generation)
    assert kept(session)
