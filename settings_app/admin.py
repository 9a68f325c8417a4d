"""Support views of settings, users' OpenCode configuration and preferences."""

from django.contrib import admin

from core.models import Setting

from .models import UserOpencodeConfig, UserOpencodeFile, UserPreferences


@admin.register(Setting)
class SettingAdmin(admin.ModelAdmin):
    list_display = ["key", "value", "updated_at"]
    search_fields = ["key"]


@admin.register(UserOpencodeConfig)
class UserOpencodeConfigAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "updated_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(UserOpencodeFile)
class UserOpencodeFileAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "type", "name", "extension", "updated_at"]
    list_filter = ["type", "extension"]
    search_fields = ["user__email", "name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(UserPreferences)
class UserPreferencesAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "theme_mode", "settings_version", "updated_at"]
    list_filter = ["theme_mode"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
