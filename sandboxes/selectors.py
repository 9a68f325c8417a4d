"""Reads of sandboxes, always scoped to their owner."""

from django.db.models import QuerySet

from .models import Sandbox


def sandboxes_of(*, user) -> QuerySet:
    """The caller's sandboxes, newest first."""
    return Sandbox.objects.filter(user=user).order_by("-created_at", "id")


def sandboxes_list(*, user, statuses: list[str] | None = None) -> QuerySet:
    sandboxes = sandboxes_of(user=user)
    if statuses:
        sandboxes = sandboxes.filter(status__in=statuses)
    return sandboxes
