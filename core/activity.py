"""Reporting what users do, without knowing where it is kept.

Every app reports an action with `activity_report(...)`; the `activity` app, which owns the activity
log, connects the receiver that writes it (`activity.receivers`). So accounts, providers and settings
never import the activity app, and the log stays the one place entries are written. The receiver runs
synchronously, inside the caller's transaction: an entry commits or rolls back with the change it
describes.
"""

from django.dispatch import Signal

# kwargs: action, user, entity_type, entity_id, metadata, request
activity_reported = Signal()


def activity_report(*, action: str, user=None, entity_type: str | None = None, entity_id: str | None = None,
                    metadata: dict | None = None, request=None) -> None:
    """Report one action (e.g. `sandbox.create`) by `user` (a user, the service principal, or None)."""
    activity_reported.send(sender=None, action=action, user=user, entity_type=entity_type, entity_id=entity_id,
                           metadata=metadata, request=request)
