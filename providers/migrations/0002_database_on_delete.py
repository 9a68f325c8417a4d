"""Foreign keys enforce their ON DELETE action in the database itself, as the mirrored schema does."""

from django.db import migrations

from core.db.operations import SetOnDelete


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]

    operations = [
        SetOnDelete("provider_credentials", "user_id", "cascade"),
        SetOnDelete("oauth_state", "user_id", "cascade"),
    ]
