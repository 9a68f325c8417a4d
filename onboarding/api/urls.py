from django.urls import path

from . import views

# The fixed paths come before `<onboarding_id>`, as the old router matched them (api-contract 2.15).
urlpatterns = [
    path("onboarding", views.OnboardingListView.as_view(), name="onboarding-list"),
    path("onboarding/stats", views.OnboardingStatsView.as_view(), name="onboarding-stats"),
    path(
        "onboarding/models/recommend", views.ModelRecommendView.as_view(), name="onboarding-models-recommend"
    ),
    path(
        "onboarding/providers/setup/<str:provider_id>",
        views.ProviderSetupView.as_view(),
        name="onboarding-provider-setup",
    ),
    path(
        "onboarding/sandbox/<str:sandbox_id>", views.SandboxSessionView.as_view(), name="onboarding-sandbox"
    ),
    path("onboarding/<str:onboarding_id>", views.OnboardingDetailView.as_view(), name="onboarding-detail"),
    path("onboarding/<str:onboarding_id>/start", views.start, name="onboarding-start"),
    path("onboarding/<str:onboarding_id>/requirements", views.requirements, name="onboarding-requirements"),
    path("onboarding/<str:onboarding_id>/models", views.models, name="onboarding-models"),
    path("onboarding/<str:onboarding_id>/complete", views.complete, name="onboarding-complete"),
    path("onboarding/<str:onboarding_id>/skip", views.skip, name="onboarding-skip"),
    path("onboarding/<str:onboarding_id>/reset", views.ResetView.as_view(), name="onboarding-reset"),
    path("onboarding/<str:onboarding_id>/apply", views.ApplyView.as_view(), name="onboarding-apply"),
    path("onboarding/<str:onboarding_id>/link", views.LinkView.as_view(), name="onboarding-link"),
    path(
        "onboarding/<str:onboarding_id>/config", views.AppliedConfigView.as_view(), name="onboarding-config"
    ),
    path(
        "onboarding/<str:onboarding_id>/validate-sandbox",
        views.ValidateSandboxView.as_view(),
        name="onboarding-validate-sandbox",
    ),
]
