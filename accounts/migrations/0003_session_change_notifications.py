"""Triggers that tell every server process when a session or a user changes (accounts/session_cache.py).

`NOTIFY` is delivered when the writing transaction commits, and not at all when it rolls back. A row
trigger names the session's token or the user's id; a TRUNCATE sends an empty payload: forget them all.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION agentpod_notify_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agentpod_session_changed', CASE WHEN TG_OP = 'TRUNCATE' THEN '' ELSE OLD.token END);
    RETURN NULL;
END $$;
CREATE FUNCTION agentpod_notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agentpod_user_changed', CASE WHEN TG_OP = 'TRUNCATE' THEN '' ELSE OLD.id END);
    RETURN NULL;
END $$;
CREATE TRIGGER session_changed_notify AFTER UPDATE OR DELETE ON "session"
    FOR EACH ROW EXECUTE FUNCTION agentpod_notify_session_changed();
CREATE TRIGGER session_truncated_notify AFTER TRUNCATE ON "session"
    FOR EACH STATEMENT EXECUTE FUNCTION agentpod_notify_session_changed();
CREATE TRIGGER user_changed_notify AFTER UPDATE OR DELETE ON "user"
    FOR EACH ROW EXECUTE FUNCTION agentpod_notify_user_changed();
CREATE TRIGGER user_truncated_notify AFTER TRUNCATE ON "user"
    FOR EACH STATEMENT EXECUTE FUNCTION agentpod_notify_user_changed();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS session_changed_notify ON "session";
DROP TRIGGER IF EXISTS session_truncated_notify ON "session";
DROP TRIGGER IF EXISTS user_changed_notify ON "user";
DROP TRIGGER IF EXISTS user_truncated_notify ON "user";
DROP FUNCTION IF EXISTS agentpod_notify_session_changed();
DROP FUNCTION IF EXISTS agentpod_notify_user_changed();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_database_on_delete")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
