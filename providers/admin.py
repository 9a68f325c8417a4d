"""Support views of provider credentials. Secrets are never displayed, only whether one is stored."""

from django.contrib import admin

from .models import LegacyProvider, OAuthState, ProviderCredential


class SecretPresenceMixin:
    @admin.display(boolean=True, description="API key stored")
    def has_api_key(self, obj):
        return obj.api_key is not None

    @admin.display(boolean=True, description="Access token stored")
    def has_access_token(self, obj):
        return obj.access_token is not None


@admin.register(ProviderCredential)
class ProviderCredentialAdmin(SecretPresenceMixin, admin.ModelAdmin):
    list_display = ["id", "user", "provider_id", "auth_type", "has_api_key", "has_access_token", "updated_at"]
    list_filter = ["auth_type", "provider_id"]
    search_fields = ["user__email", "provider_id"]
    list_select_related = ["user"]
    fields = ["id", "user", "provider_id", "auth_type", "has_api_key", "has_access_token", "token_expires_at",
              "oauth_provider", "oauth_scopes", "created_at", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(OAuthState)
class OAuthStateAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "provider_id", "status", "expires_at", "created_at"]
    list_filter = ["status", "provider_id"]
    search_fields = ["id", "user__email"]
    list_select_related = ["user"]
    fields = ["id", "user", "provider_id", "user_code", "verification_uri", "interval_seconds", "expires_at",
              "status", "error_message", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(LegacyProvider)
class LegacyProviderAdmin(SecretPresenceMixin, admin.ModelAdmin):
    list_display = ["id", "name", "type", "is_configured", "is_default", "has_api_key"]
    fields = ["id", "name", "type", "is_configured", "is_default", "has_api_key", "has_access_token",
              "token_expires_at", "created_at", "updated_at"]
    readonly_fields = ["has_api_key", "has_access_token", "created_at", "updated_at"]
