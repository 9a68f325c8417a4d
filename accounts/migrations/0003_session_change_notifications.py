"""Tell every server process when a session or a user changes (accounts/session_cache.py)."""

from django.db import migrations

from core.db.operations import NotifyOnChange


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_database_on_delete")]

    operations = [
        NotifyOnChange("session", "agentpod_session_changed", "token"),
        NotifyOnChange("user", "agentpod_user_changed", "id"),
    ]
