"""Shapes of `/api/users/{userId}/opencode/*` and `/api/users/me/preferences` (api-contract 2.3, 2.4)."""

from rest_framework import serializers

from core.serializers import IsoDateTimeField

from ..models import ThemeMode, UserOpencodeFile


class OpencodeFileSerializer(serializers.ModelSerializer):
    createdAt = IsoDateTimeField(source="created_at")  # noqa: N815
    updatedAt = IsoDateTimeField(source="updated_at")  # noqa: N815

    class Meta:
        model = UserOpencodeFile
        fields = ["type", "name", "extension", "content", "createdAt", "updatedAt"]


class OpencodeFileContentSerializer(serializers.ModelSerializer):
    class Meta:
        model = UserOpencodeFile
        fields = ["type", "name", "extension", "content"]


class SettingsInput(serializers.Serializer):
    settings = serializers.JSONField()

    def validate_settings(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Invalid settings object: expected a JSON object")
        return value


class ContentInput(serializers.Serializer):
    content = serializers.CharField(allow_blank=True, trim_whitespace=False)


class FileInput(ContentInput):
    extension = serializers.CharField(required=False, allow_null=True)


class FilesQuery(serializers.Serializer):
    type = serializers.ChoiceField(choices=["agent", "command", "tool", "plugin"], required=False)


class PreferencesSerializer(serializers.Serializer):
    """Output only. Every field declared (no ModelSerializer): every signed-in client reads this often, and
    a model serializer introspects the model again on each use."""

    id = serializers.CharField()
    userId = serializers.CharField(source="user_id")  # noqa: N815
    themeMode = serializers.CharField(source="theme_mode")  # noqa: N815
    themePreset = serializers.CharField(source="theme_preset")  # noqa: N815
    autoRefreshInterval = serializers.IntegerField(source="auto_refresh_interval")  # noqa: N815
    inAppNotifications = serializers.BooleanField(source="in_app_notifications")  # noqa: N815
    systemNotifications = serializers.BooleanField(source="system_notifications")  # noqa: N815
    defaultResourceTierId = serializers.CharField(source="default_resource_tier_id")  # noqa: N815
    defaultFlavorId = serializers.CharField(source="default_flavor_id")  # noqa: N815
    defaultAddonIds = serializers.ListField(source="default_addon_ids", child=serializers.CharField())  # noqa: N815
    defaultAgentId = serializers.CharField(source="default_agent_id")  # noqa: N815
    settingsVersion = serializers.IntegerField(source="settings_version")  # noqa: N815
    createdAt = IsoDateTimeField(source="created_at")  # noqa: N815
    updatedAt = IsoDateTimeField(source="updated_at")  # noqa: N815


class PreferencesInput(serializers.Serializer):
    """Every field optional; unknown keys ignored. `autoRefreshInterval` is a whole number of seconds."""

    themeMode = serializers.ChoiceField(source="theme_mode", choices=ThemeMode.values, required=False)  # noqa: N815
    themePreset = serializers.CharField(source="theme_preset", required=False)  # noqa: N815
    autoRefreshInterval = serializers.IntegerField(source="auto_refresh_interval", min_value=5,  # noqa: N815
                                                   max_value=300, required=False)
    inAppNotifications = serializers.BooleanField(source="in_app_notifications", required=False)  # noqa: N815
    systemNotifications = serializers.BooleanField(source="system_notifications", required=False)  # noqa: N815
    defaultResourceTierId = serializers.CharField(source="default_resource_tier_id", required=False)  # noqa: N815
    defaultFlavorId = serializers.CharField(source="default_flavor_id", required=False)  # noqa: N815
    defaultAddonIds = serializers.ListField(source="default_addon_ids", child=serializers.CharField(),  # noqa: N815
                                            required=False)
    defaultAgentId = serializers.CharField(source="default_agent_id", required=False)  # noqa: N815


class SyncQuery(serializers.Serializer):
    localVersion = serializers.IntegerField(min_value=0)  # noqa: N815

