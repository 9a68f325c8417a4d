"""The migrated database mirrors target-schema.json (a copy of shared/spec, kept in the repo).

The first test is the acceptance check; the others break the live schema inside the test's
transaction (PostgreSQL DDL is transactional) and show the check notices each kind of drift.
"""

import json
from pathlib import Path

import pytest
from django.db import connection

from core.db.schema_check import compare, read_live_schema

TARGET = json.loads((Path(__file__).parent.parent / "data" / "target-schema.json").read_text())

pytestmark = pytest.mark.django_db


def mismatches() -> list[str]:
    return compare(TARGET, *read_live_schema(connection))


def run(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def test_all_22_tables_are_mirrored_with_zero_mismatches():
    assert len(TARGET["tables"]) == 22
    assert mismatches() == []


def test_a_missing_column_is_reported():
    run('ALTER TABLE sandboxes DROP COLUMN vnc_url')
    assert mismatches() == ["sandboxes.vnc_url: column missing"]


def test_a_wrong_type_is_reported():
    run('ALTER TABLE "user" ALTER COLUMN name TYPE varchar(200)')
    assert mismatches() == ["user.name: type character varying(200) instead of text"]


def test_a_lost_default_is_reported():
    run("ALTER TABLE user_preferences ALTER COLUMN theme_preset DROP DEFAULT")
    assert mismatches() == ["user_preferences.theme_preset: default None instead of \"'default-neutral'\""]


def test_a_missing_on_delete_action_is_reported():
    run("""
        DO $$ DECLARE fk text; BEGIN
            SELECT conname INTO fk FROM pg_constraint
            WHERE conrelid = 'chat_messages'::regclass AND contype = 'f';
            EXECUTE format('ALTER TABLE chat_messages DROP CONSTRAINT %I', fk);
            EXECUTE format('ALTER TABLE chat_messages ADD CONSTRAINT %I FOREIGN KEY (session_id) '
                           'REFERENCES chat_sessions (id)', fk);
        END $$
    """)
    assert mismatches() == ["chat_messages: foreign key (session_id) ON DELETE no action instead of cascade"]


def test_an_enum_that_admits_another_value_is_reported():
    run("ALTER TABLE sandboxes DROP CONSTRAINT sandbox_status_valid")
    run("ALTER TABLE sandboxes ADD CONSTRAINT sandbox_status_valid CHECK (status IN ('created', 'paused'))")
    assert mismatches() == ["sandboxes.status: no CHECK constraint admitting exactly the values of sandbox_status"]


def test_a_missing_index_and_unique_constraint_are_reported():
    run("DROP INDEX activity_log_entity_idx")
    run("ALTER TABLE sandboxes DROP CONSTRAINT sandboxes_user_slug_unique")
    assert mismatches() == [
        "activity_log: index on (entity_type, entity_id) missing",
        "sandboxes: unique (user_id, slug) missing",
    ]


def test_an_extra_not_null_column_without_default_is_reported():
    run('ALTER TABLE settings ADD COLUMN scope text NOT NULL')
    assert mismatches() == ["settings.scope: extra column is NOT NULL without a default"]


def test_the_tables_that_grow_carry_no_pattern_index_on_their_id():
    """Django's `text_pattern_ops` index beside a text primary key is in no old schema and serves no query;
    on the tables written with every message and action it only costs (chat 0006, activity 0003)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' "
                       "AND indexdef LIKE '%%pattern_ops%%' AND tablename = ANY(%s)",
                       [["chat_messages", "activity_log", "activity_log_archive"]])
        assert cursor.fetchall() == []
        # Elsewhere Django's indexes stay: the check looks at the right catalog.
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '%%pattern_ops%%'")
        assert cursor.fetchone()[0] > 0
