"""`/api/auth/*`: Better Auth-compatible sign-in for the existing clients."""

from django.urls import path

from . import views

urlpatterns = [
    path("sign-up/email", views.SignUpEmailView.as_view(), name="better-auth-sign-up"),
    path("sign-in/email", views.SignInEmailView.as_view(), name="better-auth-sign-in"),
    path("sign-in/social", views.SignInSocialView.as_view(), name="better-auth-sign-in-social"),
    path("get-session", views.GetSessionView.as_view(), name="better-auth-get-session"),
    path("list-sessions", views.ListSessionsView.as_view(), name="better-auth-list-sessions"),
    path("sign-out", views.SignOutView.as_view(), name="better-auth-sign-out"),
    path("ok", views.OkView.as_view(), name="better-auth-ok"),
    path("social/<str:provider>/start", views.social_start, name="better-auth-social-start"),
    path("social/complete", views.social_complete, name="better-auth-social-complete"),
]
