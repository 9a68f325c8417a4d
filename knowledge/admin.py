"""Knowledge documents in the admin, the knowledge base's editor (the embedding vector is not editable)."""

from django.contrib import admin

from . import services
from .models import KnowledgeDocument


@admin.register(KnowledgeDocument)
class KnowledgeDocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "category", "embedding_status", "version", "updated_at"]
    list_filter = ["category", "embedding_status"]
    search_fields = ["title", "description", "content"]
    exclude = ["embedding"]
    readonly_fields = ["id", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        # An edit of the text makes the stored embedding stale until `embed_knowledge` runs again.
        services.document_embedding_refresh(document=obj)
        super().save_model(request, obj, form, change)
