"""Operators manage the reference data here: what they save is what the API serves.

Rules the database enforces (one default, no negative price) are checked by the forms first, so a
bad edit is an error message on the page, never a 500.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import ContainerAddon, ContainerFlavor, ContainerTier, ResourceTier


class SingleDefaultForm(forms.ModelForm):
    """Refuses to clear the only default; switching goes through the "Make default" action."""

    def clean_is_default(self):
        is_default = self.cleaned_data["is_default"]
        if self.instance.pk and self.initial.get("is_default") and not is_default:
            raise forms.ValidationError(
                _("There must be one default. Make another row the default instead "
                  "(select it and use the “Make default” action)."))
        return is_default


class SingleDefaultAdmin(admin.ModelAdmin):
    form = SingleDefaultForm
    actions = ["make_default"]

    @admin.action(description=_("Make default"))
    def make_default(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one row to make it the default."), messages.ERROR)
            return
        row = queryset.get()
        self.model.objects.set_default(row.pk)
        self.message_user(request, _("“%s” is now the default.") % row, messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        if queryset.filter(is_default=True).exists():
            self.message_user(request, _("The default cannot be deleted; make another row the default first."),
                              messages.ERROR)
            return
        super().delete_queryset(request, queryset)


@admin.register(ResourceTier)
class ResourceTierAdmin(SingleDefaultAdmin):
    list_display = ["id", "name", "cpu_cores", "memory_gb", "storage_gb", "price_monthly", "is_default",
                    "sort_order"]
    list_editable = ["cpu_cores", "memory_gb", "storage_gb", "price_monthly", "sort_order"]
    list_display_links = ["id", "name"]
    search_fields = ["id", "name", "description"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["sort_order", "id"]


class ContainerFlavorForm(SingleDefaultForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_default") and cleaned.get("enabled") is False:
            raise forms.ValidationError(_("The default flavor cannot be disabled."))
        return cleaned


@admin.register(ContainerFlavor)
class ContainerFlavorAdmin(SingleDefaultAdmin):
    form = ContainerFlavorForm
    list_display = ["id", "name", "languages", "image_size_mb", "enabled", "is_default", "sort_order"]
    list_editable = ["enabled", "sort_order"]
    list_display_links = ["id", "name"]
    list_filter = ["enabled", "is_default"]
    search_fields = ["id", "name", "description"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["sort_order", "id"]


@admin.register(ContainerAddon)
class ContainerAddonAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "category", "port", "requires_gpu", "price_monthly", "sort_order"]
    list_editable = ["price_monthly", "sort_order"]
    list_display_links = ["id", "name"]
    list_filter = ["category", "requires_gpu"]
    search_fields = ["id", "name", "description", "category"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["sort_order", "id"]


@admin.register(ContainerTier)
class ContainerTierAdmin(admin.ModelAdmin):
    """Legacy tiers: kept for the record, superseded by resource tiers."""

    list_display = ["id", "name", "image_type", "cpu_limit", "memory_limit", "storage_gb", "is_default"]
    search_fields = ["id", "name"]
    readonly_fields = ["created_at", "updated_at"]
