"""A trigger that tells every server process when what locates a sandbox's OpenCode changes
(sandboxes/endpoint_cache.py): its owner, status, container, OpenCode address, or its deletion.

`NOTIFY` is delivered when the writing transaction commits. A row names the sandbox's id; a TRUNCATE sends
an empty payload: forget them all. Other columns (`last_accessed_at`, the name) change without a word.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION agentpod_notify_sandbox_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agentpod_sandbox_changed', CASE WHEN TG_OP = 'TRUNCATE' THEN '' ELSE OLD.id END);
    RETURN NULL;
END $$;
CREATE TRIGGER sandboxes_changed_notify
    AFTER UPDATE OF user_id, status, container_id, opencode_url, deleted_at OR DELETE ON "sandboxes"
    FOR EACH ROW EXECUTE FUNCTION agentpod_notify_sandbox_changed();
CREATE TRIGGER sandboxes_truncated_notify AFTER TRUNCATE ON "sandboxes"
    FOR EACH STATEMENT EXECUTE FUNCTION agentpod_notify_sandbox_changed();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS sandboxes_changed_notify ON "sandboxes";
DROP TRIGGER IF EXISTS sandboxes_truncated_notify ON "sandboxes";
DROP FUNCTION IF EXISTS agentpod_notify_sandbox_changed();
"""


class Migration(migrations.Migration):
    dependencies = [("sandboxes", "0003_sandbox_deleted_at")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
