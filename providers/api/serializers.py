"""`/api/providers` bodies (api-contract 2.7): camelCase, nullable keys present as null (DECISIONS 22).

Output serializers double as the OpenAPI description, so the schema is what the views send.
No serializer here has a field for a secret: keys and tokens go in, never out (DECISIONS 6).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import IsoDateTimeField, SuccessSerializer

from ..models import AuthType, OAuthStatus

# -- input -------------------------------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    """A JSON string and nothing else (DRF's CharField would turn `123` into `"123"`, zod did not)."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ProviderListQuery(serializers.Serializer):
    popularOnly = serializers.BooleanField(default=True)  # noqa: N815


API_KEY_REQUIRED = "API key is required"


class ConfigureInput(serializers.Serializer):
    apiKey = StrictCharField(max_length=4096, error_messages={  # noqa: N815
        "required": API_KEY_REQUIRED, "blank": API_KEY_REQUIRED, "null": API_KEY_REQUIRED})


class OAuthPollInput(serializers.Serializer):
    stateId = StrictCharField(max_length=200)  # noqa: N815


# -- output ------------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.ReadOnlyField):
    """A JSON number as given (3, 1.25), never coerced to float (3.0) or to a string."""


class PricingSerializer(serializers.Serializer):
    input = NumberField(source="input_price")
    output = NumberField(source="output_price")


class CapabilitiesSerializer(serializers.Serializer):
    image = serializers.BooleanField()
    video = serializers.BooleanField()
    tools = serializers.BooleanField()
    streaming = serializers.BooleanField()


class ProviderModelSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    context = NumberField()
    maxOutput = NumberField(source="max_output")  # noqa: N815
    pricing = PricingSerializer(source="*")
    capabilities = CapabilitiesSerializer(source="*")


class ProviderSummarySerializer(serializers.Serializer):
    """The provider without its models, as `GET /api/providers/default` shows it."""

    id = serializers.CharField()
    name = serializers.CharField()
    authType = serializers.ChoiceField(source="auth_type", choices=AuthType.choices)  # noqa: N815
    isConfigured = serializers.BooleanField(source="is_configured")  # noqa: N815
    isDefault = serializers.BooleanField(source="is_default")  # noqa: N815
    logoUrl = serializers.CharField(source="logo_url")  # noqa: N815


class ProviderSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    authType = serializers.ChoiceField(source="auth_type", choices=AuthType.choices)  # noqa: N815
    apiKeyEnvVar = serializers.CharField(source="api_key_env_var", allow_null=True)  # noqa: N815
    isConfigured = serializers.BooleanField(source="is_configured")  # noqa: N815
    isDefault = serializers.BooleanField(source="is_default")  # noqa: N815
    logoUrl = serializers.CharField(source="logo_url")  # noqa: N815
    models = ProviderModelSerializer(many=True)


class ProviderListResponse(serializers.Serializer):
    providers = ProviderSerializer(many=True)
    totalCount = serializers.IntegerField(  # noqa: N815
        allow_null=True, help_text="Number of providers listed; null when popularOnly is true.")
    popularCount = serializers.IntegerField()  # noqa: N815


class ConfiguredListResponse(serializers.Serializer):
    providers = ProviderSerializer(many=True)


class ProviderDetailResponse(serializers.Serializer):
    provider = ProviderSerializer()


class DefaultProviderResponse(serializers.Serializer):
    provider = ProviderSummarySerializer(allow_null=True)
    message = serializers.CharField(allow_null=True,
                                    help_text="Why there is no default provider; null when there is one.")


class ConfiguredProviderSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    isConfigured = serializers.BooleanField(default=True)  # noqa: N815


class ConfigureResponse(SuccessSerializer):
    provider = ConfiguredProviderSerializer()


class RefreshCacheResponse(SuccessSerializer):
    providerCount = serializers.IntegerField()  # noqa: N815


class OAuthInitResponse(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    stateId = serializers.CharField(source="pk")  # noqa: N815
    userCode = serializers.CharField(source="user_code")  # noqa: N815
    verificationUri = serializers.CharField(source="verification_uri")  # noqa: N815
    expiresAt = IsoDateTimeField(source="expires_at")  # noqa: N815
    interval = serializers.IntegerField(source="interval_seconds")


class OAuthStatusResponse(serializers.Serializer):
    status = serializers.ChoiceField(choices=OAuthStatus.choices)
    error = serializers.CharField(allow_null=True)


class OAuthPollResponse(OAuthStatusResponse):
    isConfigured = serializers.BooleanField(source="is_configured")  # noqa: N815
