"""Knowledge documents as the clients read them (api-contract 2.14), and the endpoints' inputs.

Nullable fields are always present (DECISIONS 22); `tags` and `metadata` are never null (`[]`, `{}`);
`similarity` appears only on results ranked by vector distance (DECISIONS 30).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from core.api.schema import JSONObjectField
from core.serializers import IsoDateTimeField

from ..models import KnowledgeCategory, KnowledgeDocument

CATEGORY_CHOICES = KnowledgeCategory.choices


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TagsField(serializers.Field):
    def get_attribute(self, instance):
        # Here rather than in to_representation, which DRF skips for None.
        value = super().get_attribute(instance)
        return value if isinstance(value, list) else []

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "array", "items": {"type": "string"}, "nullable": True})
class ApplicableToField(serializers.Field):
    def to_representation(self, value):
        return value if isinstance(value, list) else None


class MetadataField(JSONObjectField):
    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return value if isinstance(value, dict) else {}


@extend_schema_field({"type": "number", "nullable": True})
class SimilarityField(serializers.Field):
    """Present only on documents the selector ranked by vector distance (they carry `similarity`)."""

    def get_attribute(self, instance):
        if not hasattr(instance, "similarity"):
            raise SkipField()
        return instance.similarity

    def to_representation(self, value):
        return None if value is None else round(value, 6)


class KnowledgeDocumentListItemSerializer(serializers.ModelSerializer):
    """A list item: no content."""

    tags = TagsField()
    createdAt = IsoDateTimeField(source="created_at")  # noqa: N815
    updatedAt = IsoDateTimeField(source="updated_at")  # noqa: N815

    class Meta:
        model = KnowledgeDocument
        fields = ["id", "category", "title", "description", "tags", "createdAt", "updatedAt"]


class KnowledgeDocumentSerializer(serializers.ModelSerializer):
    tags = TagsField()
    applicableTo = ApplicableToField(source="applicable_to")  # noqa: N815
    metadata = MetadataField()
    embeddingStatus = serializers.CharField(source="embedding_status", allow_null=True)  # noqa: N815
    createdAt = IsoDateTimeField(source="created_at")  # noqa: N815
    updatedAt = IsoDateTimeField(source="updated_at")  # noqa: N815
    similarity = SimilarityField(
        required=False, help_text="1 - cosine distance to the query; only on results ranked by vector "
                                  "distance, null for a document that has no embedding yet")

    class Meta:
        model = KnowledgeDocument
        fields = ["id", "category", "title", "description", "content", "tags", "applicableTo", "metadata",
                  "embeddingStatus", "version", "createdAt", "updatedAt", "similarity"]


class LenientIntegerField(serializers.IntegerField):
    """`limit`/`offset` of `GET /api/knowledge` as the old server read them: a value that is not a number,
    or is below `minimum`, means the default; above `maximum` means the maximum. Never a 400."""

    def __init__(self, *, fallback: int, minimum: int, maximum: int | None = None, **kwargs):
        self.fallback, self.minimum, self.maximum = fallback, minimum, maximum
        super().__init__(required=False, default=fallback, min_value=minimum, max_value=maximum, **kwargs)

    def to_internal_value(self, data):
        try:
            value = int(str(data).strip())
        except ValueError:
            return self.fallback
        if value < self.minimum:
            return self.fallback
        return min(value, self.maximum) if self.maximum is not None else value


class DocumentListQuery(serializers.Serializer):
    query = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True,
                                  help_text="Full-text search (English stemming; web-search syntax: "
                                            "\"phrases\", or, -not)")
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES, required=False, allow_blank=True)
    limit = LenientIntegerField(fallback=20, minimum=1, maximum=100,
                                help_text="Default 20; at most 100 (larger values are cut to 100)")
    offset = LenientIntegerField(fallback=0, minimum=0)


class SearchRequestSerializer(serializers.Serializer):
    query = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=CATEGORY_CHOICES),
                                       required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False,
                                 help_text="A document matches when it has any of these tags")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10)
    useSemanticSearch = serializers.BooleanField(  # noqa: N815
        default=False, help_text="Rank by vector distance only (with `similarity`). Without it, full-text "
                                 "and vector rankings are fused once documents have embeddings")
