from django.urls import path

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
]
