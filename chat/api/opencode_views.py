"""`/api/v2/sandboxes/{id}/opencode/*`: the caller's conversation with the OpenCode agent in their sandbox
(api-contract 2.11, DECISIONS 24 and 28).

Two views are async (adrf): sending a message (it can take minutes to answer) and the event stream (it
lasts as long as the client stays); neither may hold one of the server's threads meanwhile (STYLE 16).
Their authentication and sandbox lookup are ordinary sync code run off the event loop. Every other call
answers in milliseconds and is a sync view, served whole on one of the server's threads (config/asgi.py):
under Django's ASGI handler each would hop between the loop and threads a dozen times, which measured
(bench/opencode_proxy_overhead.py) at about twice the sync view's CPU. Only the owner reaches a sandbox
(another user's is 404 "Sandbox not found"); one that is not running is 503. OpenCode's bodies pass
through, with the few changes of `chat.proxy`; its failures are the client's errors (`sandboxes.opencode`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import aclosing

from adrf.views import APIView
from rest_framework.views import APIView as SyncAPIView
from asgiref.sync import sync_to_async
from django.db import connections
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from core.api.errors import ApiError, InvalidRequest
from core.api.renderers import ORJSONRenderer
from core.api.schema import error_responses
from core.api.views import OwnerScopedMixin
from sandboxes import endpoint_cache
from sandboxes.models import Sandbox
from sandboxes.opencode import AsyncOpenCodeClient, OpenCodeClient, OpenCodeEndpoint
from sandboxes.services import sandbox_opencode_endpoint

from .. import proxy
from ..event_hub import relay_events
from ..sync import chat_sync_after_prompt

logger = logging.getLogger(__name__)

SANDBOX_ID = OpenApiParameter("sandbox_id", str, OpenApiParameter.PATH, description="The sandbox id")
SESSION_ID = OpenApiParameter("session_id", str, OpenApiParameter.PATH, description="An OpenCode session id")
PROXY_ERRORS = error_responses(
    401, 403, 404, 502, 503, e404="Sandbox not found (or not the caller's), or OpenCode has no such object",
    e502="OpenCode answered with an error (its text is only logged)",
    e503="The sandbox is not running (`Sandbox is not running (status: <s>)`), or OpenCode is unreachable")
PASSED_THROUGH = OpenApiResponse(OpenApiTypes.ANY, description="OpenCode's body, passed through")
SUCCESS = inline_serializer("OpenCodeSuccess", {"success": serializers.BooleanField()})


class EventStreamRenderer(BaseRenderer):
    """Lets a client that accepts only `text/event-stream` reach the stream; errors are still JSON."""

    media_type = "text/event-stream"
    format = "event-stream"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


class SandboxOpenCodeMixin(OwnerScopedMixin):
    """Where the caller's sandbox's OpenCode is, and the request body as OpenCode needs it."""

    def endpoint(self, sandbox_id: str) -> OpenCodeEndpoint:
        """The caller's running sandbox's OpenCode: from memory while the sandbox is unchanged
        (sandboxes/endpoint_cache.py), else looked up (another user's sandbox is 404, a stopped one 503)."""
        kept = endpoint_cache.running.get(sandbox_id)
        if kept is not None and kept[0] == self.request.user.pk:
            return kept[1]
        read_at = endpoint_cache.running.generation
        sandbox = self.get_owned(Sandbox.objects.all(), pk=sandbox_id, not_found="Sandbox not found")
        endpoint = sandbox_opencode_endpoint(sandbox=sandbox)
        endpoint_cache.running.put(sandbox_id, (sandbox.user_id, endpoint), read_at=read_at)
        return endpoint

    def body(self) -> dict:
        try:
            return self.request.data
        except (ParseError, UnsupportedMediaType):
            raise InvalidRequest("Invalid request", details="body: a JSON object is expected") from None


class OpenCodeView(SandboxOpenCodeMixin, SyncAPIView):
    """A quick call to the sandbox's OpenCode, on one of the server's threads."""

    def call(self, sandbox_id: str, operation: str, *args, **kwargs):
        """One call of `OpenCodeClient` on the sandbox's OpenCode."""
        with OpenCodeClient(self.endpoint(sandbox_id)) as opencode:
            return getattr(opencode, operation)(*args, **kwargs)


class AsyncOpenCodeView(SandboxOpenCodeMixin, APIView):
    """A call to the sandbox's OpenCode that may take long, on the event loop."""

    async def async_endpoint(self, sandbox_id: str) -> OpenCodeEndpoint:
        return await sync_to_async(self.endpoint)(sandbox_id)

    async def async_call(self, sandbox_id: str, operation: str, *args, **kwargs):
        """One call of `AsyncOpenCodeClient` on the sandbox's OpenCode."""
        async with AsyncOpenCodeClient(await self.async_endpoint(sandbox_id)) as opencode:
            return await getattr(opencode, operation)(*args, **kwargs)


class SessionListView(OpenCodeView):
    @extend_schema(summary="The sandbox's OpenCode sessions", operation_id="sandboxes_opencode_sessions_list",
                   parameters=[SANDBOX_ID], responses={200: PASSED_THROUGH, **PROXY_ERRORS})
    def get(self, request, sandbox_id):
        return Response(self.call(sandbox_id, "session_list"))

    @extend_schema(summary="Start an OpenCode session", operation_id="sandboxes_opencode_sessions_create",
                   parameters=[SANDBOX_ID],
                   request=inline_serializer("OpenCodeSessionInput", {"title": serializers.CharField(required=False)}),
                   responses={200: PASSED_THROUGH, **PROXY_ERRORS})
    def post(self, request, sandbox_id):
        endpoint = self.endpoint(sandbox_id)
        try:
            body = request.data  # a missing or malformed body is `{}`, as the old server read it
        except (ParseError, UnsupportedMediaType):
            body = {}
        title = body.get("title") if isinstance(body, dict) and isinstance(body.get("title"), str) else None
        with OpenCodeClient(endpoint) as opencode:
            return Response(opencode.session_create(title=title))


class SessionDetailView(OpenCodeView):
    @extend_schema(summary="An OpenCode session", parameters=[SANDBOX_ID, SESSION_ID],
                   responses={200: PASSED_THROUGH, **PROXY_ERRORS})
    def get(self, request, sandbox_id, session_id):
        return Response(self.call(sandbox_id, "session_get", session_id))

    @extend_schema(summary="Delete an OpenCode session (its synced history stays)",
                   parameters=[SANDBOX_ID, SESSION_ID], responses={200: SUCCESS, **PROXY_ERRORS})
    def delete(self, request, sandbox_id, session_id):
        self.call(sandbox_id, "session_delete", session_id)
        return Response({"success": True})


class SessionAbortView(OpenCodeView):
    @extend_schema(summary="Stop the agent's current work in a session", parameters=[SANDBOX_ID, SESSION_ID],
                   request=None, responses={200: SUCCESS, **PROXY_ERRORS})
    def post(self, request, sandbox_id, session_id):
        self.call(sandbox_id, "session_abort", session_id)
        return Response({"success": True})


class MessageListView(AsyncOpenCodeView):
    @extend_schema(summary="A session's messages, `[{info, parts}]`", parameters=[SANDBOX_ID, SESSION_ID],
                   responses={200: PASSED_THROUGH, **PROXY_ERRORS})
    async def get(self, request, sandbox_id, session_id):
        return Response(await self.async_call(sandbox_id, "session_messages", session_id))

    @extend_schema(
        summary="Send a message and wait for the answer; the session is then synced into the chat history",
        parameters=[SANDBOX_ID, SESSION_ID],
        request=inline_serializer("OpenCodePromptInput", {
            "parts": serializers.ListField(child=serializers.DictField(), help_text=(
                "`{type: text, text}` or `{type: file, url, filename?, mime?}`")),
            "model": serializers.DictField(required=False, help_text="`{providerID, modelID}`"),
            "agent": serializers.CharField(required=False)}),
        responses={200: PASSED_THROUGH, **error_responses(400), **PROXY_ERRORS})
    async def post(self, request, sandbox_id, session_id):
        endpoint = await self.async_endpoint(sandbox_id)
        prompt = proxy.prompt_input(self.body())
        async with AsyncOpenCodeClient(endpoint) as opencode:
            answer = await opencode.session_prompt(session_id, **prompt)
            # As the old server did: the conversation is in PostgreSQL before the answer returns. A failed
            # sync is logged and retried by the worker; it never fails a message that was answered.
            await chat_sync_after_prompt(sandbox_id=sandbox_id, session_id=session_id, opencode=opencode)
        return Response(answer)


class MessageDetailView(OpenCodeView):
    @extend_schema(summary="One message of a session, `{info, parts}`", operation_id="sandboxes_opencode_message",
                   parameters=[SANDBOX_ID, SESSION_ID, OpenApiParameter("message_id", str, OpenApiParameter.PATH)],
                   responses={200: PASSED_THROUGH, **PROXY_ERRORS})
    def get(self, request, sandbox_id, session_id, message_id):
        return Response(self.call(sandbox_id, "session_message", session_id, message_id))


class PermissionView(OpenCodeView):
    @extend_schema(summary="Answer the agent's request for permission",
                   parameters=[SANDBOX_ID, SESSION_ID, OpenApiParameter("permission_id", str, OpenApiParameter.PATH)],
                   request=inline_serializer("OpenCodePermissionInput", {
                       "response": serializers.ChoiceField(choices=["once", "always", "reject"])}),
                   responses={200: SUCCESS, **error_responses(400), **PROXY_ERRORS})
    def post(self, request, sandbox_id, session_id, permission_id):
        response = proxy.permission_input(self.body())  # checked before the sandbox is looked up
        self.call(sandbox_id, "permission_respond", session_id, permission_id, response)
        return Response({"success": True})


PATH = OpenApiParameter("path", str, description="A workspace path; `/home/developer/workspace/` and "
                                                 "`/workspace/` prefixes are stripped")


class FileListView(OpenCodeView):
    @extend_schema(summary="A workspace folder's entries", operation_id="sandboxes_opencode_files_list",
                   parameters=[SANDBOX_ID, PATH], responses={200: PASSED_THROUGH, **PROXY_ERRORS})
    def get(self, request, sandbox_id):
        return Response(self.call(sandbox_id, "file_list", proxy.workspace_path(request.query_params.get("path"))))


class FileContentView(OpenCodeView):
    @extend_schema(summary="A workspace file's content, `{type, content}`", parameters=[SANDBOX_ID, PATH],
                   responses={200: PASSED_THROUGH, **error_responses(400), **PROXY_ERRORS})
    def get(self, request, sandbox_id):
        path = request.query_params.get("path")
        if not path:
            raise InvalidRequest("Path query parameter is required")
        return Response(self.call(sandbox_id, "file_read", proxy.workspace_path(path)))


class FindFileView(OpenCodeView):
    @extend_schema(summary="Workspace paths matching a query",
                   parameters=[SANDBOX_ID, OpenApiParameter("query", str, required=True)],
                   responses={200: PASSED_THROUGH, **error_responses(400), **PROXY_ERRORS})
    def get(self, request, sandbox_id):
        query = request.query_params.get("query")
        if not query:
            raise InvalidRequest("Query parameter is required")
        return Response(self.call(sandbox_id, "find_files", query))


class AppView(OpenCodeView):
    @extend_schema(summary="OpenCode's config and project", parameters=[SANDBOX_ID],
                   responses={200: inline_serializer("OpenCodeApp", {"config": serializers.JSONField(),
                                                                     "project": serializers.JSONField()}),
                              **PROXY_ERRORS})
    def get(self, request, sandbox_id):
        with OpenCodeClient(self.endpoint(sandbox_id)) as opencode:
            config, project = opencode.config_get(), opencode.project_current()
        return Response({"config": config, "project": project})


class ProvidersView(OpenCodeView):
    @extend_schema(summary="The model providers OpenCode can use (the server's own environment's left out)",
                   operation_id="sandboxes_opencode_providers", parameters=[SANDBOX_ID],
                   responses={200: PASSED_THROUGH, **PROXY_ERRORS})
    def get(self, request, sandbox_id):
        return Response(proxy.providers_body(self.call(sandbox_id, "config_providers")))


class AgentsView(OpenCodeView):
    @extend_schema(summary="OpenCode's agents", operation_id="sandboxes_opencode_agents", parameters=[SANDBOX_ID],
                   responses={200: PASSED_THROUGH, **PROXY_ERRORS})
    def get(self, request, sandbox_id):
        return Response(proxy.agents_body(self.call(sandbox_id, "agents")))


class HealthView(OpenCodeView):
    @extend_schema(summary="Whether the sandbox's OpenCode answers (always 200)",
                   operation_id="sandboxes_opencode_health", parameters=[SANDBOX_ID],
                   responses={200: inline_serializer("OpenCodeHealth", {
                       "healthy": serializers.BooleanField(),
                       "status": serializers.ChoiceField(choices=["ok", "unreachable"])}),
                       **error_responses(401, 403)})
    def get(self, request, sandbox_id):
        try:
            self.call(sandbox_id, "health")
        except ApiError:  # missing, not the caller's, not running, or not answering: all "unreachable"
            return Response({"healthy": False, "status": "unreachable"})
        return Response({"healthy": True, "status": "ok"})


class EventStreamResponse(StreamingHttpResponse):
    """An SSE response that closes its relay as soon as Django closes the response.

    Django closes only the outermost of a streaming response's nested async iterators when the client goes
    while it is being sent to; the relay inside, and with it the sandbox's upstream subscription, would
    then wait for the garbage collector."""

    def __init__(self, relay: AsyncIterator[bytes]):
        super().__init__(relay, content_type="text/event-stream")
        self._relay = relay

    async def __aiter__(self):
        async with aclosing(self._relay) as events:
            async for part in events:
                yield part


class EventStreamView(AsyncOpenCodeView):
    renderer_classes = [ORJSONRenderer, EventStreamRenderer]

    @extend_schema(summary="OpenCode's live events as Server-Sent Events (`event: <type>` / `data: <json>`)",
                   operation_id="sandboxes_opencode_events", parameters=[SANDBOX_ID],
                   responses={(200, "text/event-stream"): OpenApiResponse(OpenApiTypes.STR, description=(
                       "One SSE message per OpenCode event, and a `: heartbeat` comment at least every 15 s")),
                       **PROXY_ERRORS})
    async def get(self, request, sandbox_id):
        endpoint = await self.async_endpoint(sandbox_id)  # a missing or stopped sandbox fails before the stream
        # The stream may last hours: its database connection goes back to the pool now, not when it ends.
        await sync_to_async(connections.close_all)()
        response = EventStreamResponse(relay_events(endpoint, heartbeat=HEARTBEAT_SECONDS))
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # a proxy in front must not hold events back
        return response


HEARTBEAT_SECONDS = 15
