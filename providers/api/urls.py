"""`/api/providers/*`, routed by hand: fixed paths come before `<provider_id>`, and
`oauth/init` / `oauth/poll` before `oauth/<state_id>` (a router would order actions by name)."""

from django.urls import path

from .views import ProviderViewSet


def route(**actions):
    return ProviderViewSet.as_view(actions)


urlpatterns = [
    path("providers", route(get="catalogue"), name="provider-list"),
    path("providers/configured", route(get="configured"), name="provider-configured"),
    path("providers/default", route(get="default"), name="provider-default"),
    path("providers/refresh-cache", route(post="refresh_cache"), name="provider-refresh-cache"),
    path("providers/<str:provider_id>", route(get="retrieve", delete="destroy"), name="provider-detail"),
    path("providers/<str:provider_id>/configure", route(post="configure"), name="provider-configure"),
    path("providers/<str:provider_id>/set-default", route(post="set_default"), name="provider-set-default"),
    path("providers/<str:provider_id>/oauth/init", route(post="oauth_init"), name="provider-oauth-init"),
    path("providers/<str:provider_id>/oauth/poll", route(post="oauth_poll"), name="provider-oauth-poll"),
    path("providers/<str:provider_id>/oauth/status/<str:state_id>", route(get="oauth_status"),
         name="provider-oauth-status"),
    path("providers/<str:provider_id>/oauth/<str:state_id>", route(delete="oauth_cancel"),
         name="provider-oauth-cancel"),
]
