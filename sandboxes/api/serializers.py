"""The Sandbox object and the inputs of `/api/v2/sandboxes` (api-contract 2.11; nulls present)."""

from rest_framework import serializers

from core.serializers import IsoDateTimeField

from ..models import Sandbox


class SandboxSerializer(serializers.ModelSerializer):
    userId = serializers.CharField(source="user_id")  # noqa: N815
    repoName = serializers.CharField(source="repo_name")  # noqa: N815
    githubUrl = serializers.CharField(source="github_url", allow_null=True)  # noqa: N815
    resourceTierId = serializers.CharField(source="resource_tier_id", allow_null=True)  # noqa: N815
    flavorId = serializers.CharField(source="flavor_id", allow_null=True)  # noqa: N815
    addonIds = serializers.ListField(source="addon_ids", child=serializers.CharField())  # noqa: N815
    containerId = serializers.CharField(source="container_id", allow_null=True)  # noqa: N815
    containerName = serializers.CharField(source="container_name", allow_null=True)  # noqa: N815
    errorMessage = serializers.CharField(source="error_message", allow_null=True)  # noqa: N815
    opencodeUrl = serializers.CharField(source="opencode_url", allow_null=True)  # noqa: N815
    acpGatewayUrl = serializers.CharField(source="acp_gateway_url", allow_null=True)  # noqa: N815
    vncUrl = serializers.CharField(source="vnc_url", allow_null=True)  # noqa: N815
    codeServerUrl = serializers.CharField(source="code_server_url", allow_null=True)  # noqa: N815
    urls = serializers.SerializerMethodField()
    createdAt = IsoDateTimeField(source="created_at")  # noqa: N815
    updatedAt = IsoDateTimeField(source="updated_at")  # noqa: N815
    lastAccessedAt = IsoDateTimeField(source="last_accessed_at", allow_null=True)  # noqa: N815

    class Meta:
        model = Sandbox
        fields = ["id", "userId", "name", "slug", "description", "repoName", "githubUrl", "resourceTierId",
                  "flavorId", "addonIds", "containerId", "containerName", "status", "errorMessage", "opencodeUrl",
                  "acpGatewayUrl", "vncUrl", "codeServerUrl", "urls", "createdAt", "updatedAt", "lastAccessedAt"]

    def get_urls(self, sandbox) -> dict:
        urls = {"opencode": sandbox.opencode_url, "codeServer": sandbox.code_server_url, "vnc": sandbox.vnc_url,
                "acpGateway": sandbox.acp_gateway_url}
        return {key: value for key, value in urls.items() if value}


def sandbox_body(sandbox, container=None) -> dict:
    """The Sandbox object, with the engine's view (image, labels, startedAt, health) when it has one."""
    body = SandboxSerializer(sandbox).data
    if container is not None:
        body.update(image=container.image, labels=container.labels, startedAt=container.started_at,
                    health=container.health)
    return body


class SandboxListQuery(serializers.Serializer):
    status = serializers.CharField(required=False)

    def validate_status(self, value):
        from ..models import SandboxStatus

        statuses = [part.strip() for part in value.split(",") if part.strip()]
        unknown = [status for status in statuses if status not in SandboxStatus.values]
        if unknown:
            raise serializers.ValidationError(f"unknown status {', '.join(unknown)}")
        return statuses


class SandboxCreateInput(serializers.Serializer):
    name = serializers.CharField(min_length=1, max_length=100)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, allow_null=True)
    githubUrl = serializers.URLField(required=False, allow_null=True)  # noqa: N815
    userId = serializers.CharField(required=False)  # noqa: N815
    flavor = serializers.CharField(required=False)
    resourceTier = serializers.CharField(required=False)  # noqa: N815
    addons = serializers.ListField(child=serializers.CharField(), required=False)
    autoStart = serializers.BooleanField(default=False)  # noqa: N815


class StopQuery(serializers.Serializer):
    timeout = serializers.IntegerField(min_value=0, max_value=300, required=False)


class LogsQuery(serializers.Serializer):
    tail = serializers.IntegerField(min_value=1, max_value=10000, default=100)
    since = serializers.IntegerField(min_value=0, required=False, help_text="epoch milliseconds")
    timestamps = serializers.BooleanField(default=False)


class ExecInput(serializers.Serializer):
    command = serializers.ListField(child=serializers.CharField(allow_blank=True), min_length=1)
    workingDir = serializers.CharField(required=False)  # noqa: N815
    env = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    user = serializers.CharField(required=False)


class DeleteQuery(serializers.Serializer):
    removeVolumes = serializers.BooleanField(default=False)  # noqa: N815
