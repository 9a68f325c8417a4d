from django.urls import path

from . import views

# `clone` comes before `<name>`: it is a reserved name (repos.paths.RESERVED_NAMES).
urlpatterns = [
    path("v2/repos", views.RepositoryListView.as_view(), name="repos"),
    path("v2/repos/clone", views.RepositoryCloneView.as_view(), name="repos-clone"),
    path("v2/repos/<str:name>", views.RepositoryDetailView.as_view(), name="repo"),
    path("v2/repos/<str:name>/files", views.RepositoryFilesView.as_view(), name="repo-files"),
    path("v2/repos/<str:name>/file", views.RepositoryFileView.as_view(), name="repo-file"),
    path("v2/repos/<str:name>/status", views.RepositoryStatusView.as_view(), name="repo-status"),
    path("v2/repos/<str:name>/stage", views.RepositoryStageView.as_view(), name="repo-stage"),
    path("v2/repos/<str:name>/commit", views.RepositoryCommitView.as_view(), name="repo-commit"),
    path("v2/repos/<str:name>/log", views.RepositoryLogView.as_view(), name="repo-log"),
    path("v2/repos/<str:name>/commit/<str:sha>", views.RepositoryCommitDetailView.as_view(),
         name="repo-commit-detail"),
    path("v2/repos/<str:name>/branches", views.RepositoryBranchesView.as_view(), name="repo-branches"),
    # Branch names may hold slashes (feature/x).
    path("v2/repos/<str:name>/branches/<path:branch>", views.RepositoryBranchView.as_view(),
         name="repo-branch"),
    path("v2/repos/<str:name>/checkout", views.RepositoryCheckoutView.as_view(), name="repo-checkout"),
    path("v2/repos/<str:name>/diff", views.RepositoryDiffView.as_view(), name="repo-diff"),
]
