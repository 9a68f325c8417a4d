"""A database connection of a test's own, as another server process or psql would have."""

import psycopg

from core.db.notifications import connection_params


def other_connection() -> psycopg.Connection:
    """A new autocommit connection to the test database: what it writes is committed (and notified) at once."""
    return psycopg.connect(**connection_params(), autocommit=True)
