"""The chat app's receivers: a deleted sandbox's history is archived, not lost; and its part of a user's
account, counts and the export of their chat history (a deleted sandbox's archived history included)."""

from django.db.models import F
from django.dispatch import receiver

from core.serializers import iso_datetime
from core.user_data import UserDataPart
from sandboxes.models import Sandbox
from sandboxes.signals import sandbox_deleted

from .models import ChatSession
from .services import chat_sandbox_archive

EXPORT_SESSIONS_PER_SANDBOX = 1000


@receiver(sandbox_deleted, sender=Sandbox)
def archive_the_history_of_a_deleted_sandbox(sender, *, sandbox, **kwargs):
    chat_sandbox_archive(sandbox=sandbox)


def _counts(user) -> dict:
    # Sessions of every status, as the contract says, so a deleted sandbox's archived ones too: they are
    # the user's, kept, and in the export.
    return {"chatSessionCount": ChatSession.objects.filter(user=user).count()}


def _export(user) -> dict:
    """Per sandbox, its sessions (at most EXPORT_SESSIONS_PER_SANDBOX), in two queries. A deleted sandbox
    whose archived history is kept has its entry too, after the others; `deletedAt` says which (null for
    the others)."""
    sessions_by_sandbox: dict[str, list] = {}
    for session in (ChatSession.objects.filter(user=user).order_by("sandbox_id", "created_at")
                    .only("id", "sandbox_id", "title", "message_count", "created_at")):
        bucket = sessions_by_sandbox.setdefault(session.sandbox_id, [])
        if len(bucket) < EXPORT_SESSIONS_PER_SANDBOX:
            bucket.append({"id": session.id, "title": session.title, "messageCount": session.message_count or 0,
                           "createdAt": iso_datetime(session.created_at)})
    sandboxes = (Sandbox.all_objects.filter(user=user).order_by(F("deleted_at").asc(nulls_first=True), "created_at")
                 .values_list("id", "name", "deleted_at"))
    return {"chatHistory": [
        {"sandboxId": sandbox_id, "sandboxName": name, "deletedAt": iso_datetime(deleted_at),
         "sessions": sessions_by_sandbox.get(sandbox_id, [])}
        for sandbox_id, name, deleted_at in sandboxes if deleted_at is None or sandbox_id in sessions_by_sandbox]}


USER_DATA = UserDataPart(name="chat", order=30, counts=_counts, export=_export)
