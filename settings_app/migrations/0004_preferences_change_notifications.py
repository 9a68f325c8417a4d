"""A trigger that tells every server process when a user's preferences change (settings_app/preferences_cache.py).

`NOTIFY` is delivered when the writing transaction commits. A row names the user's id; a TRUNCATE sends an
empty payload: forget them all. A new row needs no notification: nothing was kept for it.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION agentpod_notify_preferences_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agentpod_preferences_changed', CASE WHEN TG_OP = 'TRUNCATE' THEN '' ELSE OLD.user_id END);
    RETURN NULL;
END $$;
CREATE TRIGGER user_preferences_changed_notify AFTER UPDATE OR DELETE ON "user_preferences"
    FOR EACH ROW EXECUTE FUNCTION agentpod_notify_preferences_changed();
CREATE TRIGGER user_preferences_truncated_notify AFTER TRUNCATE ON "user_preferences"
    FOR EACH STATEMENT EXECUTE FUNCTION agentpod_notify_preferences_changed();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS user_preferences_changed_notify ON "user_preferences";
DROP TRIGGER IF EXISTS user_preferences_truncated_notify ON "user_preferences";
DROP FUNCTION IF EXISTS agentpod_notify_preferences_changed();
"""


class Migration(migrations.Migration):
    dependencies = [("settings_app", "0003_setting_moves_to_core")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
