"""Rules the database itself enforces, so plain SQL (psql, COPY imports) cannot break them."""

import pytest
from django.db import IntegrityError, connection, transaction

from chat.models import ChatMessage, ChatSession
from onboarding.models import OnboardingSession
from providers.models import ProviderCredential
from sandboxes.models import Sandbox
from settings_app.models import UserPreferences
from tests.factories import (
    ActivityLogFactory,
    ChatMessageFactory,
    OnboardingSessionFactory,
    ProviderCredentialFactory,
    SandboxFactory,
    UserPreferencesFactory,
)

pytestmark = pytest.mark.django_db


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def test_deleting_a_user_with_plain_sql_cascades_and_sets_null_as_the_schema_says():
    message = ChatMessageFactory()
    sandbox = message.session.sandbox
    owner = sandbox.user
    other_sandbox = SandboxFactory()
    UserPreferencesFactory(user=owner)
    ProviderCredentialFactory(user=owner)
    entry = ActivityLogFactory(user=owner)

    sql('DELETE FROM "user" WHERE id = %s', [owner.id])

    assert not Sandbox.objects.filter(id=sandbox.id).exists()
    assert not ChatSession.objects.filter(user_id=owner.id).exists()
    assert not ChatMessage.objects.filter(id=message.id).exists()
    assert not UserPreferences.objects.filter(user_id=owner.id).exists()
    assert not ProviderCredential.objects.filter(user_id=owner.id).exists()
    assert Sandbox.objects.filter(id=other_sandbox.id).exists()
    entry.refresh_from_db()
    assert entry.user_id is None  # activity_log.user_id is ON DELETE SET NULL


def test_deleting_a_sandbox_with_plain_sql_keeps_its_onboarding_session():
    onboarding = OnboardingSessionFactory()
    sql("DELETE FROM sandboxes WHERE id = %s", [onboarding.sandbox_id])
    onboarding.refresh_from_db()
    assert onboarding.sandbox_id is None
    assert OnboardingSession.objects.filter(id=onboarding.id).exists()


@pytest.mark.parametrize("table, column, value", [
    ("sandboxes", "status", "paused"),
    ("chat_messages", "role", "tool"),
])
def test_an_enum_value_outside_the_set_is_refused_by_the_database(table, column, value):
    message = ChatMessageFactory()
    key = message.session.sandbox_id if table == "sandboxes" else message.id
    with pytest.raises(IntegrityError, match="valid"), transaction.atomic():
        sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, key])


def test_database_defaults_fill_rows_written_by_plain_sql():
    sandbox = SandboxFactory()
    sql("INSERT INTO user_preferences (id, user_id) VALUES ('p1', %s)", [sandbox.user_id])
    sql("INSERT INTO chat_sessions (id, sandbox_id, user_id, source) VALUES ('c1', %s, %s, 'opencode')",
        [sandbox.id, sandbox.user_id])
    preferences = UserPreferences.objects.get(id="p1")
    assert (preferences.theme_mode, preferences.theme_preset, preferences.auto_refresh_interval,
            preferences.default_addon_ids, preferences.settings_version) == (
        "system", "default-neutral", 30, ["code-server"], 1)
    assert preferences.created_at is not None
    session = ChatSession.objects.get(id="c1")
    assert (session.status, session.message_count) == ("active", 0)


def test_an_encrypted_field_is_stored_as_ciphertext_and_read_back_as_plaintext():
    credential = ProviderCredentialFactory(api_key="sk-ant-plaintext-secret-123", access_token=None)
    [(stored, stored_access)] = sql(
        "SELECT api_key_encrypted, access_token_encrypted FROM provider_credentials WHERE id = %s", [credential.id])
    assert "sk-ant" not in stored
    assert stored != "sk-ant-plaintext-secret-123" and len(stored) > 40
    assert stored_access is None
    assert ProviderCredential.objects.get(id=credential.id).api_key == "sk-ant-plaintext-secret-123"


def test_json_text_columns_hold_text_in_the_database_and_python_values_in_models():
    sandbox = SandboxFactory(addon_ids=["code-server", "gui"])
    [(raw,)] = sql("SELECT addon_ids FROM sandboxes WHERE id = %s", [sandbox.id])
    assert raw == '["code-server","gui"]'
    assert Sandbox.objects.get(id=sandbox.id).addon_ids == ["code-server", "gui"]
    [(column_type,)] = sql("SELECT data_type FROM information_schema.columns "
                           "WHERE table_name = 'sandboxes' AND column_name = 'addon_ids'")
    assert column_type == "text"
