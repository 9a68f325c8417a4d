"""`/api/v2/sandboxes` and `/api/v2/health/docker` (api-contract 2.11, with DECISIONS 1, 2, 12, 17).

Every call reaches only the caller's sandboxes; every engine call goes through the orchestrator, whose
errors (503 engine unavailable, 404 container missing, ...) the project's exception handler renders.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from core.api.errors import Forbidden
from core.api.schema import error_responses
from core.api.views import OwnerScopedMixin
from core.serializers import parse_query, success

from .. import selectors, services, workspace
from ..models import Sandbox
from ..orchestrator import EngineError, get_orchestrator
from ..specs import container_ref
from . import serializers as s

ACTION_MESSAGES = {"start": "Sandbox started", "stop": "Sandbox stopped", "restart": "Sandbox restarted",
                   "pause": "Sandbox paused", "unpause": "Sandbox unpaused"}


ID = OpenApiParameter("id", str, OpenApiParameter.PATH, description="The sandbox id")
NOT_FOUND = "Sandbox not found (or not the caller's), or its container is missing"
ENGINE = "The container engine is unavailable"
REPO_NOT_FOUND = "Sandbox not found (or not the caller's), or it has no repository (Repository not found)"


def sandbox_errors(*statuses, **descriptions):
    """The errors of an endpoint on one sandbox: the caller's (401, 403), the sandbox's (404), and more."""
    return error_responses(401, 403, 404, *statuses, **{"e404": NOT_FOUND, "e503": ENGINE,
                                                        "e409": "The container's state does not allow it",
                                                        **descriptions})


def lifecycle_schema(verb: str, *parameters):
    return extend_schema(summary=f"{verb} the sandbox's container", parameters=[ID, *parameters], request=None,
                         responses={200: s.SandboxActionResponse, **sandbox_errors(409, 500, 503)})


@extend_schema_view(
    list=extend_schema(summary="The caller's sandboxes", operation_id="sandboxes_list",
                       parameters=[s.SandboxListQuery],
                       responses={200: s.SandboxListResponse, **error_responses(400, 401, 403)}),
    create=extend_schema(summary="Create a sandbox, its repository and container (started when autoStart)",
                         request=s.SandboxCreateInput,
                         responses={201: s.SandboxCreateResponse,
                                    **error_responses(400, 401, 403, 409, 413, 500, 502, 503, 504,
                                                      e400="Invalid body, a flavor, tier or addon that does "
                                                      "not resolve, or a githubUrl that cannot be cloned",
                                                      e403="userId names another user",
                                                      e409="A sandbox with this name is being created",
                                                      e413="The repository at githubUrl is too large",
                                                      e502="The repository at githubUrl could not be read",
                                                      e504="The clone of githubUrl took too long",
                                                      e500="The engine failed to create the container",
                                                      e503=ENGINE)}),
    retrieve=extend_schema(summary="A sandbox, refreshed from the engine", parameters=[ID],
                           responses={200: s.SandboxDetailResponse, **sandbox_errors(503)}),
    destroy=extend_schema(summary="Delete a sandbox and its container (its chat history is kept, archived)",
                          parameters=[ID, s.DeleteQuery],
                          responses={200: s.SandboxDeleteResponse, **sandbox_errors(400, 503)}),
    start=lifecycle_schema("Start"),
    stop=lifecycle_schema("Stop", s.StopQuery),
    restart=lifecycle_schema("Restart", s.StopQuery),
    pause=lifecycle_schema("Pause"),
    unpause=lifecycle_schema("Unpause"),
    container_status=extend_schema(summary="The container's state in the engine", parameters=[ID],
                                   responses={200: s.ContainerStatusResponse, **sandbox_errors()}),
    logs=extend_schema(summary="The container's recent logs", parameters=[ID, s.LogsQuery],
                       responses={200: s.LogsResponse, **sandbox_errors(400, 503)}),
    stats=extend_schema(summary="The container's resource usage", parameters=[ID],
                        responses={200: s.StatsResponse, **sandbox_errors(409, 503)}),
    exec=extend_schema(summary="Run a command in the container", parameters=[ID], request=s.ExecInput,
                       responses={200: s.ExecResponse, **sandbox_errors(400, 409, 503)}),
    git_commit=extend_schema(summary="Stage everything in the sandbox's repository and commit it",
                             parameters=[ID], request=s.GitCommitInput,
                             responses={200: s.GitCommitResponse,
                                        **sandbox_errors(400, 409, 500, e404=REPO_NOT_FOUND,
                                                         e409="Another change to the repository is in "
                                                              "progress")}),
    git_status=extend_schema(summary="Changed, staged and untracked files of the sandbox's repository",
                             parameters=[ID], responses={200: s.GitStatusResponse,
                                                         **sandbox_errors(500, e404=REPO_NOT_FOUND)}),
    git_log=extend_schema(summary="Commits of the sandbox's repository, newest first",
                          parameters=[ID, s.GitLogQuery],
                          responses={200: s.GitLogResponse, **sandbox_errors(400, 500, e404=REPO_NOT_FOUND)}),
)
class SandboxViewSet(OwnerScopedMixin, ViewSet):
    lookup_value_regex = "[^/]+"

    def get_object(self, pk) -> Sandbox:
        return self.get_owned(Sandbox.objects.all(), pk=pk, not_found="Sandbox not found")

    def list(self, request):
        query = parse_query(s.SandboxListQuery, request)
        sandboxes = selectors.sandboxes_list(user=request.user, statuses=query.get("status"))
        data = s.SandboxSerializer(sandboxes, many=True).data
        return Response({"sandboxes": data, "count": len(data)})

    def create(self, request):
        data = s.SandboxCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        if body.get("userId") not in (None, request.user.pk):
            raise Forbidden()
        sandbox = services.sandbox_create(
            user=request.user, name=body["name"], description=body.get("description") or None,
            github_url=body.get("githubUrl"), flavor_id=body.get("flavor"),
            resource_tier_id=body.get("resourceTier"), addon_ids=body.get("addons"),
            auto_start=body["autoStart"], request=request)
        repository = workspace.workspace_get(sandbox=sandbox)
        return Response({"sandbox": s.sandbox_body(sandbox), "repository": repository},
                        status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        sandbox = self.get_object(pk)
        container = services.sandbox_refresh_from_engine(sandbox=sandbox)
        services.sandbox_mark_accessed(sandbox=sandbox)
        repository = workspace.workspace_get(sandbox=sandbox)
        config = workspace.workspace_config(sandbox=sandbox) if repository is not None else None
        return Response({"sandbox": s.sandbox_body(sandbox, container), "repository": repository,
                         "config": config})

    def destroy(self, request, pk=None):
        sandbox = self.get_object(pk)
        query = parse_query(s.DeleteQuery, request)
        services.sandbox_delete(sandbox=sandbox, remove_volumes=query["removeVolumes"],
                                delete_repo=query["deleteRepo"], request=request)
        return Response(success("Sandbox deleted"))

    def _lifecycle(self, request, pk, name: str, timeout: int | None = None):
        sandbox = services.sandbox_lifecycle(sandbox=self.get_object(pk), action=name, timeout=timeout,
                                             request=request)
        return Response({"sandbox": s.sandbox_body(sandbox), "message": ACTION_MESSAGES[name]})

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._lifecycle(request, pk, "start")

    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        sandbox = self.get_object(pk)
        return self._lifecycle(request, sandbox.pk, "stop", parse_query(s.StopQuery, request).get("timeout"))

    @action(detail=True, methods=["post"])
    def restart(self, request, pk=None):
        sandbox = self.get_object(pk)
        return self._lifecycle(request, sandbox.pk, "restart", parse_query(s.StopQuery, request).get("timeout"))

    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._lifecycle(request, pk, "pause")

    @action(detail=True, methods=["post"])
    def unpause(self, request, pk=None):
        return self._lifecycle(request, pk, "unpause")

    @action(detail=True, methods=["get"], url_path="status")
    def container_status(self, request, pk=None):
        return Response({"status": get_orchestrator().status(container_ref(self.get_object(pk)))})

    @action(detail=True, methods=["get"])
    def logs(self, request, pk=None):
        sandbox = self.get_object(pk)
        query = parse_query(s.LogsQuery, request)
        logs = get_orchestrator().logs(container_ref(sandbox), tail=query["tail"], since=query.get("since"),
                                       timestamps=query["timestamps"])
        return Response({"logs": logs, "tail": query["tail"]})

    @action(detail=True, methods=["get"])
    def stats(self, request, pk=None):
        return Response({"stats": get_orchestrator().stats(container_ref(self.get_object(pk))).as_contract()})

    @action(detail=True, methods=["post"])
    def exec(self, request, pk=None):
        sandbox = self.get_object(pk)
        data = s.ExecInput(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        result = get_orchestrator().exec(container_ref(sandbox), body["command"], working_dir=body.get("workingDir"),
                                         env=body.get("env"), user=body.get("user"))
        return Response({"exitCode": result.exit_code, "stdout": result.stdout, "stderr": result.stderr})

    # -- the sandbox's repository (its workspace) -----------------------------------------------------

    @action(detail=True, methods=["post"], url_path="git/commit", url_name="git-commit")
    def git_commit(self, request, pk=None):
        sandbox = self.get_object(pk)
        data = s.GitCommitInput(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        author = body.get("author")
        sha = workspace.sandbox_git_commit(sandbox=sandbox, message=body["message"],
                                           author=(author["name"], author["email"]) if author else None)
        return Response({"sha": sha, "message": "Changes committed"})

    @action(detail=True, methods=["get"], url_path="git/status", url_name="git-status")
    def git_status(self, request, pk=None):
        return Response({"files": workspace.sandbox_git_status(sandbox=self.get_object(pk))})

    @action(detail=True, methods=["get"], url_path="git/log", url_name="git-log")
    def git_log(self, request, pk=None):
        sandbox = self.get_object(pk)
        query = parse_query(s.GitLogQuery, request)
        return Response({"commits": workspace.sandbox_git_log(sandbox=sandbox, limit=query["limit"])})


class DockerHealthViewSet(ViewSet):
    @extend_schema(summary="Whether the container engine answers, and what it runs",
                   operation_id="health_docker_retrieve",
                   responses={200: s.DockerHealthyResponse,
                              503: OpenApiResponse(s.DockerUnhealthyResponse,
                                                   description="The engine does not answer"),
                              **error_responses(401, 403)})
    def list(self, request):
        try:
            info = get_orchestrator().engine_info()
        except EngineError:
            return Response({"status": "unhealthy", "message": "Docker daemon not accessible"},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({"status": "healthy", "docker": {
            "version": info.version, "apiVersion": info.api_version, "os": info.os, "arch": info.arch,
            "containers": {"running": info.containers_running, "stopped": info.containers_stopped},
            "images": info.images}})
