"""`Setting` now belongs to core (core/migrations/0001): settings_app lets go of its state only; the
`settings` table is not touched."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("settings_app", "0002_database_on_delete"),
        ("core", "0001_setting_from_settings_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Setting")],
            database_operations=[],
        ),
    ]
