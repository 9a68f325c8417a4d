"""Foreign keys enforce their ON DELETE action in the database itself, as the mirrored schema does."""

from django.db import migrations

from core.db.operations import SetOnDelete


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [
        SetOnDelete("chat_sessions", "sandbox_id", "cascade"),
        SetOnDelete("chat_sessions", "user_id", "cascade"),
        SetOnDelete("chat_messages", "session_id", "cascade"),
    ]
