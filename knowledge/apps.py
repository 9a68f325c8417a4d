from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """Knowledge documents with pgvector embeddings."""

    name = "knowledge"
    verbose_name = "Knowledge"
