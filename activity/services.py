"""Writing the activity log. The one way entries are recorded, from middleware and services alike."""

import logging

from django.db import DatabaseError, transaction

from .models import ActivityLog

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The caller's address as the old server recorded it: X-Forwarded-For, then X-Real-IP."""
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


def activity_record(*, action: str, user=None, entity_type: str | None = None, entity_id: str | None = None,
                    metadata: dict | None = None, request=None) -> ActivityLog | None:
    """Record one entry. Never raises: a failed audit write must not fail the user's request."""
    user_id = getattr(user, "pk", None) if user is not None and not getattr(user, "is_service", False) else None
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
