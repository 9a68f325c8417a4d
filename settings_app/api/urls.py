from django.urls import path

from . import views

urlpatterns = [
    path("users/me/preferences", views.PreferencesView.as_view(), name="preferences"),
    path("users/me/preferences/version", views.PreferencesVersionView.as_view(), name="preferences-version"),
    path("users/me/preferences/sync", views.PreferencesSyncView.as_view(), name="preferences-sync"),
    path("users/<str:user_id>/opencode/config", views.OpencodeConfigView.as_view(), name="opencode-config"),
    path("users/<str:user_id>/opencode/settings", views.OpencodeSettingsView.as_view(), name="opencode-settings"),
    path("users/<str:user_id>/opencode/agents-md", views.OpencodeAgentsMdView.as_view(), name="opencode-agents-md"),
    path("users/<str:user_id>/opencode/files", views.OpencodeFilesView.as_view(), name="opencode-files"),
    path("users/<str:user_id>/opencode/files/<str:file_type>/<str:name>", views.OpencodeFileView.as_view(),
         name="opencode-file"),
    path("users/<str:user_id>/opencode/init", views.OpencodeInitView.as_view(), name="opencode-init"),
]
