"""Support view of chat sessions and their messages."""

from django.contrib import admin

from sandboxes.models import Sandbox

from .models import ChatMessage, ChatSession, ChatSyncState


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "sandbox", "user", "source", "status", "message_count", "last_message_at"]
    list_filter = ["source", "status"]
    search_fields = ["id", "title", "sandbox__id", "user__email", "opencode_session_id"]
    list_select_related = ["sandbox", "user"]
    raw_id_fields = ["sandbox", "user"]
    readonly_fields = ["id", "created_at", "updated_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A deleted sandbox's archived sessions stay editable: the default manager would refuse their sandbox.
        if db_field.name == "sandbox":
            kwargs["queryset"] = Sandbox.all_objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "session", "role", "status", "model_id", "created_at"]
    list_filter = ["role", "status"]
    search_fields = ["id", "session__id", "external_message_id"]
    list_select_related = ["session"]
    raw_id_fields = ["session"]
    readonly_fields = ["id", "created_at"]
    show_full_result_count = False  # counting millions of messages on every page is not worth it


@admin.register(ChatSyncState)
class ChatSyncStateAdmin(admin.ModelAdmin):
    """What the `sync_chats` workers report; written by them only."""

    list_display = ["sandbox", "active", "worker", "last_sync_at", "reconnect_attempts", "heartbeat_at"]
    list_filter = ["active"]
    search_fields = ["sandbox__id", "worker"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
