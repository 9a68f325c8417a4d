"""Onboarding sessions as the clients read them (api-contract 2.15), and the endpoints' inputs.

Nullable fields are always present (DECISIONS 22). Inputs follow the old zod schemas: strings are kept as
sent (no trimming, so `gatheredRequirements` is the body as validated), unknown keys are dropped except in
`config.settings`, which keeps them (zod's passthrough).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.schema import AnyJSONField, JSONObjectField
from core.serializers import IsoDateTimeField
from providers.api.serializers import StrictCharField

from ..models import OnboardingSession
from ..workspace import NAME_PATTERN


class OnboardingSessionSerializer(serializers.ModelSerializer):
    userId = serializers.CharField(source="user_id")  # noqa: N815
    sandboxId = serializers.CharField(source="sandbox_id", allow_null=True)  # noqa: N815
    projectType = serializers.CharField(source="project_type", allow_null=True)  # noqa: N815
    projectName = serializers.CharField(source="project_name", allow_null=True)  # noqa: N815
    projectDescription = serializers.CharField(source="project_description", allow_null=True)  # noqa: N815
    gatheredRequirements = JSONObjectField(source="gathered_requirements", allow_null=True)  # noqa: N815
    generatedConfig = JSONObjectField(source="generated_config", allow_null=True)  # noqa: N815
    selectedModel = serializers.CharField(source="selected_model", allow_null=True)  # noqa: N815
    selectedSmallModel = serializers.CharField(source="selected_small_model", allow_null=True)  # noqa: N815
    errorMessage = serializers.CharField(source="error_message", allow_null=True)  # noqa: N815
    createdAt = IsoDateTimeField(source="created_at")  # noqa: N815
    updatedAt = IsoDateTimeField(source="updated_at")  # noqa: N815
    completedAt = IsoDateTimeField(source="completed_at", allow_null=True)  # noqa: N815

    class Meta:
        model = OnboardingSession
        fields = [
            "id",
            "userId",
            "sandboxId",
            "status",
            "projectType",
            "projectName",
            "projectDescription",
            "gatheredRequirements",
            "generatedConfig",
            "selectedModel",
            "selectedSmallModel",
            "errorMessage",
            "createdAt",
            "updatedAt",
            "completedAt",
        ]


def text(**kwargs) -> serializers.CharField:
    """A JSON string kept exactly as sent (zod's `z.string()`: empty allowed, nothing trimmed, no number)."""
    return StrictCharField(trim_whitespace=False, allow_blank=True, **kwargs)


# -- queries -----------------------------------------------------------------------------------------------


class LiteralBooleanField(serializers.BooleanField):
    """A query flag that is on only when it says so (`true` or `1`); any other value is off, never a 400."""

    def to_internal_value(self, data):
        return str(data).strip().lower() in ("true", "1")


class OnboardingSessionListQuery(serializers.Serializer):
    status = serializers.CharField(required=False, help_text="Exact status; an unknown value matches nothing")


class OnboardingRecommendQuery(serializers.Serializer):
    preferLowCost = LiteralBooleanField(required=False, default=False)  # noqa: N815
    preferFast = LiteralBooleanField(required=False, default=False)  # noqa: N815
    requireLargeContext = LiteralBooleanField(  # noqa: N815
        required=False, default=False, help_text="Wins over preferLowCost, which wins over preferFast"
    )


class OnboardingApplyQuery(serializers.Serializer):
    reload = serializers.BooleanField(
        required=False, default=True, help_text="Ask OpenCode to re-read its config afterwards (default true)"
    )


# -- bodies ------------------------------------------------------------------------------------------------


class OnboardingCreateRequest(serializers.Serializer):
    sandboxId = text(required=False, help_text="One of the caller's sandboxes")  # noqa: N815


class OnboardingLinkRequest(serializers.Serializer):
    sandboxId = text(help_text="One of the caller's sandboxes, without another session")  # noqa: N815


class OnboardingRequirementsRequest(serializers.Serializer):
    projectType = text()  # noqa: N815
    projectName = text()  # noqa: N815
    projectDescription = text(required=False)  # noqa: N815
    primaryLanguage = text(required=False)  # noqa: N815
    frameworks = serializers.ListField(child=text(), required=False)
    testingFramework = text(required=False)  # noqa: N815


class OnboardingModelsRequest(serializers.Serializer):
    primaryModel = text(help_text="`provider/model`")  # noqa: N815
    smallModel = text(required=False, help_text="Left as it is when absent")  # noqa: N815


class OnboardingResetRequest(serializers.Serializer):
    preserveModels = serializers.BooleanField(  # noqa: N815
        required=False, help_text="Keep the selected models. A malformed body is ignored"
    )


class OnboardingConfigSettingsSerializer(serializers.Serializer):
    """OpenCode settings of the generated config; keys not listed here are kept as they are."""

    provider = text(required=False)
    model = text(required=False, help_text="A bare model id takes `provider`; `provider/model` stands alone")
    smallModel = text(required=False)  # noqa: N815
    autoapprove = serializers.ListField(
        child=text(), required=False, help_text="OpenCode tools allowed without asking (`edit`, `bash`...)"
    )
    customInstructions = text(required=False, help_text="Added to AGENTS.md")  # noqa: N815

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)
        extra = {key: value for key, value in data.items() if key not in self.fields}
        return {**validated, **extra}


SETTINGS_SCHEMA = {
    "type": "object",
    "properties": {
        "provider": {"type": "string"},
        "model": {"type": "string",
                  "description": "A bare model id takes `provider`; `provider/model` stands alone"},
        "smallModel": {"type": "string"},
        "autoapprove": {"type": "array", "items": {"type": "string"},
                        "description": "OpenCode tools allowed without asking (`edit`, `bash`...)"},
        "customInstructions": {"type": "string", "description": "Added to AGENTS.md"},
    },
    "additionalProperties": True,
    "description": "Other keys are kept; those OpenCode's config knows are written to opencode.json",
}


@extend_schema_field(SETTINGS_SCHEMA)
class SettingsField(serializers.Field):
    """`config.settings`: the keys above validated, any other key kept (the serializer alone cannot say
    so in the schema)."""

    def to_internal_value(self, data):
        settings = OnboardingConfigSettingsSerializer(data=data)
        if not settings.is_valid():
            raise serializers.ValidationError(settings.errors)
        return settings.validated_data


class OnboardingNamedMarkdownSerializer(serializers.Serializer):
    name = serializers.RegexField(
        NAME_PATTERN,
        help_text="Becomes the file name `<name>.md`",
        error_messages={"invalid": "Letters, digits, - and _ only (at most 64)"},
    )
    description = text()
    content = text()


class OnboardingMcpServerSerializer(serializers.Serializer):
    name = serializers.RegexField(
        NAME_PATTERN, error_messages={"invalid": "Letters, digits, - and _ only (at most 64)"}
    )
    command = StrictCharField()
    args = serializers.ListField(child=text(), required=False)
    env = serializers.DictField(child=text(), required=False)


class OnboardingGeneratedConfigSerializer(serializers.Serializer):
    settings = SettingsField()
    agentsMd = text(required=False)  # noqa: N815
    agents = OnboardingNamedMarkdownSerializer(many=True, required=False)
    commands = OnboardingNamedMarkdownSerializer(many=True, required=False)
    mcpServers = OnboardingMcpServerSerializer(many=True, required=False)  # noqa: N815

    def to_internal_value(self, data):
        # Plain dicts all the way down: the value is stored as JSON and compared as such.
        return _plain(super().to_internal_value(data))


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class OnboardingCompleteRequest(serializers.Serializer):
    config = OnboardingGeneratedConfigSerializer()


# -- responses (schema only: the views build the same dicts) ----------------------------------------------


class OnboardingSessionResponse(serializers.Serializer):
    session = OnboardingSessionSerializer()


class OnboardingSessionListResponse(serializers.Serializer):
    sessions = OnboardingSessionSerializer(many=True)


class OnboardingStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()
    inProgress = serializers.IntegerField(  # noqa: N815
        help_text="pending, started, gathering, generating or applying"
    )


class OnboardingStatsResponse(serializers.Serializer):
    stats = OnboardingStatsSerializer()


class OnboardingRecommendationSerializer(serializers.Serializer):
    primaryModelId = serializers.CharField(help_text='A bare model id; "" without credentials')  # noqa: N815
    primaryModelName = serializers.CharField()  # noqa: N815
    primaryProvider = serializers.CharField()  # noqa: N815
    smallModelId = serializers.CharField(required=False)  # noqa: N815
    smallModelName = serializers.CharField(required=False)  # noqa: N815
    smallProvider = serializers.CharField(required=False)  # noqa: N815
    reasoning = serializers.CharField()
    alternativeModelIds = serializers.ListField(child=serializers.CharField())  # noqa: N815


class OnboardingRecommendationResponse(serializers.Serializer):
    recommendation = OnboardingRecommendationSerializer()


class OnboardingSetupGuideSerializer(serializers.Serializer):
    name = serializers.CharField()
    steps = serializers.ListField(child=serializers.CharField())
    apiKeyUrl = serializers.CharField(help_text='"" for a provider without a built-in guide')  # noqa: N815
    envVar = serializers.CharField()  # noqa: N815


class OnboardingSetupGuideResponse(serializers.Serializer):
    guide = OnboardingSetupGuideSerializer()


class OnboardingApplyResponse(serializers.Serializer):
    success = serializers.BooleanField()
    filesWritten = serializers.ListField(  # noqa: N815
        child=serializers.CharField(), help_text="Absolute paths in the container, in writing order"
    )
    reloaded = serializers.BooleanField(
        help_text="Whether OpenCode re-read its config now (else at its next start)"
    )
    session = OnboardingSessionSerializer()


class OnboardingApplyErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    filesWritten = serializers.ListField(child=serializers.CharField(), help_text="Always empty")  # noqa: N815


class OnboardingAppliedConfigSerializer(serializers.Serializer):
    opencodeJson = AnyJSONField(
        allow_null=True,
        help_text="opencode.json, parsed; null when missing or "  # noqa: N815
        "not JSON",
    )
    agentsMd = serializers.CharField(allow_null=True)  # noqa: N815
    agents = serializers.DictField(child=serializers.CharField(), help_text="`<name>.md` → content")
    commands = serializers.DictField(child=serializers.CharField(), help_text="`<name>.md` → content")


class OnboardingAppliedConfigResponse(serializers.Serializer):
    config = OnboardingAppliedConfigSerializer(
        allow_null=True, help_text="null when the workspace has none of the files"
    )
    session = OnboardingSessionSerializer()


class OnboardingValidateResponse(serializers.Serializer):
    valid = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.CharField())


class OnboardingDeletedResponse(serializers.Serializer):
    success = serializers.BooleanField()
