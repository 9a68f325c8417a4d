"""`manage.py archive_activity`: old entries move to the archive without personal data."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activity.models import ActivityLog, ActivityLogArchive
from tests.factories import ActivityLogFactory

pytestmark = pytest.mark.django_db


def aged(days: int, **fields):
    return ActivityLogFactory(created_at=timezone.now() - timedelta(days=days), **fields)


def test_entries_older_than_the_cut_off_are_archived_without_personal_data():
    old = aged(120, metadata={"params": {"id": "x"}, "email": "a@b.c", "ip": "1.2.3.4"}, ip_address="1.2.3.4")
    recent = aged(10)
    out = StringIO()
    call_command("archive_activity", "--days", "90", "--batch-size", "1", stdout=out)
    assert "Archived 1 activity entries older than 90 days." in out.getvalue()
    assert list(ActivityLog.objects.values_list("id", flat=True)) == [recent.id]
    archived = ActivityLogArchive.objects.get()
    assert (archived.id, archived.action, archived.entity_type, archived.metadata) == (
        old.id, old.action, old.entity_type, {"params": {"id": "x"}})
    assert archived.original_created_at == old.created_at
    assert not hasattr(archived, "user_id") and not hasattr(archived, "ip_address")


def test_batches_move_everything():
    for days in range(91, 101):
        aged(days)
    call_command("archive_activity", "--batch-size", "3", stdout=StringIO())
    assert (ActivityLog.objects.count(), ActivityLogArchive.objects.count()) == (0, 10)


def test_dry_run_changes_nothing():
    aged(200)
    out = StringIO()
    call_command("archive_activity", "--dry-run", stdout=out)
    assert "Would archive 1 activity entries" in out.getvalue()
    assert (ActivityLog.objects.count(), ActivityLogArchive.objects.count()) == (1, 0)


def test_bad_arguments_are_a_command_error():
    with pytest.raises(CommandError):
        call_command("archive_activity", "--days", "0")
