"""Shared OpenAPI pieces (drf-spectacular): the error bodies, ready-made error responses, the auth schemes.

The views import their error responses from here, which also registers the authentication extensions
below (drf-spectacular finds an extension once its module is imported). Schema only: nothing here
runs while a request is served.
"""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from .exception_handler import UNAUTHORIZED_BODY

# -- error bodies ----------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The one error body of the API (core.api.errors, core.api.exception_handler)."""

    error = serializers.CharField(help_text="What went wrong, for people.")
    details = serializers.CharField(required=False, help_text="More about it, when there is more to say.")
    # A declared field leaves the serializer's own `fields` property alone (the metaclass collects it).
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Validation failures only: each problem by field name (`a.b[0]` for nested fields).")


class UnauthorizedSerializer(serializers.Serializer):
    """The 401 body: `{"error": "Unauthorized", "message": "Valid session or API key required"}`."""

    error = serializers.CharField(help_text=f'"{UNAUTHORIZED_BODY["error"]}"')
    message = serializers.CharField(help_text=f'"{UNAUTHORIZED_BODY["message"]}"')


ERROR_DESCRIPTIONS = {
    400: "Invalid request: malformed JSON, or a parameter or field that fails validation",
    401: "No valid session, bearer token or API key",
    403: "Forbidden: not allowed for this caller (the service token, for one)",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict with the resource's current state",
    429: "Too many requests (the `Retry-After` header says when to try again)",
    500: "Internal server error",
    503: "A service this endpoint needs is unavailable",
}


def error_responses(*statuses: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """`{status: OpenApiResponse}` in the API's error shape; `descriptions` override by `e404="..."`."""
    responses = {}
    for code in statuses:
        description = descriptions.get(f"e{code}", ERROR_DESCRIPTIONS.get(code, "Error"))
        body = UnauthorizedSerializer if code == 401 else ErrorSerializer
        responses[code] = OpenApiResponse(body, description=description)
    return responses


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


# -- the schema class ------------------------------------------------------------------------------------


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, documenting a DELETE's body where the view says it takes one
    (`delete_takes_body`, with the body's serializer given by `extend_schema(request=)`).

    drf-spectacular documents bodies of POST, PUT and PATCH only; `DELETE /api/account` takes its
    confirmation in the body, as the old server's did, and a client generated from the schema must send it.
    """

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE" or not getattr(self.view, "delete_takes_body", False):
            return super()._get_request_body(direction)
        self.method = "POST"  # the parent's only gate on the method; everything else is method-independent
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


# -- envelopes -------------------------------------------------------------------------------------------

# The response of a list action that is one object holding the list (`{"addons": [...]}`), as every list
# of the contract is: without it drf-spectacular documents a list action's response as an array of it.
envelope = extend_schema_serializer(many=False)


# -- schema-only field types -------------------------------------------------------------------------------

@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONObjectField(serializers.JSONField):
    """A JSON object stored and returned verbatim (OpenCode settings, metadata)."""


@extend_schema_field(OpenApiTypes.ANY)
class AnyJSONField(serializers.JSONField):
    """Any JSON value."""


# -- authentication schemes (accounts.authentication) ----------------------------------------------------


class BearerSessionScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerSessionAuthentication"
    name = "bearerSession"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A Better Auth session token (`token` of sign-in/sign-up, or the `set-auth-token` "
                               "header), raw or signed: `Authorization: Bearer <token>`."}


class SessionCookieScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.SessionCookieAuthentication"
    name = "sessionCookie"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "agentpod.session_token",
                "description": "The signed session cookie set by sign-in (`__Secure-agentpod.session_token` "
                               "over HTTPS). Writes must come from a trusted origin."}


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ServiceTokenAuthentication"
    name = "serviceToken"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "`Authorization: Bearer $API_TOKEN`: operators' tools. It reaches only reference "
                               "data, OpenCode config reads and MCP; elsewhere it is refused (403)."}


class SandboxTokenScheme(OpenApiAuthenticationExtension):
    target_class = "sandboxes.authentication.SandboxTokenAuthentication"
    name = "sandboxToken"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "`Authorization: Bearer $AGENTPOD_API_TOKEN` inside a sandbox's container: it acts "
                               "for that sandbox's owner on their OpenCode config reads and MCP only; elsewhere "
                               "it is refused (403)."}
