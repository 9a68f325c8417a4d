# As chat 0006: the `text_pattern_ops` indexes Django puts beside the text primary keys of the activity
# log, a table written on every action, are in no old schema and serve no query.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("activity", "0002_database_on_delete"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS activity_log_id_ae739900_like",
            reverse_sql="CREATE INDEX IF NOT EXISTS activity_log_id_ae739900_like ON activity_log (id text_pattern_ops)",
        ),
        migrations.RunSQL(
            "DROP INDEX IF EXISTS activity_log_archive_id_709972ca_like",
            reverse_sql="CREATE INDEX IF NOT EXISTS activity_log_archive_id_709972ca_like "
            "ON activity_log_archive (id text_pattern_ops)",
        ),
    ]
