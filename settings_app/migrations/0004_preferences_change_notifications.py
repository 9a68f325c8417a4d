"""Tell every server process when a user's preferences change (settings_app/preferences_cache.py)."""

from django.db import migrations

from core.db.operations import NotifyOnChange


class Migration(migrations.Migration):
    dependencies = [("settings_app", "0003_setting_moves_to_core")]

    operations = [NotifyOnChange("user_preferences", "agentpod_preferences_changed", "user_id")]
