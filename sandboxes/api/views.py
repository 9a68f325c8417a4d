"""`/api/v2/sandboxes` and `/api/v2/health/docker` (api-contract 2.11, with DECISIONS 1, 2, 12, 17).

Every call reaches only the caller's sandboxes; every engine call goes through the orchestrator, whose
errors (503 engine unavailable, 404 container missing, ...) the project's exception handler renders.
"""

from datetime import datetime, timezone

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from core.api.errors import Forbidden, NotFound
from core.serializers import parse_query

from .. import services
from ..models import Sandbox
from ..orchestrator import EngineError, get_orchestrator
from . import serializers as s

ACTION_MESSAGES = {"start": "Sandbox started", "stop": "Sandbox stopped", "restart": "Sandbox restarted",
                   "pause": "Sandbox paused", "unpause": "Sandbox unpaused"}


class SandboxViewSet(ViewSet):
    lookup_value_regex = "[^/]+"

    def get_object(self, pk) -> Sandbox:
        sandbox = Sandbox.objects.filter(pk=pk, user=self.request.user).first()
        if sandbox is None:
            raise NotFound("Sandbox not found")
        return sandbox

    @extend_schema(parameters=[s.SandboxListQuery])
    def list(self, request):
        query = parse_query(s.SandboxListQuery, request)
        sandboxes = Sandbox.objects.filter(user=request.user).order_by("-created_at", "id")
        if query.get("status"):
            sandboxes = sandboxes.filter(status__in=query["status"])
        data = s.SandboxSerializer(sandboxes, many=True).data
        return Response({"sandboxes": data, "count": len(data)})

    @extend_schema(request=s.SandboxCreateInput)
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
        # Repositories are not managed by this API yet: there is no server-side repository to describe.
        return Response({"sandbox": s.sandbox_body(sandbox), "repository": None}, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        sandbox = self.get_object(pk)
        container = services.sandbox_refresh_from_engine(sandbox=sandbox)
        Sandbox.objects.filter(pk=sandbox.pk).update(last_accessed_at=datetime.now(timezone.utc))
        return Response({"sandbox": s.sandbox_body(sandbox, container), "repository": None, "config": None})

    @extend_schema(parameters=[s.DeleteQuery])
    def destroy(self, request, pk=None):
        sandbox = self.get_object(pk)
        query = parse_query(s.DeleteQuery, request)
        services.sandbox_delete(sandbox=sandbox, remove_volumes=query["removeVolumes"], request=request)
        return Response({"success": True, "message": "Sandbox deleted"})

    def _lifecycle(self, request, pk, name: str, timeout: int | None = None):
        sandbox = services.sandbox_lifecycle(sandbox=self.get_object(pk), action=name, timeout=timeout,
                                             request=request)
        return Response({"sandbox": s.sandbox_body(sandbox), "message": ACTION_MESSAGES[name]})

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._lifecycle(request, pk, "start")

    @extend_schema(request=None, parameters=[s.StopQuery])
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        sandbox = self.get_object(pk)
        return self._lifecycle(request, sandbox.pk, "stop", parse_query(s.StopQuery, request).get("timeout"))

    @extend_schema(request=None, parameters=[s.StopQuery])
    @action(detail=True, methods=["post"])
    def restart(self, request, pk=None):
        sandbox = self.get_object(pk)
        return self._lifecycle(request, sandbox.pk, "restart", parse_query(s.StopQuery, request).get("timeout"))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._lifecycle(request, pk, "pause")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def unpause(self, request, pk=None):
        return self._lifecycle(request, pk, "unpause")

    @action(detail=True, methods=["get"], url_path="status")
    def container_status(self, request, pk=None):
        return Response({"status": get_orchestrator().status(self.get_object(pk))})

    @extend_schema(parameters=[s.LogsQuery])
    @action(detail=True, methods=["get"])
    def logs(self, request, pk=None):
        sandbox = self.get_object(pk)
        query = parse_query(s.LogsQuery, request)
        since = datetime.fromtimestamp(query["since"] / 1000, timezone.utc) if "since" in query else None
        logs = get_orchestrator().logs(sandbox, tail=query["tail"], since=since, timestamps=query["timestamps"])
        return Response({"logs": logs, "tail": query["tail"]})

    @action(detail=True, methods=["get"])
    def stats(self, request, pk=None):
        return Response({"stats": get_orchestrator().stats(self.get_object(pk)).as_contract()})

    @extend_schema(request=s.ExecInput)
    @action(detail=True, methods=["post"])
    def exec(self, request, pk=None):
        sandbox = self.get_object(pk)
        data = s.ExecInput(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        result = get_orchestrator().exec(sandbox, body["command"], working_dir=body.get("workingDir"),
                                         env=body.get("env"), user=body.get("user"))
        return Response({"exitCode": result.exit_code, "stdout": result.stdout, "stderr": result.stderr})


class DockerHealthViewSet(ViewSet):
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
