"""`/api/knowledge/*` (api-contract 2.14) and the bare MCP endpoint `POST /api/mcp/knowledge` (2.16).

Knowledge is global: every signed-in user reads the same documents, and the admin is the editor. The
service token and sandbox credentials reach only the MCP endpoint (DECISIONS 4, 31); the REST endpoints
answer them 403.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import ApiError, NotFound
from core.api.permissions import IsUserServiceOrSandbox
from core.api.schema import AnyJSONField, error_responses
from core.serializers import parse_query

from .. import selectors, tools
from . import serializers as s

# -- OpenAPI shapes (schema only: the views build the same dicts) ------------------------------------------


class KnowledgeDocumentListResponse(serializers.Serializer):
    documents = s.KnowledgeDocumentListItemSerializer(many=True)
    total = serializers.IntegerField(help_text="How many documents match the filter (DECISIONS 20)")


class KnowledgeDocumentResponse(serializers.Serializer):
    document = s.KnowledgeDocumentSerializer()


class KnowledgeSearchResponse(serializers.Serializer):
    documents = s.KnowledgeDocumentSerializer(many=True)
    searchMode = serializers.ChoiceField(  # noqa: N815
        choices=[selectors.MODE_FULLTEXT, selectors.MODE_SEMANTIC, selectors.MODE_HYBRID],
        help_text="How the documents were ranked: full-text only (no embeddings, or none usable), by vector "
                  "distance (`useSemanticSearch`), or both fused (reciprocal rank fusion)")


class KnowledgeCategorySerializer(serializers.Serializer):
    id = serializers.ChoiceField(choices=s.CATEGORY_CHOICES)
    name = serializers.CharField()
    description = serializers.CharField()
    count = serializers.IntegerField()


class KnowledgeCategoriesResponse(serializers.Serializer):
    categories = KnowledgeCategorySerializer(many=True)


class KnowledgeEmbeddingStatsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    processing = serializers.IntegerField()
    completed = serializers.IntegerField(help_text="0: no embeddings, search is full-text only")
    failed = serializers.IntegerField()


class KnowledgeStatsResponse(serializers.Serializer):
    totalDocuments = serializers.IntegerField()  # noqa: N815
    byCategory = serializers.DictField(  # noqa: N815
        child=serializers.IntegerField(), help_text="Only categories that have documents")
    embeddingStats = KnowledgeEmbeddingStatsSerializer()  # noqa: N815


class McpKnowledgeRequestSerializer(serializers.Serializer):
    method = serializers.CharField(help_text="`tools/list` or `tools/call`")
    params = AnyJSONField(required=False, help_text="`tools/call`: `{name, arguments}`")


class McpKnowledgeResponse(serializers.Serializer):
    tools = AnyJSONField(
        required=False, help_text="`tools/list`: the seven definitions `{name, description, inputSchema}`")
    content = AnyJSONField(required=False,
                           help_text='`tools/call`: `[{"type": "text", "text": "<JSON of the result>"}]`')
    isError = serializers.BooleanField(  # noqa: N815
        required=False, help_text="`tools/call`: present (true) when the call failed")


USER_ONLY = error_responses(401, 403,
                            e403="Forbidden: the service token may not read knowledge here (use MCP)")


class KnowledgeListView(APIView):
    @extend_schema(summary="Knowledge documents (without content), best match first or newest first",
                   operation_id="knowledge_list", parameters=[s.DocumentListQuery],
                   responses={200: KnowledgeDocumentListResponse, **error_responses(400), **USER_ONLY})
    def get(self, request):
        query = parse_query(s.DocumentListQuery, request)
        page, total = selectors.documents_list(query=query.get("query") or None,
                                               category=query.get("category") or None,
                                               limit=query["limit"], offset=query["offset"])
        return Response({"documents": s.KnowledgeDocumentListItemSerializer(page, many=True).data,
                         "total": total})


class KnowledgeCategoriesView(APIView):
    @extend_schema(summary="The nine knowledge categories with their document counts",
                   responses={200: KnowledgeCategoriesResponse, **USER_ONLY})
    def get(self, request):
        return Response({"categories": selectors.category_counts()})


class KnowledgeStatsView(APIView):
    @extend_schema(summary="Document counts by category and by embedding status",
                   responses={200: KnowledgeStatsResponse, **USER_ONLY})
    def get(self, request):
        return Response(selectors.knowledge_stats())


class KnowledgeDocumentView(APIView):
    @extend_schema(summary="One knowledge document, content included",
                   parameters=[OpenApiParameter("document_id", str, OpenApiParameter.PATH)],
                   responses={200: KnowledgeDocumentResponse,
                              **error_responses(404, e404="Document not found: <id>"), **USER_ONLY})
    def get(self, request, document_id):
        document = selectors.document_get(document_id=document_id)
        if document is None:
            raise NotFound(f"Document not found: {document_id}")
        return Response({"document": s.KnowledgeDocumentSerializer(document).data})


class KnowledgeSearchView(APIView):
    @extend_schema(summary="Search knowledge: full-text, by vector, or both fused",
                   request=s.SearchRequestSerializer,
                   responses={200: KnowledgeSearchResponse, **error_responses(400), **USER_ONLY})
    def post(self, request):
        body = s.SearchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = selectors.documents_search(
            query=data.get("query") or None, categories=data.get("categories"), tags=data.get("tags"),
            limit=data["limit"], semantic=data["useSemanticSearch"])
        return Response({"documents": s.KnowledgeDocumentSerializer(result.documents, many=True).data,
                         "searchMode": result.mode})


class AnyContentTypeJSONParser(JSONParser):
    """The old endpoint read the body as JSON whatever its content type (a bare `curl -d` sends form type)."""

    media_type = "*/*"


class McpKnowledgeView(APIView):
    # The images call it with their sandbox's credential, which acts for the sandbox's owner (DECISIONS 31).
    permission_classes = [IsUserServiceOrSandbox]
    parser_classes = [AnyContentTypeJSONParser]

    @extend_schema(
        summary="The knowledge tools for agents, in the old bare MCP shape (no JSON-RPC envelope)",
        description="The standard MCP server with the same tools (JSON-RPC over Streamable HTTP) is "
                    "`/api/mcp`.",
        request=McpKnowledgeRequestSerializer,
        responses={200: OpenApiResponse(McpKnowledgeResponse, description="`tools/list`: `{tools}`; "
                                                                 "`tools/call`: `{content, isError?}`"),
                   **error_responses(400, 401, e400="Unknown method: <method>, or malformed JSON")})
    def post(self, request):
        body = request.data if isinstance(request.data, dict) else {}
        method = body.get("method")
        if method == "tools/list":
            return Response({"tools": tools.TOOLS})
        if method == "tools/call":
            params = body.get("params") if isinstance(body.get("params"), dict) else {}
            name = params.get("name") if isinstance(params.get("name"), str) else None
            return Response(tools.tool_call(name, params.get("arguments"), principal=request.user).as_mcp())
        # JavaScript's rendering of a missing method, as the old server wrote it.
        raise ApiError(f"Unknown method: {method if isinstance(method, str) else 'undefined'}")
