"""Foreign keys enforce their ON DELETE action in the database itself, as the mirrored schema does."""

from django.db import migrations

from core.db.operations import SetOnDelete


class Migration(migrations.Migration):
    dependencies = [("sandboxes", "0001_initial")]

    operations = [
        SetOnDelete("sandboxes", "user_id", "cascade"),
    ]
