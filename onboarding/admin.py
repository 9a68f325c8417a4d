"""Support view of onboarding sessions."""

from django.contrib import admin

from .models import OnboardingSession


@admin.register(OnboardingSession)
class OnboardingSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "sandbox", "status", "project_name", "created_at"]
    list_filter = ["status"]
    search_fields = ["id", "user__email", "project_name"]
    list_select_related = ["user", "sandbox"]
    raw_id_fields = ["user", "sandbox"]
    readonly_fields = ["id", "created_at", "updated_at", "completed_at"]
