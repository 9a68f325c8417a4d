"""Foreign keys enforce their ON DELETE action in the database itself, as the mirrored schema does."""

from django.db import migrations

from core.db.operations import SetOnDelete


class Migration(migrations.Migration):
    dependencies = [("settings_app", "0001_initial")]

    operations = [
        SetOnDelete("user_opencode_config", "user_id", "cascade"),
        SetOnDelete("user_opencode_files", "user_id", "cascade"),
        SetOnDelete("user_preferences", "user_id", "cascade"),
    ]
