"""Knowledge documents (templates, patterns, guides) with pgvector embeddings for search."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import TextField, Value
from django.db.models.functions import Cast
from pgvector.django import HnswIndex, VectorField

from core.fields import JSONTextField, choices_check
from core.ids import nanoid
from core.models import TimeStampedModel

EMBEDDING_DIMENSIONS = 1536
# The text search configuration of the full-text index and of every query against it: English stemming
# ("tests" and "testing" are both "test") and stop words.
SEARCH_CONFIG = "english"


class KnowledgeCategory(models.TextChoices):
    PROJECT_TEMPLATE = "project_template"
    AGENT_PATTERN = "agent_pattern"
    COMMAND_TEMPLATE = "command_template"
    TOOL_TEMPLATE = "tool_template"
    PLUGIN_TEMPLATE = "plugin_template"
    MCP_TEMPLATE = "mcp_template"
    WORKFLOW_PATTERN = "workflow_pattern"
    BEST_PRACTICE = "best_practice"
    PROVIDER_GUIDE = "provider_guide"


class EmbeddingStatus(models.TextChoices):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class KnowledgeDocument(TimeStampedModel):
    id = models.TextField(primary_key=True, default=nanoid, editable=False)
    category = models.TextField(choices=KnowledgeCategory.choices)
    title = models.TextField()
    description = models.TextField(null=True, blank=True)
    content = models.TextField()
    # blank: the admin may save a document without tags or metadata (the API shows [] and {}).
    tags = JSONTextField(null=True, blank=True, default=list, db_default=Value("[]"))
    applicable_to = JSONTextField(null=True, blank=True)
    metadata = JSONTextField(null=True, blank=True, default=dict, db_default=Value("{}"))
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS, null=True, blank=True)
    embedding_status = models.TextField(choices=EmbeddingStatus.choices, null=True, default=EmbeddingStatus.PENDING,
                                        db_default=EmbeddingStatus.PENDING)
    version = models.IntegerField(null=True, default=1, db_default=1)
    # Extra columns (RULES.md allows nullable ones), both hidden from the API:
    # - the weighted full-text document, kept by PostgreSQL itself, so rows written by plain SQL (COPY,
    #   psql) are searchable too and ranking never re-parses `content`;
    # - which text and model the stored `embedding` was computed from (knowledge.services.knowledge_embed),
    #   so a re-run embeds only what changed.
    search_vector = models.GeneratedField(
        expression=(SearchVector("title", config=SEARCH_CONFIG, weight="A")
                    + SearchVector("description", Cast("tags", TextField()), config=SEARCH_CONFIG, weight="B")
                    + SearchVector("content", config=SEARCH_CONFIG, weight="C")),
        output_field=SearchVectorField(), db_persist=True)
    embedded_hash = models.TextField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "knowledge_documents"
        ordering = ["category", "title"]
        constraints = [
            choices_check("category", KnowledgeCategory),
            choices_check("embedding_status", EmbeddingStatus),
        ]
        indexes = [
            models.Index(fields=["category"], name="knowledge_category_idx"),
            models.Index(fields=["updated_at"], name="knowledge_updated_idx"),
            models.Index(fields=["embedding_status"], name="knowledge_embedding_status_idx"),
            GinIndex(fields=["search_vector"], name="knowledge_search_vector_idx"),
            # Cosine distance (`<=>`), the distance semantic search orders by.
            HnswIndex(fields=["embedding"], name="knowledge_embedding_hnsw_idx", m=16, ef_construction=64,
                      opclasses=["vector_cosine_ops"]),
        ]

    def __str__(self) -> str:
        return self.title
