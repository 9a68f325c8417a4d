"""`sandboxes.deleted_at`: a deleted sandbox keeps its row, and so its chat history. An extra nullable
column, which the mirrored schema allows (RULES: extra columns must be nullable or defaulted)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sandboxes', '0002_database_on_delete'),
    ]

    operations = [
        migrations.AddField(
            model_name='sandbox',
            name='deleted_at',
            field=models.DateTimeField(blank=True, help_text='When the owner deleted the sandbox (its chat history is kept, archived)', null=True),
        ),
    ]
