"""Liveness and readiness, and what every request answers while the database is unreachable (issue 10, 19).

The database is made unreachable for real: the test's connection is pointed at a local port that is bound
but never listens, so connecting fails as it does when PostgreSQL is stopped (connection refused). The
embedded server keeps running for the other tests; the connection is put back afterwards. This needs a
transactional test (the usual per-test transaction cannot survive its connection being closed), with
serialized rollback like the suite's other transactional tests, so that the flush after it leaves the
database as those expect.
"""

import socket

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from tests.factories import SessionFactory

UNAVAILABLE = {"error": "Service unavailable"}


DATABASE_DOWN = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def database_down():
    """The database unreachable until the test calls the function this yields (or ends)."""
    port = connection.settings_dict["PORT"]

    def back_up():
        connection.close()
        connection.close_pool()  # the pool of the closed port goes; the next one connects to the real port
        connection.settings_dict["PORT"] = port

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: every connection is refused
        connection.close()
        connection.close_pool()  # its open connections must not outlive "the database is down"
        connection.settings_dict["PORT"] = closed.getsockname()[1]
        try:
            yield back_up
        finally:
            back_up()


@pytest.mark.django_db
def test_ready_answers_200_when_the_database_and_the_cache_answer():
    response = Client().get("/health/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ready",
                                                             "checks": {"database": "ok", "cache": "ok"}})


@DATABASE_DOWN
def test_ready_answers_503_with_retry_after_when_the_database_is_down(database_down):
    response = Client().get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {**UNAVAILABLE, "details": "database: unavailable",
                               "checks": {"database": "unavailable", "cache": "ok"}}
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_ready_answers_503_when_the_cache_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache server gone")

    monkeypatch.setattr(cache, "set", broken)  # the cache server is outside the process
    response = Client().get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "unavailable"}


@DATABASE_DOWN
def test_health_stays_the_cheap_liveness_check_while_the_database_is_down(database_down):
    assert Client().get("/health").status_code == 200


@DATABASE_DOWN
@pytest.mark.parametrize("path", ["/api/account", "/api/users/me/preferences", "/api/auth/get-session"])
def test_an_api_request_while_the_database_is_down_is_a_503_with_retry_after(database_down, path):
    response = Client(HTTP_AUTHORIZATION="Bearer 0123456789abcdef0123456789abcdef").get(path)
    assert (response.status_code, response.json()) == (503, UNAVAILABLE)
    assert int(response["Retry-After"]) > 0


@DATABASE_DOWN
def test_a_lost_database_outside_drf_views_is_a_503_too(database_down):
    # allauth's pages and the social sign-in bridge save the Django session after the view, in middleware.
    client = Client(raise_request_exception=False)
    response = client.get("/api/auth/social/github/start?callbackURL=/")
    assert (response.status_code, response.json()) == (503, UNAVAILABLE)
    assert int(response["Retry-After"]) > 0


@DATABASE_DOWN
def test_requests_recover_as_soon_as_the_database_is_back(database_down):
    signed_in = Client(HTTP_AUTHORIZATION="Bearer 0123456789abcdef0123456789abcdef")
    assert signed_in.get("/api/account").status_code == 503
    database_down()
    session = SessionFactory()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {session.token}").get("/api/account")
    assert response.status_code == 200
    assert Client().get("/health/ready").status_code == 200
