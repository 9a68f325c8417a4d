"""Writing the activity log. The one way entries are recorded: other apps report actions through
`core.activity.activity_report`, whose receiver (`activity.receivers`) calls `activity_record`."""

import logging
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.api.permissions import acting_user
from core.http import client_ip

from .models import ActivityLog, ActivityLogArchive

logger = logging.getLogger(__name__)


def activity_record(*, action: str, user=None, entity_type: str | None = None, entity_id: str | None = None,
                    metadata: dict | None = None, request=None) -> ActivityLog | None:
    """Record one entry. Never raises: a failed audit write must not fail the user's request."""
    user_id = getattr(acting_user(user), "pk", None)
    try:
        with transaction.atomic():
            return ActivityLog.objects.create(
                user_id=user_id, action=action, entity_type=entity_type, entity_id=entity_id, metadata=metadata,
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT") if request is not None else None,
            )
    except DatabaseError:
        logger.warning("Could not record activity %s for user %s", action, user_id, exc_info=True)
        return None


# -- retention and anonymisation -------------------------------------------------------------------

PERSONAL_METADATA_KEYS = ("email", "name", "ip", "userAgent")
ARCHIVE_LOCK_ID = 0x61637469  # pg advisory lock: one archiver at a time


def strip_personal_data(metadata):
    if not isinstance(metadata, dict):
        return metadata
    return {key: value for key, value in metadata.items() if key not in PERSONAL_METADATA_KEYS}


def activity_anonymize_user(*, user_id: str, batch_size: int = 1000) -> int:
    """Detach a deleted user's entries from them and strip what identifies them; returns the count.

    One read, then one UPDATE per `batch_size` entries whatever the history's length."""
    entries = list(ActivityLog.objects.filter(user_id=user_id).only("id", "metadata"))
    for entry in entries:
        entry.user_id, entry.anonymized, entry.ip_address, entry.user_agent = None, True, None, None
        entry.metadata = strip_personal_data(entry.metadata)
    ActivityLog.objects.bulk_update(entries, ["user_id", "anonymized", "ip_address", "user_agent", "metadata"],
                                    batch_size=batch_size)
    return len(entries)


def activity_archive(*, older_than_days: int = 90, dry_run: bool = False, batch_size: int = 1000,
                     now=None) -> int:
    """Move entries older than the cut-off into `activity_log_archive`, without personal data.

    Each batch is its own transaction, so a long run can be interrupted safely; a PostgreSQL advisory
    lock keeps two runs (two cron hosts) from archiving at once. Returns how many entries moved
    (or would move, with `dry_run`).
    """
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    old = ActivityLog.objects.filter(created_at__lt=cutoff)
    if dry_run:
        return old.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ARCHIVE_LOCK_ID])
        if not cursor.fetchone()[0]:
            raise ArchiveAlreadyRunning("Another archive_activity run holds the lock.")
    moved = 0
    try:
        while True:
            with transaction.atomic():
                batch = list(old.order_by("created_at").select_for_update(skip_locked=True)[:batch_size])
                if not batch:
                    break
                ActivityLogArchive.objects.bulk_create([
                    ActivityLogArchive(id=entry.id, action=entry.action, entity_type=entry.entity_type,
                                       metadata=strip_personal_data(entry.metadata),
                                       original_created_at=entry.created_at)
                    for entry in batch
                ], ignore_conflicts=True)
                ActivityLog.objects.filter(pk__in=[entry.pk for entry in batch]).delete()
                moved += len(batch)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ARCHIVE_LOCK_ID])
    return moved


class ArchiveAlreadyRunning(Exception):
    pass
