"""ChatSession and ChatMessage as the clients read them (api-contract 2.12; nulls present, DECISIONS 22)."""

from rest_framework import serializers

from core.serializers import IsoDateTimeField, LimitOffsetQuery

from ..models import ChatMessage, ChatSession, ChatSessionStatus


class ChatSessionSerializer(serializers.ModelSerializer):
    sandboxId = serializers.CharField(source="sandbox_id")  # noqa: N815
    userId = serializers.CharField(source="user_id")  # noqa: N815
    opencodeSessionId = serializers.CharField(source="opencode_session_id", allow_null=True)  # noqa: N815
    acpSessionId = serializers.CharField(source="acp_session_id", allow_null=True)  # noqa: N815
    acpAgentId = serializers.CharField(source="acp_agent_id", allow_null=True)  # noqa: N815
    messageCount = serializers.IntegerField(source="message_count")  # noqa: N815
    userMessageCount = serializers.IntegerField(source="user_message_count")  # noqa: N815
    assistantMessageCount = serializers.IntegerField(source="assistant_message_count")  # noqa: N815
    totalInputTokens = serializers.IntegerField(source="total_input_tokens")  # noqa: N815
    totalOutputTokens = serializers.IntegerField(source="total_output_tokens")  # noqa: N815
    lastMessageAt = IsoDateTimeField(source="last_message_at", allow_null=True)  # noqa: N815
    lastSyncedAt = IsoDateTimeField(source="last_synced_at", allow_null=True)  # noqa: N815
    createdAt = IsoDateTimeField(source="created_at")  # noqa: N815
    updatedAt = IsoDateTimeField(source="updated_at")  # noqa: N815

    class Meta:
        model = ChatSession
        fields = ["id", "sandboxId", "userId", "source", "opencodeSessionId", "acpSessionId", "acpAgentId", "title",
                  "status", "messageCount", "userMessageCount", "assistantMessageCount", "totalInputTokens",
                  "totalOutputTokens", "lastMessageAt", "lastSyncedAt", "createdAt", "updatedAt"]


class ChatMessageSerializer(serializers.ModelSerializer):
    sessionId = serializers.CharField(source="session_id")  # noqa: N815
    externalMessageId = serializers.CharField(source="external_message_id", allow_null=True)  # noqa: N815
    content = serializers.JSONField()
    toolCalls = serializers.JSONField(source="tool_calls", allow_null=True)  # noqa: N815
    toolResults = serializers.JSONField(source="tool_results", allow_null=True)  # noqa: N815
    thinking = serializers.JSONField(allow_null=True)
    modelProvider = serializers.CharField(source="model_provider", allow_null=True)  # noqa: N815
    modelId = serializers.CharField(source="model_id", allow_null=True)  # noqa: N815
    agentId = serializers.CharField(source="agent_id", allow_null=True)  # noqa: N815
    inputTokens = serializers.IntegerField(source="input_tokens", allow_null=True)  # noqa: N815
    outputTokens = serializers.IntegerField(source="output_tokens", allow_null=True)  # noqa: N815
    errorMessage = serializers.CharField(source="error_message", allow_null=True)  # noqa: N815
    createdAt = IsoDateTimeField(source="created_at")  # noqa: N815
    completedAt = IsoDateTimeField(source="completed_at", allow_null=True)  # noqa: N815

    class Meta:
        model = ChatMessage
        fields = ["id", "sessionId", "externalMessageId", "role", "content", "toolCalls", "toolResults", "thinking",
                  "modelProvider", "modelId", "agentId", "inputTokens", "outputTokens", "status", "errorMessage",
                  "createdAt", "completedAt"]


class ChatStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    active = serializers.IntegerField()
    archived = serializers.IntegerField()
    totalMessages = serializers.IntegerField()  # noqa: N815
    totalTokens = serializers.IntegerField()  # noqa: N815


class SessionListQuery(LimitOffsetQuery):
    status = serializers.ChoiceField(choices=ChatSessionStatus.values, required=False)


class MessageListQuery(LimitOffsetQuery):
    order = serializers.ChoiceField(choices=["asc", "desc"], default="asc")
