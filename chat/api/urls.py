from django.urls import path

from . import opencode_views as opencode
from . import views

urlpatterns = [
    path("v2/sandboxes/<str:sandbox_id>/chat/sessions", views.ChatSessionListView.as_view(), name="chat-sessions"),
    path("v2/sandboxes/<str:sandbox_id>/chat/sessions/<str:session_id>", views.ChatSessionDetailView.as_view(),
         name="chat-session"),
    path("v2/sandboxes/<str:sandbox_id>/chat/sessions/<str:session_id>/messages", views.ChatMessageListView.as_view(),
         name="chat-messages"),
    path("v2/sandboxes/<str:sandbox_id>/chat/sessions/<str:session_id>/sync", views.ChatSessionSyncView.as_view(),
         name="chat-session-sync"),
    path("v2/sandboxes/<str:sandbox_id>/chat/sync/status", views.ChatSyncStatusView.as_view(), name="chat-sync-status"),
    path("v2/sandboxes/<str:sandbox_id>/chat/sync", views.ChatFullSyncView.as_view(), name="chat-sync"),

    # The OpenCode proxy (api-contract 2.11)
    path("v2/sandboxes/<str:sandbox_id>/opencode/session", opencode.SessionListView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/session/<str:session_id>", opencode.SessionDetailView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/session/<str:session_id>/abort",
         opencode.SessionAbortView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/session/<str:session_id>/message",
         opencode.MessageListView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/session/<str:session_id>/message/<str:message_id>",
         opencode.MessageDetailView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/session/<str:session_id>/permissions/<str:permission_id>",
         opencode.PermissionView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/file", opencode.FileListView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/file/content", opencode.FileContentView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/find/file", opencode.FindFileView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/app", opencode.AppView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/providers", opencode.ProvidersView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/agents", opencode.AgentsView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/health", opencode.HealthView.as_view()),
    path("v2/sandboxes/<str:sandbox_id>/opencode/event", opencode.EventStreamView.as_view()),
]
