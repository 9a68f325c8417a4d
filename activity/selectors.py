"""Reads of the activity log, always scoped to one user (DECISIONS 1)."""

from datetime import datetime

from django.db.models import Count

from .models import ActivityLog


def activity_for_user(*, user_id: str, action: str | None = None):
    entries = ActivityLog.objects.filter(user_id=user_id)
    if action:
        entries = entries.filter(action=action)
    return entries.order_by("-created_at", "-id")


def activity_stats(*, user_id: str, start: datetime | None, end: datetime | None) -> dict:
    entries = ActivityLog.objects.filter(user_id=user_id)
    dated = entries
    if start:
        dated = dated.filter(created_at__gte=start)
    if end:
        dated = dated.filter(created_at__lte=end)
    by_action = dated.values("action").annotate(count=Count("id")).order_by("-count", "action")
    return {"total": entries.count(), "byAction": list(by_action)}


def activity_for_entity(*, user_id: str, entity_type: str, entity_id: str, limit: int = 50):
    return (ActivityLog.objects.filter(user_id=user_id, entity_type=entity_type, entity_id=entity_id)
            .order_by("-created_at", "-id")[:limit])
