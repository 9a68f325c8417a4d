"""`/api/providers`: the models.dev catalogue, the caller's credentials and default, the Copilot device flow.

api-contract 2.7 with the DECISIONS corrections: everything is the caller's own (credentials,
default provider, OAuth flows; another user's flow is answered as a missing one), nullable keys are
present as null, and models.dev being unreachable with nothing cached is a 503, not a crash.
Signed-in users only: the service token gets 403 (DECISIONS 4).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from core.api.errors import NotFound
from core.api.schema import error_response, error_responses
from core.serializers import SuccessSerializer, parse_query, success

from .. import selectors, services
from ..catalogue import POPULAR_PROVIDERS, catalogue_reload
from ..conf import setting
from . import serializers as s

# Every operation: 401 without a session, 403 for the service token; then each its own.
USER = error_responses(401, 403)
NOT_FOUND = error_responses(404)
BAD_REQUEST = error_responses(400)
UNAVAILABLE = {503: error_response('`{"error": "Provider catalogue unavailable"}`: models.dev is unreachable and '
                                   'no copy is cached')}
THROTTLED = error_responses(429, e429="Too many calls of this action; `Retry-After` says when to try again")
PROVIDER_ID = OpenApiParameter("provider_id", str, OpenApiParameter.PATH,
                               description="A models.dev provider id")
STATE_ID = OpenApiParameter("state_id", str, OpenApiParameter.PATH,
                            description="The `stateId` from oauth/init")


class OutboundCallThrottle(UserRateThrottle):
    """Per-user limit on an action that calls models.dev or GitHub, so no client can make us hammer them."""

    def __init__(self, *, action: str, rate: str):
        self.scope, self.rate = f"providers.{action}", rate
        super().__init__()


THROTTLE_RATES = {"refresh_cache": "PROVIDERS_REFRESH_CACHE_RATE", "oauth_init": "PROVIDERS_OAUTH_INIT_RATE",
                  "oauth_poll": "PROVIDERS_OAUTH_POLL_RATE"}


# Routed explicitly in `urls.py`, so that fixed paths (`configured`, `oauth/init`) precede ids. The list
# action is not called `list`: drf-spectacular would describe its response as an array.
class ProviderViewSet(viewsets.ViewSet):
    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action in THROTTLE_RATES:
            rate = setting(THROTTLE_RATES[self.action])
            throttles.append(OutboundCallThrottle(action=self.action, rate=rate))
        return throttles

    @extend_schema(operation_id="providers_list", summary="List providers",
                   parameters=[s.ProviderListQuery],
                   responses={200: s.ProviderListResponse, **BAD_REQUEST, **USER, **UNAVAILABLE})
    def catalogue(self, request):
        popular_only = parse_query(s.ProviderListQuery, request)["popularOnly"]
        providers = selectors.provider_list(user=request.user, popular_only=popular_only)
        return Response(s.ProviderListResponse({
            "providers": providers, "totalCount": None if popular_only else len(providers),
            "popularCount": len(POPULAR_PROVIDERS)}).data)

    @extend_schema(summary="The caller's configured providers",
                   responses={200: s.ConfiguredListResponse, **USER, **UNAVAILABLE})
    def configured(self, request):
        return Response(s.ConfiguredListResponse({
            "providers": selectors.configured_provider_list(user=request.user)}).data)

    @extend_schema(summary="The caller's default provider",
                   responses={200: s.DefaultProviderResponse, **USER, **UNAVAILABLE})
    def default(self, request):
        provider, message = selectors.default_provider(user=request.user)
        return Response(s.DefaultProviderResponse({"provider": provider, "message": message}).data)

    @extend_schema(summary="Fetch the models.dev catalogue now", request=None,
                   responses={200: s.RefreshCacheResponse, **USER, **THROTTLED, **UNAVAILABLE})
    def refresh_cache(self, request):
        providers = catalogue_reload()
        return Response(s.RefreshCacheResponse({"success": True, "message": "Provider cache refreshed",
                                                "providerCount": len(providers)}).data)

    @extend_schema(summary="One provider with its models", parameters=[PROVIDER_ID],
                   responses={200: s.ProviderDetailResponse, **USER, **NOT_FOUND, **UNAVAILABLE})
    def retrieve(self, request, provider_id):
        provider = selectors.provider_get(user=request.user, provider_id=provider_id)
        if provider is None:
            raise NotFound(f"Provider not found: {provider_id}")
        return Response(s.ProviderDetailResponse({"provider": provider}).data)

    @extend_schema(summary="Remove the caller's credential", parameters=[PROVIDER_ID],
                   responses={200: SuccessSerializer, **USER, **NOT_FOUND})
    def destroy(self, request, provider_id):
        services.credential_delete(user=request.user, provider_id=provider_id)
        return Response(success("Provider credentials removed"))

    @extend_schema(summary="Store an API key (encrypted)", parameters=[PROVIDER_ID],
                   request=s.ConfigureInput,
                   responses={200: s.ConfigureResponse, **BAD_REQUEST, **USER, **NOT_FOUND, **UNAVAILABLE})
    def configure(self, request, provider_id):
        data = s.ConfigureInput(data=request.data)
        data.is_valid(raise_exception=True)
        provider = services.credential_configure(user=request.user, provider_id=provider_id,
                                                 api_key=data.validated_data["apiKey"], request=request)
        return Response(s.ConfigureResponse({
            "success": True, "message": "Provider configured successfully",
            "provider": {"id": provider.id, "name": provider.name, "isConfigured": True}}).data)

    @extend_schema(summary="Make a configured provider the caller's default", parameters=[PROVIDER_ID],
                   request=None, responses={200: SuccessSerializer, **BAD_REQUEST, **USER})
    def set_default(self, request, provider_id):
        services.default_provider_set(user=request.user, provider_id=provider_id)
        return Response(success(f"{provider_id} is now the default provider"))

    @extend_schema(summary="Start the GitHub Copilot device flow", parameters=[PROVIDER_ID], request=None,
                   responses={200: s.OAuthInitResponse, **BAD_REQUEST, **USER, **THROTTLED,
                              503: error_response("GitHub did not issue a device code")})
    def oauth_init(self, request, provider_id):
        state = services.device_flow_init(user=request.user, provider_id=provider_id, request=request)
        return Response(s.OAuthInitResponse(state).data)

    @extend_schema(summary="Poll the device flow; stores the token when GitHub issues it",
                   parameters=[PROVIDER_ID], request=s.OAuthPollInput,
                   responses={200: s.OAuthPollResponse, **BAD_REQUEST, **USER, **THROTTLED})
    def oauth_poll(self, request, provider_id):
        data = s.OAuthPollInput(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.device_flow_poll(user=request.user, provider_id=provider_id,
                                            state_id=data.validated_data["stateId"], request=request)
        return Response(s.OAuthPollResponse(outcome).data)

    @extend_schema(summary="A device flow's recorded status", parameters=[PROVIDER_ID, STATE_ID],
                   responses={200: s.OAuthStatusResponse, **BAD_REQUEST, **USER, **NOT_FOUND})
    def oauth_status(self, request, provider_id, state_id):
        outcome = services.device_flow_status(user=request.user, provider_id=provider_id, state_id=state_id)
        return Response(s.OAuthStatusResponse(outcome).data)

    @extend_schema(summary="Cancel a device flow", parameters=[PROVIDER_ID, STATE_ID],
                   responses={200: SuccessSerializer, **BAD_REQUEST, **USER})
    def oauth_cancel(self, request, provider_id, state_id):
        services.device_flow_cancel(user=request.user, provider_id=provider_id, state_id=state_id)
        return Response(success("OAuth flow cancelled"))
