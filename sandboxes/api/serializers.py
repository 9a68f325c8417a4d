"""The Sandbox object and the inputs of `/api/v2/sandboxes` (api-contract 2.11; nulls present)."""

from datetime import datetime, timezone

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.schema import JSONObjectField, envelope
from core.serializers import IsoDateTimeField
from repos.api import serializers as repo_serializers

from ..models import Sandbox, SandboxStatus


class SandboxUrlsSerializer(serializers.Serializer):
    """The sandbox's service URLs; a key is absent when the service has no URL (may be `{}`)."""

    opencode = serializers.CharField(required=False)
    codeServer = serializers.CharField(required=False)  # noqa: N815
    vnc = serializers.CharField(required=False)
    acpGateway = serializers.CharField(required=False)  # noqa: N815


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

    @extend_schema_field(SandboxUrlsSerializer)
    def get_urls(self, sandbox) -> dict:
        urls = {"opencode": sandbox.opencode_url, "codeServer": sandbox.code_server_url, "vnc": sandbox.vnc_url,
                "acpGateway": sandbox.acp_gateway_url}
        return {key: value for key, value in urls.items() if value}


class ContainerHealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["healthy", "unhealthy", "starting", "none"])
    failingStreak = serializers.IntegerField()  # noqa: N815
    lastCheck = serializers.CharField(required=False)  # noqa: N815


class SandboxDetailSerializer(SandboxSerializer):
    """OpenAPI only: the Sandbox object as `sandbox_body` gives it with the engine's view of the container."""

    image = serializers.CharField(required=False, help_text="Present when the engine knows the container")
    labels = serializers.DictField(child=serializers.CharField(), required=False)
    startedAt = serializers.CharField(required=False, allow_null=True)  # noqa: N815
    health = ContainerHealthSerializer(required=False, allow_null=True)

    class Meta(SandboxSerializer.Meta):
        fields = [*SandboxSerializer.Meta.fields, "image", "labels", "startedAt", "health"]


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


# The last millisecond a Python datetime can hold (9999-12-31T23:59:59.999Z): a later `since` cannot be
# turned into the engine's timestamp.
MAX_EPOCH_MS = 253402300799999


class LogsQuery(serializers.Serializer):
    tail = serializers.IntegerField(min_value=1, max_value=10000, default=100)
    since = serializers.IntegerField(min_value=0, max_value=MAX_EPOCH_MS, required=False,
                                     help_text="epoch milliseconds")
    timestamps = serializers.BooleanField(default=False)

    def validate_since(self, value: int) -> datetime:
        return datetime.fromtimestamp(value / 1000, timezone.utc)


class ExecInput(serializers.Serializer):
    command = serializers.ListField(child=serializers.CharField(allow_blank=True), min_length=1)
    workingDir = serializers.CharField(required=False)  # noqa: N815
    env = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    user = serializers.CharField(required=False)


class DeleteQuery(serializers.Serializer):
    removeVolumes = serializers.BooleanField(default=False)  # noqa: N815
    deleteRepo = serializers.BooleanField(  # noqa: N815
        default=True, help_text="false keeps the sandbox's repository")


class GitCommitInput(repo_serializers.CommitInput):
    """`{message: 1-500, author?: {name, email}}`; the author defaults to AgentPod User."""


class GitLogQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=10)


# -- response bodies (OpenAPI only: the views build the same dicts) -----------------------------------------

@envelope
class SandboxListResponse(serializers.Serializer):
    sandboxes = SandboxSerializer(many=True, help_text="Newest first")
    count = serializers.IntegerField()


class SandboxCreateResponse(serializers.Serializer):
    sandbox = SandboxSerializer()
    repository = repo_serializers.RepositorySerializer(help_text="The sandbox's repository, its workspace")


class SandboxDetailResponse(serializers.Serializer):
    sandbox = SandboxDetailSerializer()
    repository = repo_serializers.RepositorySerializer(
        allow_null=True, help_text="The sandbox's repository; null when it has none (deleted)")
    config = JSONObjectField(
        allow_null=True,
        help_text="The repository's agentpod.toml parsed, or (without one) a config detected from its files: "
                  '{"detected": true, "project": {name}, "environment": {base, language, languages, '
                  'packageManager}, "lifecycle": {setup?, dev?, build?, test?}}. null without a repository '
                  "or when agentpod.toml is not valid TOML")


class GitCommitResponse(serializers.Serializer):
    sha = serializers.CharField()
    message = serializers.CharField(help_text='"Changes committed"')


class GitStatusResponse(repo_serializers.StatusResponse):
    pass


class GitLogResponse(repo_serializers.LogResponse):
    pass


class SandboxActionResponse(serializers.Serializer):
    sandbox = SandboxSerializer()
    message = serializers.CharField()


class SandboxDeleteResponse(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


class ContainerStatusResponse(serializers.Serializer):
    status = serializers.ChoiceField(choices=["creating", "running", "stopped", "paused", "restarting", "removing",
                                              "exited", "dead", "error", "unknown"],
                                     help_text="The container's state; `unknown` when the engine is down or the "
                                               "container is missing")


class LogsResponse(serializers.Serializer):
    logs = serializers.CharField()
    tail = serializers.IntegerField()


class SandboxStatsSerializer(serializers.Serializer):
    cpuPercent = serializers.FloatField()  # noqa: N815
    memoryUsage = serializers.IntegerField()  # noqa: N815
    memoryLimit = serializers.IntegerField()  # noqa: N815
    memoryPercent = serializers.FloatField()  # noqa: N815
    networkRx = serializers.IntegerField()  # noqa: N815
    networkTx = serializers.IntegerField()  # noqa: N815
    blockRead = serializers.IntegerField()  # noqa: N815
    blockWrite = serializers.IntegerField()  # noqa: N815


class StatsResponse(serializers.Serializer):
    stats = SandboxStatsSerializer()


class ExecResponse(serializers.Serializer):
    exitCode = serializers.IntegerField()  # noqa: N815
    stdout = serializers.CharField()
    stderr = serializers.CharField()


class DockerContainerCountsSerializer(serializers.Serializer):
    running = serializers.IntegerField()
    stopped = serializers.IntegerField()


class DockerInfoSerializer(serializers.Serializer):
    version = serializers.CharField()
    apiVersion = serializers.CharField()  # noqa: N815
    os = serializers.CharField()
    arch = serializers.CharField()
    containers = DockerContainerCountsSerializer()
    images = serializers.IntegerField()


class DockerHealthyResponse(serializers.Serializer):
    status = serializers.ChoiceField(choices=["healthy"])
    docker = DockerInfoSerializer()


class DockerUnhealthyResponse(serializers.Serializer):
    status = serializers.ChoiceField(choices=["unhealthy"])
    message = serializers.CharField()
