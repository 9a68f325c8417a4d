"""Knowledge documents in the admin (the embedding vector itself is not editable by hand)."""

from django.contrib import admin

from .models import KnowledgeDocument


@admin.register(KnowledgeDocument)
class KnowledgeDocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "category", "embedding_status", "version", "updated_at"]
    list_filter = ["category", "embedding_status"]
    search_fields = ["title", "description", "content"]
    exclude = ["embedding"]
    readonly_fields = ["id", "created_at", "updated_at"]
