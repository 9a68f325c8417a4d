"""Knowledge documents (templates, patterns, guides) with pgvector embeddings for search."""

from django.db import models
from django.db.models import Value
from pgvector.django import VectorField

from core.fields import JSONTextField, choices_check
from core.ids import nanoid
from core.models import TimeStampedModel

EMBEDDING_DIMENSIONS = 1536


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
    tags = JSONTextField(null=True, default=list, db_default=Value("[]"))
    applicable_to = JSONTextField(null=True, blank=True)
    metadata = JSONTextField(null=True, default=dict, db_default=Value("{}"))
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS, null=True, blank=True)
    embedding_status = models.TextField(choices=EmbeddingStatus.choices, null=True, default=EmbeddingStatus.PENDING,
                                        db_default=EmbeddingStatus.PENDING)
    version = models.IntegerField(null=True, default=1, db_default=1)

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
        ]

    def __str__(self) -> str:
        return self.title
