"""Sandbox business logic. Writes go through these functions; views stay thin."""

import logging
import threading

from django.conf import settings

logger = logging.getLogger(__name__)


def sandboxes_push_config(*, user) -> None:
    """Push a user's OpenCode config and provider credentials to their running sandboxes.

    Called after every config or credential change. Fire-and-forget: it runs in a background thread
    and never delays or fails the caller's response (api-contract 1.12). Tests set
    `SANDBOX_CONFIG_PUSH_INLINE` so the push finishes before the response and leaves no thread behind.
    """
    user_id = user.pk

    def push() -> None:
        try:
            from .orchestrator import get_orchestrator
        except ImportError:  # no orchestrator configured yet
            return
        try:
            get_orchestrator().push_config(user_id=user_id)
        except Exception:  # noqa: BLE001 - a failed push must never surface to the caller
            logger.warning("Could not push config to the sandboxes of user %s", user_id, exc_info=True)

    if getattr(settings, "SANDBOX_CONFIG_PUSH_INLINE", False):
        push()
    else:
        threading.Thread(target=push, name=f"push-config-{user_id}", daemon=True).start()


def sandbox_delete(*, sandbox, remove_volumes: bool = True, request=None) -> None:
    """Remove a sandbox's container (when it has one), then its row; the database cascades its chat.

    An engine failure is raised before anything is deleted, so the row is never orphaned from a
    container that still runs.
    """
    from activity.services import activity_record

    if sandbox.container_id:
        from .orchestrator import get_orchestrator

        get_orchestrator().remove(sandbox, remove_volumes=remove_volumes)
    sandbox_id, user = sandbox.pk, sandbox.user
    sandbox.delete()
    activity_record(action="sandbox.delete", user=user, entity_type="sandbox", entity_id=sandbox_id,
                    request=request)
