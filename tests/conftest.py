"""Project-wide fixtures. Tests run on the embedded PostgreSQL (config.settings.test), never SQLite."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import SessionFactory, UserFactory

# A real OpenCode, its model server and its image (tests/support/fixtures.py).
pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


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
