"""The one exception handler: every exception of every API view becomes the contract's shape.

DRF calls `api_exception_handler` for its views; `error_response` gives Django's error handlers
(`core.views`) and middleware the same answer for what happens outside DRF: a refused Host, a body over
the upload limit, a CSRF failure, a lost database connection while the session is saved.
"""

import logging
import uuid

from django.core.exceptions import BadRequest, DisallowedHost, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from .errors import ApiError, InvalidRequest, PayloadTooLarge, ServerError, ServiceUnavailable
from .renderers import ORJSONRenderer

logger = logging.getLogger("agentpod.api")

UNAUTHORIZED_BODY = {"error": "Unauthorized", "message": "Valid session or API key required"}
# What a 503 tells clients and load balancers: try again later, not at once.
RETRY_AFTER_SECONDS = 5


def is_database_unavailable(exc: BaseException | None) -> bool:
    """The database cannot be reached or dropped the connection (Django wraps the driver's errors in these
    two): the request may succeed later, so it is a 503, not a bug."""
    return isinstance(exc, (OperationalError, InterfaceError))


def api_exception_handler(exc, context):
    response = _render(exc)
    request = context.get("request")
    if is_database_unavailable(exc):
        logger.warning("Database unavailable in %s: %s", getattr(request, "path", "?"), exc)
    elif response.status_code >= 500 and not isinstance(exc, (ApiError, exceptions.APIException)):
        # The body says nothing about the failure (DECISIONS 7, 14); the log has it, under an id the
        # client can quote.
        request_id = (request.META.get("HTTP_X_REQUEST_ID") if request is not None else None) or uuid.uuid4().hex
        logger.error("Unhandled exception in %s [request %s]", getattr(request, "path", "?"), request_id,
                     exc_info=(type(exc), exc, exc.__traceback__))
        response["X-Request-ID"] = request_id
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait) + (exc.wait % 1 > 0))
    if response.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    return response


def error_response(exc, request=None) -> HttpResponse:
    """`api_exception_handler`'s answer to `exc`, rendered, for code that runs outside a DRF view."""
    response = api_exception_handler(exc, {"request": request})
    response.accepted_renderer = ORJSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {"request": request}
    return response.render()


def _render(exc) -> Response:
    if isinstance(exc, ApiError):
        return Response(exc.body(), status=exc.status_code)
    if is_database_unavailable(exc):
        return Response(ServiceUnavailable().body(), status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(exc, RequestDataTooBig):
        return Response(PayloadTooLarge().body(), status=PayloadTooLarge.status_code)
    if isinstance(exc, DisallowedHost):
        return Response(InvalidRequest(details="Host not allowed").body(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (SuspiciousOperation, BadRequest)):
        # Django's own 400s (an unsafe redirect, a malformed multipart body...): their text may quote
        # the request, so it stays in the log.
        return Response(InvalidRequest().body(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return Response(UNAUTHORIZED_BODY, status=status.HTTP_401_UNAUTHORIZED)
    if isinstance(exc, (exceptions.PermissionDenied, DjangoPermissionDenied)):
        return Response({"error": "Forbidden"}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, (exceptions.NotFound, Http404)):
        return Response({"error": "Not found"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Response({"error": "Method not allowed"}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return Response({"error": "Unsupported media type", "details": "Send a JSON body (application/json)"},
                        status=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE)
    if isinstance(exc, exceptions.ParseError):
        return Response({"error": "Invalid request", "details": "Malformed JSON in request body"},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        details = "; ".join(f"{name}: {' '.join(problems)}" if name else " ".join(problems)
                            for name, problems in fields.items())
        return Response({"error": "Invalid request", "details": details, "fields": fields},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.Throttled):
        return Response({"error": "Too many requests. Please try again later."},
                        status=status.HTTP_429_TOO_MANY_REQUESTS)
    if isinstance(exc, exceptions.APIException):
        return Response({"error": str(exc.detail)}, status=exc.status_code)
    return Response(ServerError().body(), status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as `{"field.sub": ["problem", ...]}`."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            for flat_key, problems in _flatten(value, name).items():
                flat.setdefault(flat_key, []).extend(problems)
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix: [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            for flat_key, problems in _flatten(item, f"{prefix}[{index}]").items():
                flat.setdefault(flat_key, []).extend(problems)
        return flat
    return {prefix: [str(detail)]}
