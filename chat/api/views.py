"""`/api/v2/sandboxes/{sandboxId}/chat/*`: a sandbox's persisted chat history (api-contract 2.12).

The sandbox must be the caller's: any other is "Sandbox not found" before anything else is looked
at (DECISIONS 1). Syncing from OpenCode is not wired yet, so the sync endpoints answer as for a
sandbox without an active sync.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import InvalidRequest, NotFound
from core.serializers import parse_query

from .. import selectors, services
from ..models import ChatSource
from . import serializers as s


class SandboxChatView(APIView):
    def sandbox(self, sandbox_id: str):
        sandbox = selectors.sandbox_for_user(sandbox_id=sandbox_id, user=self.request.user)
        if sandbox is None:
            raise NotFound("Sandbox not found")
        return sandbox

    def session(self, sandbox, session_id: str):
        session = selectors.chat_session_get(sandbox=sandbox, session_id=session_id)
        if session is None:
            raise NotFound("Session not found")
        return session


class ChatSessionListView(SandboxChatView):
    @extend_schema(parameters=[s.SessionListQuery])
    def get(self, request, sandbox_id):
        sandbox = self.sandbox(sandbox_id)
        query = parse_query(s.SessionListQuery, request)
        sessions = selectors.chat_sessions_list(sandbox=sandbox, status=query.get("status"))
        page = sessions[query["offset"]:query["offset"] + query["limit"]]
        stats = selectors.chat_stats(sandbox=sandbox)
        total = stats["total"] if not query.get("status") else sessions.count()
        return Response({"sessions": s.ChatSessionSerializer(page, many=True).data,
                         "pagination": {"total": total, "limit": query["limit"], "offset": query["offset"]},
                         "stats": stats})


class ChatSessionDetailView(SandboxChatView):
    def get(self, request, sandbox_id, session_id):
        session = self.session(self.sandbox(sandbox_id), session_id)
        messages = selectors.chat_messages_recent(session=session)
        return Response({"session": s.ChatSessionSerializer(session).data,
                         "messages": s.ChatMessageSerializer(messages, many=True).data,
                         "messageCount": len(messages)})

    def delete(self, request, sandbox_id, session_id):
        session = self.session(self.sandbox(sandbox_id), session_id)
        services.chat_session_archive(session=session, request=request)
        return Response({"success": True, "message": "Session archived"})


class ChatMessageListView(SandboxChatView):
    @extend_schema(parameters=[s.MessageListQuery])
    def get(self, request, sandbox_id, session_id):
        session = self.session(self.sandbox(sandbox_id), session_id)
        query = parse_query(s.MessageListQuery, request)
        messages = selectors.chat_messages_page(session=session, limit=query["limit"], offset=query["offset"],
                                                descending=query["order"] == "desc")
        return Response({"messages": s.ChatMessageSerializer(messages, many=True).data,
                         "pagination": {"total": selectors.chat_messages_count(session=session),
                                        "limit": query["limit"], "offset": query["offset"]}})


class ChatSessionSyncView(SandboxChatView):
    @extend_schema(request=None)
    def post(self, request, sandbox_id, session_id):
        session = self.session(self.sandbox(sandbox_id), session_id)
        if session.source != ChatSource.OPENCODE:
            raise InvalidRequest("Failed to sync session", details="Session not found or not an OpenCode session")
        return Response({"session": s.ChatSessionSerializer(session).data, "message": "Sync completed"})


class ChatSyncStatusView(SandboxChatView):
    def get(self, request, sandbox_id):
        sandbox = self.sandbox(sandbox_id)
        return Response({"sync": {"active": False}, "stats": selectors.chat_stats(sandbox=sandbox),
                         "sandboxStatus": sandbox.status})


class ChatFullSyncView(SandboxChatView):
    @extend_schema(request=None)
    def post(self, request, sandbox_id):
        sandbox = self.sandbox(sandbox_id)
        if sandbox.status != "running":
            raise InvalidRequest("Sandbox is not running")
        return Response({"success": True, "message": "Full sync completed",
                         "stats": selectors.chat_stats(sandbox=sandbox)})
