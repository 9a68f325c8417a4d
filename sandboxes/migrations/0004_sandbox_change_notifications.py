"""Tell every server process when what locates a sandbox's OpenCode changes (sandboxes/endpoint_cache.py):
its owner, status, container, OpenCode address, or its deletion. Other columns (`last_accessed_at`, the
name) change without a word."""

from django.db import migrations

from core.db.operations import NotifyOnChange


class Migration(migrations.Migration):
    dependencies = [("sandboxes", "0003_sandbox_deleted_at")]

    operations = [NotifyOnChange("sandboxes", "agentpod_sandbox_changed", "id",
                                 ["user_id", "status", "container_id", "opencode_url", "deleted_at"])]
