"""`Setting` (table `settings`) moves from settings_app to core without touching the table: core takes
over the model's state; the table settings_app's first migration created stays as it is."""

import django.db.models.functions.datetime
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("settings_app", "0002_database_on_delete"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Setting",
                    fields=[
                        ("key", models.TextField(primary_key=True, serialize=False)),
                        ("value", models.TextField()),
                        ("updated_at", models.DateTimeField(
                            auto_now=True, db_default=django.db.models.functions.datetime.Now())),
                    ],
                    options={"db_table": "settings", "ordering": ["key"]},
                ),
            ],
            database_operations=[],
        ),
    ]
