"""The settings app's part of a user's account (their OpenCode config, files and preferences), and the
receivers that end the kept preferences (preferences_cache.py) the moment they change in this process."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.user_data import UserDataPart

from . import preferences_cache
from .models import UserOpencodeConfig, UserOpencodeFile, UserPreferences


def _export(user) -> dict:
    config = UserOpencodeConfig.objects.filter(user=user).first()
    body = {
        "opencodeConfig": {"settings": config.settings, "agentsMd": config.agents_md} if config else None,
        "opencodeFiles": list(UserOpencodeFile.objects.filter(user=user).order_by("type", "name")
                              .values("type", "name", "extension", "content")),
    }
    preferences = UserPreferences.objects.filter(user=user).first()
    if preferences is not None:
        body["preferences"] = {"themeMode": preferences.theme_mode, "themePreset": preferences.theme_preset,
                               "autoRefreshInterval": preferences.auto_refresh_interval,
                               "defaultResourceTierId": preferences.default_resource_tier_id,
                               "defaultFlavorId": preferences.default_flavor_id,
                               "defaultAddonIds": preferences.default_addon_ids,
                               "defaultAgentId": preferences.default_agent_id}
    return body


def _delete(user, result: dict) -> None:
    # The database would cascade these with the user; the deletion result reports the preferences.
    result["preferencesDeleted"] = UserPreferences.objects.filter(user=user).delete()[0] > 0
    UserOpencodeFile.objects.filter(user=user).delete()
    UserOpencodeConfig.objects.filter(user=user).delete()


USER_DATA = UserDataPart(name="settings", order=40, export=_export, delete=_delete)


@receiver(post_save, sender=UserPreferences)
@receiver(post_delete, sender=UserPreferences)
def forget_shown_preferences(sender, instance, **kwargs):
    preferences_cache.shown.forget(instance.user_id)
