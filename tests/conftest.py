"""Project-wide fixtures. Tests run on the embedded PostgreSQL (config.settings.test), never SQLite."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()
