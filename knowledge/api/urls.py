from django.urls import path

from . import views

urlpatterns = [
    path("knowledge", views.KnowledgeListView.as_view(), name="knowledge-list"),
    path("knowledge/categories", views.KnowledgeCategoriesView.as_view(), name="knowledge-categories"),
    path("knowledge/stats", views.KnowledgeStatsView.as_view(), name="knowledge-stats"),
    path("knowledge/search", views.KnowledgeSearchView.as_view(), name="knowledge-search"),
    path("knowledge/<str:document_id>", views.KnowledgeDocumentView.as_view(), name="knowledge-document"),
    path("mcp/knowledge", views.McpKnowledgeView.as_view(), name="mcp-knowledge"),
]
