"""Support views of users and their sign-in records. Tokens, hashes and secrets are never shown."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import Account, Session, User, Verification


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ["email", "name", "email_verified", "is_staff", "is_active", "created_at"]
    list_filter = ["is_staff", "is_superuser", "is_active", "email_verified"]
    search_fields = ["email", "name", "id"]
    ordering = ["email"]
    readonly_fields = ["id", "created_at", "updated_at", "last_login"]
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        ("Profile", {"fields": ["name", "image", "email_verified"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    """Sessions can be revoked (deleted) by support; the bearer token itself is never displayed."""

    list_display = ["id", "user", "expires_at", "ip_address", "user_agent", "created_at"]
    search_fields = ["id", "user__email", "ip_address"]
    list_select_related = ["user"]
    exclude = ["token"]
    readonly_fields = ["id", "user", "expires_at", "ip_address", "user_agent", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "provider_id", "account_id", "created_at"]
    list_filter = ["provider_id"]
    search_fields = ["id", "user__email", "account_id"]
    list_select_related = ["user"]
    fields = ["id", "user", "provider_id", "account_id", "scope", "access_token_expires_at",
              "refresh_token_expires_at", "created_at", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(Verification)
class VerificationAdmin(admin.ModelAdmin):
    list_display = ["id", "identifier", "expires_at", "created_at"]
    search_fields = ["identifier"]
    fields = ["id", "identifier", "expires_at", "created_at", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
