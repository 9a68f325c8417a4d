"""Reads about a user's whole account: counts for the account page and the data export."""

from django.utils import timezone

from core.serializers import iso_datetime

from .models import User

EXPORT_SESSIONS_PER_SANDBOX = 1000


def account_stats(*, user: User) -> dict:
    from chat.models import ChatSession

    return {"sandboxCount": user.sandboxes.count(),
            "chatSessionCount": ChatSession.objects.filter(user=user).count()}


def user_data_export(*, user: User) -> dict:
    """Everything stored about the user, secrets excluded (credentials appear as provider ids only)."""
    from activity.models import ActivityLog
    from chat.models import ChatSession
    from providers.models import ProviderCredential
    from settings_app.models import UserOpencodeConfig, UserOpencodeFile, UserPreferences

    sandboxes = list(user.sandboxes.order_by("created_at"))
    sessions_by_sandbox: dict[str, list] = {}
    for session in (ChatSession.objects.filter(user=user).order_by("sandbox_id", "created_at")
                    .only("id", "sandbox_id", "title", "message_count", "created_at")):
        bucket = sessions_by_sandbox.setdefault(session.sandbox_id, [])
        if len(bucket) < EXPORT_SESSIONS_PER_SANDBOX:
            bucket.append({"id": session.id, "title": session.title, "messageCount": session.message_count or 0,
                           "createdAt": iso_datetime(session.created_at)})
    config = UserOpencodeConfig.objects.filter(user=user).first()
    preferences = UserPreferences.objects.filter(user=user).first()
    body = {
        "exportedAt": iso_datetime(timezone.now()),
        "user": {"id": user.id, "email": user.email, "name": user.name, "image": user.image,
                 "createdAt": iso_datetime(user.created_at)},
        "sandboxes": [{"id": s.id, "name": s.name, "slug": s.slug, "description": s.description, "status": s.status,
                       "flavorId": s.flavor_id, "resourceTierId": s.resource_tier_id, "addonIds": s.addon_ids,
                       "createdAt": iso_datetime(s.created_at)} for s in sandboxes],
        "chatHistory": [{"sandboxId": s.id, "sandboxName": s.name, "sessions": sessions_by_sandbox.get(s.id, [])}
                        for s in sandboxes],
        "opencodeConfig": {"settings": config.settings, "agentsMd": config.agents_md} if config else None,
        "opencodeFiles": list(UserOpencodeFile.objects.filter(user=user).order_by("type", "name")
                              .values("type", "name", "extension", "content")),
        "providers": [{"providerId": p, "authType": a} for p, a in
                      ProviderCredential.objects.filter(user=user).order_by("provider_id")
                      .values_list("provider_id", "auth_type")],
        "activity": [{"action": a, "entityType": t, "entityId": i, "createdAt": iso_datetime(c)} for a, t, i, c in
                     ActivityLog.objects.filter(user=user).order_by("-created_at")
                     .values_list("action", "entity_type", "entity_id", "created_at")],
    }
    if preferences is not None:
        body["preferences"] = {"themeMode": preferences.theme_mode, "themePreset": preferences.theme_preset,
                               "autoRefreshInterval": preferences.auto_refresh_interval,
                               "defaultResourceTierId": preferences.default_resource_tier_id,
                               "defaultFlavorId": preferences.default_flavor_id,
                               "defaultAddonIds": preferences.default_addon_ids,
                               "defaultAgentId": preferences.default_agent_id}
    return body
