"""Root URLconf: public probes, sign-in (Better Auth compatibility and allauth), the admin, the API.

Paths have no trailing slash and nothing redirects (api-contract 1.4); unknown paths answer JSON.
"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api.throttling import auth_rate_limited
from core.views import api_info, health, ready

urlpatterns = [
    path("health", health, name="health"),
    path("health/ready", ready, name="health-ready"),
    path("api/info", api_info, name="api-info"),
    path("api/auth/", include("accounts.api.urls")),
    path("api/", include("containers.api.urls")),
    path("api/", include("providers.api.urls")),
    path("api/", include("settings_app.api.urls")),
    path("api/", include("activity.api.urls")),
    path("api/", include("accounts.api.account_urls")),
    path("api/", include("chat.api.urls")),
    path("api/", include("sandboxes.api.urls")),
    path("api/", include("repos.api.urls")),
    path("api/", include("knowledge.api.urls")),
    path("api/", include("onboarding.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/schema", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Before the admin's own routes: its sign-in form is rate limited like the API's sign-in (DECISIONS 8).
    path("admin/login/", auth_rate_limited(admin.site.login)),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
