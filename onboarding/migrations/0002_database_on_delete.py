"""Foreign keys enforce their ON DELETE action in the database itself, as the mirrored schema does."""

from django.db import migrations

from core.db.operations import SetOnDelete


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0001_initial")]

    operations = [
        SetOnDelete("onboarding_sessions", "user_id", "cascade"),
        SetOnDelete("onboarding_sessions", "sandbox_id", "set null"),
    ]
