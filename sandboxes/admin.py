"""Support view of sandboxes."""

from django.contrib import admin

from .models import Sandbox


@admin.register(Sandbox)
class SandboxAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "user", "status", "flavor_id", "resource_tier_id", "created_at"]
    list_filter = ["status", "flavor_id", "resource_tier_id"]
    search_fields = ["id", "name", "slug", "user__email", "container_id"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["id", "created_at", "updated_at", "last_accessed_at"]
