# Django puts a `text_pattern_ops` index beside every text primary key, for `LIKE 'prefix%'` lookups. The
# old schema (tests/data/target-schema.json) has none, nothing looks a message up by a prefix of its id
# (the admin searches with icontains, which no btree serves), and on this table, which grows with every
# conversation, each insert maintains it and the legacy import rebuilds it (0.36 s of the 500,000 messages
# of bench/import_vs_pgloader.py). An AlterField of `id` would add it back.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("chat", "0005_chat_sync_state_on_delete"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS chat_messages_id_fdd14cde_like",
            reverse_sql="CREATE INDEX IF NOT EXISTS chat_messages_id_fdd14cde_like ON chat_messages (id text_pattern_ops)",
        ),
    ]
