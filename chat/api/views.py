"""`/api/v2/sandboxes/{sandboxId}/chat/*`: a sandbox's persisted chat history (api-contract 2.12).

The sandbox must be the caller's: any other is "Sandbox not found" before anything else is looked
at (DECISIONS 1). The history is kept in step with the sandbox's OpenCode by `chat.services`
(after each message sent through the proxy, by the sync endpoints here, and by the `sync_chats` worker,
whose state the sync status reports).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import InvalidRequest
from core.api.schema import error_responses
from core.api.views import OwnerScopedMixin
from core.serializers import PaginationSerializer, SuccessSerializer, pagination, parse_query, success
from sandboxes.models import Sandbox, SandboxStatus

from .. import selectors, services, sync
from ..models import ChatSource
from . import serializers as s

# -- OpenAPI shapes (schema only: the views build the same dicts) ------------------------------------------

class ChatSessionListResponse(serializers.Serializer):
    sessions = s.ChatSessionSerializer(many=True)
    pagination = PaginationSerializer()
    stats = s.ChatStatsSerializer()


class ChatSessionDetailResponse(serializers.Serializer):
    session = s.ChatSessionSerializer()
    messages = s.ChatMessageSerializer(many=True, help_text="The last 50, oldest first")
    messageCount = serializers.IntegerField(help_text="Number of messages in this body (at most 50)")  # noqa: N815


class ChatMessageListResponse(serializers.Serializer):
    messages = s.ChatMessageSerializer(many=True)
    pagination = PaginationSerializer()


class ChatSessionSyncResponse(serializers.Serializer):
    session = s.ChatSessionSerializer()
    message = serializers.CharField()


class ChatSyncStateSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    lastSyncTime = serializers.CharField(  # noqa: N815
        required=False, help_text="ISO 8601; only while a sync is active")
    reconnectAttempts = serializers.IntegerField(  # noqa: N815
        required=False, help_text="Only while a sync is active")


class ChatSyncStatusResponse(serializers.Serializer):
    sync = ChatSyncStateSerializer()
    stats = s.ChatStatsSerializer()
    sandboxStatus = serializers.CharField(help_text="The sandbox's status in the database")  # noqa: N815


class ChatFullSyncResponse(SuccessSerializer):
    stats = s.ChatStatsSerializer()


SANDBOX_ID = OpenApiParameter("sandbox_id", str, OpenApiParameter.PATH)
SESSION_ID = OpenApiParameter("session_id", str, OpenApiParameter.PATH)
SANDBOX_NOT_FOUND = error_responses(401, 403, 404, e404="Sandbox not found (or not the caller's)")
SESSION_NOT_FOUND = error_responses(401, 403, 404, e404="Sandbox not found, or session not found in it")


class SandboxChatView(OwnerScopedMixin, APIView):
    def sandbox(self, sandbox_id: str) -> Sandbox:
        return self.get_owned(Sandbox.objects.all(), pk=sandbox_id, not_found="Sandbox not found")

    def session(self, sandbox: Sandbox, session_id: str):
        # The sandbox is the caller's already; a session of another sandbox is not found in this one.
        return self.get_owned(selectors.chat_sessions_of(sandbox=sandbox), pk=session_id,
                              not_found="Session not found")


class ChatSessionListView(SandboxChatView):
    @extend_schema(summary="A sandbox's chat sessions, most recent activity first",
                   operation_id="sandboxes_chat_sessions_list", parameters=[SANDBOX_ID, s.SessionListQuery],
                   responses={200: ChatSessionListResponse, **error_responses(400), **SANDBOX_NOT_FOUND})
    def get(self, request, sandbox_id):
        sandbox = self.sandbox(sandbox_id)
        query = parse_query(s.SessionListQuery, request)
        sessions = selectors.chat_sessions_list(sandbox=sandbox, status=query.get("status"))
        page = sessions[query["offset"]:query["offset"] + query["limit"]]
        stats = selectors.chat_stats(sandbox=sandbox)
        total = stats["total"] if not query.get("status") else sessions.count()
        return Response({"sessions": s.ChatSessionSerializer(page, many=True).data,
                         "pagination": pagination(total=total, query=query),
                         "stats": stats})


class ChatSessionDetailView(SandboxChatView):
    @extend_schema(summary="A chat session with its last 50 messages", parameters=[SANDBOX_ID, SESSION_ID],
                   responses={200: ChatSessionDetailResponse, **SESSION_NOT_FOUND})
    def get(self, request, sandbox_id, session_id):
        session = self.session(self.sandbox(sandbox_id), session_id)
        messages = selectors.chat_messages_recent(session=session)
        return Response({"session": s.ChatSessionSerializer(session).data,
                         "messages": s.ChatMessageSerializer(messages, many=True).data,
                         "messageCount": len(messages)})

    @extend_schema(summary="Archive a chat session (a soft delete; idempotent)", parameters=[SANDBOX_ID, SESSION_ID],
                   responses={200: SuccessSerializer, **SESSION_NOT_FOUND})
    def delete(self, request, sandbox_id, session_id):
        session = self.session(self.sandbox(sandbox_id), session_id)
        services.chat_session_archive(session=session, request=request)
        return Response(success("Session archived"))


class ChatMessageListView(SandboxChatView):
    @extend_schema(summary="A page of a chat session's messages",
                   parameters=[SANDBOX_ID, SESSION_ID, s.MessageListQuery],
                   responses={200: ChatMessageListResponse, **error_responses(400), **SESSION_NOT_FOUND})
    def get(self, request, sandbox_id, session_id):
        session = self.session(self.sandbox(sandbox_id), session_id)
        query = parse_query(s.MessageListQuery, request)
        messages = selectors.chat_messages_page(session=session, limit=query["limit"], offset=query["offset"],
                                                descending=query["order"] == "desc")
        return Response({"messages": s.ChatMessageSerializer(messages, many=True).data,
                         "pagination": pagination(total=selectors.chat_messages_count(session=session),
                                                  query=query)})


class ChatSessionSyncView(SandboxChatView):
    @extend_schema(summary="Sync one chat session from OpenCode", parameters=[SANDBOX_ID, SESSION_ID], request=None,
                   responses={200: ChatSessionSyncResponse,
                              **error_responses(400, e400="Failed to sync session: not an OpenCode session"),
                              **SESSION_NOT_FOUND})
    def post(self, request, sandbox_id, session_id):
        sandbox = self.sandbox(sandbox_id)
        session = self.session(sandbox, session_id)
        if session.source != ChatSource.OPENCODE or not session.opencode_session_id:
            raise InvalidRequest("Failed to sync session", details="Session not found or not an OpenCode session")
        session = sync.chat_sync_session(sandbox=sandbox, session=session)
        return Response({"session": s.ChatSessionSerializer(session).data, "message": "Sync completed"})


class ChatSyncStatusView(SandboxChatView):
    @extend_schema(summary="The sandbox's chat sync state and chat stats", parameters=[SANDBOX_ID],
                   responses={200: ChatSyncStatusResponse, **SANDBOX_NOT_FOUND})
    def get(self, request, sandbox_id):
        sandbox = self.sandbox(sandbox_id)
        return Response({"sync": selectors.chat_sync_state(sandbox=sandbox),
                         "stats": selectors.chat_stats(sandbox=sandbox), "sandboxStatus": sandbox.status})


class ChatFullSyncView(SandboxChatView):
    @extend_schema(summary="Sync all of a running sandbox's chat sessions", parameters=[SANDBOX_ID], request=None,
                   responses={200: ChatFullSyncResponse, **error_responses(400, e400="Sandbox is not running"),
                              **SANDBOX_NOT_FOUND})
    def post(self, request, sandbox_id):
        sandbox = self.sandbox(sandbox_id)
        if sandbox.status != SandboxStatus.RUNNING:
            raise InvalidRequest("Sandbox is not running")
        sync.chat_sync_sandbox(sandbox=sandbox)
        return Response(success("Full sync completed", stats=selectors.chat_stats(sandbox=sandbox)))
