"""The activity app's receivers: it writes what other apps report, and its part of a user's account."""

from django.dispatch import receiver

from core.activity import activity_reported
from core.serializers import iso_datetime
from core.user_data import UserDataPart

from .models import ActivityLog
from .services import activity_anonymize_user, activity_record


@receiver(activity_reported)
def record_reported_activity(sender, *, action, user, entity_type, entity_id, metadata, request, **kwargs):
    activity_record(action=action, user=user, entity_type=entity_type, entity_id=entity_id, metadata=metadata,
                    request=request)


def _export(user) -> dict:
    return {"activity": [
        {"action": a, "entityType": t, "entityId": i, "createdAt": iso_datetime(c)}
        for a, t, i, c in ActivityLog.objects.filter(user=user).order_by("-created_at")
        .values_list("action", "entity_type", "entity_id", "created_at")]}


def _delete(user, result: dict) -> None:
    # Kept, detached and stripped: the history outlives the account (api-contract 2.6).
    result["activityLogsAnonymized"] = activity_anonymize_user(user_id=user.pk)


USER_DATA = UserDataPart(name="activity", order=10, export=_export, delete=_delete)
