"""The sync state's foreign key enforces its ON DELETE in the database too (as 0002 does for the others)."""

from django.db import migrations

from core.db.operations import SetOnDelete


class Migration(migrations.Migration):
    dependencies = [("chat", "0004_chat_sync_state")]

    operations = [SetOnDelete("chat_sync_state", "sandbox_id", "cascade")]
