"""Project-wide fixtures. Tests run on the embedded PostgreSQL (config.settings.test), never SQLite."""

import threading
import time

import pytest
import uvicorn
from django.core.cache import cache
from django.db import connection
from django.test import Client

from core.db.notifications import listener
from tests.factories import SessionFactory, UserFactory

# A real OpenCode, its model server and its image (tests/support/fixtures.py).
pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _database_notifications(django_db_setup):
    """The process's notification listener (core/db/notifications.py), listening before the first test as
    in a server that has started, so that what the caches keep does not depend on timing; its connection
    is closed before the test database is dropped."""
    deadline = time.monotonic() + 10
    while not listener.listening:
        assert time.monotonic() < deadline, "the database notification listener did not connect"
        time.sleep(0.01)
    yield
    listener.stop()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


def bearer_client(user) -> Client:
    """A client that sends a real Better Auth session token of `user`, as the desktop app does."""
    session = SessionFactory(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {session.token}")


@pytest.fixture
def api(user):
    return bearer_client(user)


@pytest.fixture
def other_api(other_user):
    return bearer_client(other_user)


@pytest.fixture
def service_api(settings):
    settings.API_TOKEN = "test-service-token-0123456789abcdef"
    return Client(HTTP_AUTHORIZATION=f"Bearer {settings.API_TOKEN}")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what the block registered with `transaction.on_commit` when it ends, as
    the commit of a real request would (each test runs inside one transaction that never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    """config.asgi.application under uvicorn on 127.0.0.1 (a thread of this process): its base URL.

    Its requests run on their own database connections, so tests using it need committed data
    (`transactional_db`). Connections close at the end of each request (CONN_MAX_AGE 0), so none is left
    open on the test database when the session drops it.
    """
    with django_db_blocker.unblock():
        previous = connection.settings_dict["CONN_MAX_AGE"]
        connection.settings_dict["CONN_MAX_AGE"] = 0
        from config.asgi import build_application

        # h11 whether or not httptools is installed: the strict HTTP of a plain install.
        server = uvicorn.Server(
            uvicorn.Config(build_application(), host="127.0.0.1", port=0, lifespan="on", log_level="warning",
                           http="h11")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(timeout=10)
        connection.settings_dict["CONN_MAX_AGE"] = previous
