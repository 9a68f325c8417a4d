"""Support view of sandboxes, deleted ones included (a deleted sandbox keeps its row and chat history)."""

from django.contrib import admin

from .models import Sandbox


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Not deleted"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.live()
        if self.value() == "yes":
            return queryset.deleted()
        return queryset


@admin.register(Sandbox)
class SandboxAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "user", "status", "flavor_id", "resource_tier_id", "created_at", "deleted_at"]
    list_filter = [DeletedFilter, "status", "flavor_id", "resource_tier_id"]
    search_fields = ["id", "name", "slug", "user__email", "container_id"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["id", "created_at", "updated_at", "last_accessed_at", "deleted_at"]

    def get_queryset(self, request):
        # The default manager hides deleted sandboxes; the operator sees every row.
        queryset = Sandbox.all_objects.get_queryset()
        if ordering := self.get_ordering(request):
            queryset = queryset.order_by(*ordering)
        return queryset
