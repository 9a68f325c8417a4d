"""Writes of users' OpenCode configuration and preferences.

Every config change is announced (`core.signals.opencode_config_changed`): sandboxes pushes it into the
user's running sandboxes, fire-and-forget.
"""

from django.db import transaction

from core.activity import activity_report
from core.signals import announce_opencode_config_changed

from .models import OpencodeFileType, UserOpencodeConfig, UserOpencodeFile, UserPreferences

INITIAL_SETTINGS = {"$schema": "https://opencode.ai/config.json"}
DEFAULT_EXTENSIONS = {OpencodeFileType.AGENT: "md", OpencodeFileType.COMMAND: "md",
                      OpencodeFileType.TOOL: "ts", OpencodeFileType.PLUGIN: "ts"}


# -- OpenCode config --------------------------------------------------------------------------------

def opencode_settings_update(*, user, settings: dict | list) -> UserOpencodeConfig:
    config, _ = UserOpencodeConfig.objects.update_or_create(user=user, defaults={"settings": settings})
    announce_opencode_config_changed(user_id=user.pk)
    return config


def opencode_agents_md_update(*, user, content: str) -> UserOpencodeConfig:
    config, _ = UserOpencodeConfig.objects.update_or_create(user=user, defaults={"agents_md": content})
    announce_opencode_config_changed(user_id=user.pk)
    return config


def opencode_config_init(*, user) -> UserOpencodeConfig:
    """Idempotent: the existing config, or a new one with OpenCode's schema reference."""
    config, _ = UserOpencodeConfig.objects.get_or_create(user=user, defaults={"settings": INITIAL_SETTINGS})
    return config


def opencode_file_put(*, user, file_type: str, name: str, content: str, extension: str | None) -> UserOpencodeFile:
    """Create or replace a file; a missing or unknown extension becomes the type's default."""
    if extension not in ("md", "ts", "js"):
        extension = DEFAULT_EXTENSIONS[file_type]
    file, _ = UserOpencodeFile.objects.update_or_create(
        user=user, type=file_type, name=name, defaults={"content": content, "extension": extension})
    announce_opencode_config_changed(user_id=user.pk)
    return file


def opencode_file_delete(*, file: UserOpencodeFile) -> None:
    user = file.user
    file.delete()
    announce_opencode_config_changed(user_id=user.pk)


# -- preferences ------------------------------------------------------------------------------------

PREFERENCE_FIELDS = ["theme_mode", "theme_preset", "auto_refresh_interval", "in_app_notifications",
                     "system_notifications", "default_resource_tier_id", "default_flavor_id", "default_addon_ids",
                     "default_agent_id"]


def preferences_get_or_create(*, user) -> UserPreferences:
    preferences, _ = UserPreferences.objects.get_or_create(user=user)
    return preferences


def preferences_update(*, user, changes: dict, request=None) -> UserPreferences:
    """Apply the given fields. The version goes up by exactly one whenever a known field is given, even
    with the value already stored (contract 2.4): clients count updates by it."""
    with transaction.atomic():
        preferences_get_or_create(user=user)
        preferences = UserPreferences.objects.select_for_update().get(user=user)
        given = [field for field in PREFERENCE_FIELDS if field in changes]
        if given:
            for field in given:
                setattr(preferences, field, changes[field])
            preferences.settings_version = (preferences.settings_version or 0) + 1
            preferences.save()
    if changes:
        activity_report(action="preferences.update", user=user, entity_type="user", request=request)
    return preferences


def preferences_reset(*, user) -> UserPreferences:
    with transaction.atomic():
        UserPreferences.objects.filter(user=user).delete()
        return UserPreferences.objects.create(user=user)
