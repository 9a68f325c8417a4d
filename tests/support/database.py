"""A database connection of a test's own, as another server process or psql would have."""

import psycopg
from django.db import connection


def other_connection() -> psycopg.Connection:
    """A new autocommit connection to the test database: what it writes is committed (and notified) at once."""
    params = connection.get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    return psycopg.connect(**params, autocommit=True)
