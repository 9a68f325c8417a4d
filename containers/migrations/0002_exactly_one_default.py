"""A reference table that has rows always has exactly one default (checked at commit time)."""

from django.db import migrations

from core.db.operations import ExactlyOneDefault


class Migration(migrations.Migration):
    dependencies = [("containers", "0001_initial")]

    operations = [
        ExactlyOneDefault("resource_tiers"),
        ExactlyOneDefault("container_flavors"),
    ]
