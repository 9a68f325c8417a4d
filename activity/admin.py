"""The activity log in the admin: read-only, it is an audit trail."""

from django.contrib import admin

from .models import ActivityLog, ActivityLogArchive


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "user", "entity_type", "entity_id", "ip_address", "anonymized"]
    list_filter = ["action", "entity_type", "anonymized"]
    search_fields = ["action", "entity_id", "user__email"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(ActivityLogArchive)
class ActivityLogArchiveAdmin(ReadOnlyAdmin):
    list_display = ["original_created_at", "action", "entity_type", "archived_at"]
    list_filter = ["action", "entity_type"]
    search_fields = ["action"]
    show_full_result_count = False
