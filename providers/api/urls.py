"""`/api/providers/*`, routed by hand: fixed paths come before `<provider_id>`, and
`oauth/init` / `oauth/poll` before `oauth/<state_id>` (a router would order actions by name)."""

from django.urls import path, register_converter

from .views import ProviderViewSet


class SegmentConverter:
    """A path segment PostgreSQL can compare: no NUL character (`%00` would fail inside the query)."""

    regex = "[^/\\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SegmentConverter, "provider_segment")

PROVIDER = "providers/<provider_segment:provider_id>"
STATE = "<provider_segment:state_id>"


def route(**actions):
    return ProviderViewSet.as_view(actions)


urlpatterns = [
    path("providers", route(get="catalogue"), name="provider-list"),
    path("providers/configured", route(get="configured"), name="provider-configured"),
    path("providers/default", route(get="default"), name="provider-default"),
    path("providers/refresh-cache", route(post="refresh_cache"), name="provider-refresh-cache"),
    path(PROVIDER, route(get="retrieve", delete="destroy"), name="provider-detail"),
    path(f"{PROVIDER}/configure", route(post="configure"), name="provider-configure"),
    path(f"{PROVIDER}/set-default", route(post="set_default"), name="provider-set-default"),
    path(f"{PROVIDER}/oauth/init", route(post="oauth_init"), name="provider-oauth-init"),
    path(f"{PROVIDER}/oauth/poll", route(post="oauth_poll"), name="provider-oauth-poll"),
    path(f"{PROVIDER}/oauth/status/{STATE}", route(get="oauth_status"), name="provider-oauth-status"),
    path(f"{PROVIDER}/oauth/{STATE}", route(delete="oauth_cancel"), name="provider-oauth-cancel"),
]
