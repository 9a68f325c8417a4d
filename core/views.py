"""Public endpoints that belong to no domain, and Django's error views: every answer of the server is JSON.

The error views (`handler400`, `handler403`, `handler404`, `handler500` in config/urls.py and
CSRF_FAILURE_VIEW) answer through the one exception handler, as DRF views do.
"""

import sys

from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.db import DatabaseError, connection
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api.errors import Forbidden, ServerError, ServiceUnavailable
from core.api.exception_handler import error_response, is_database_unavailable
from core.api.schema import error_response as error_schema
from core.serializers import iso_datetime


@extend_schema(summary="Liveness probe", operation_id="health", responses=inline_serializer("Health", {
    "status": serializers.CharField(help_text='"ok"'),
    "timestamp": serializers.CharField(help_text="ISO 8601, UTC")}))
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request):
    """`GET /health`: the process answers. No database check, as the contract says."""
    return Response({"status": "ok", "timestamp": iso_datetime(timezone.now())})


def database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def cache_ready() -> bool:
    # A shared cache (CACHE_URL) is another server: whatever its client raises means it is not usable.
    try:
        cache.set("agentpod:ready", "1", timeout=10)
        return cache.get("agentpod:ready") == "1"
    except Exception:
        return False


@extend_schema(summary="Readiness probe", operation_id="health_ready", responses={
    200: inline_serializer("Ready", {
        "status": serializers.CharField(help_text='"ready"'),
        "checks": serializers.DictField(child=serializers.CharField(),
                                        help_text='`{"database": "ok", "cache": "ok"}`')}),
    503: error_schema("Not ready: `details` names what is unavailable, `checks` has each check's state; "
                      "`Retry-After` says when to ask again")})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def ready(request):
    """`GET /health/ready`: whether this process can serve requests (the database and the cache answer), for
    load balancers and orchestrators; `/health` stays the cheap liveness check."""
    checks = {"database": "ok" if database_ready() else "unavailable",
              "cache": "ok" if cache_ready() else "unavailable"}
    failing = [name for name, state in checks.items() if state != "ok"]
    if failing:
        raise ServiceUnavailable(details="; ".join(f"{name}: unavailable" for name in failing),
                                 extra={"checks": checks})
    return Response({"status": "ready", "checks": checks})


@extend_schema(summary="API name and version", operation_id="info", responses=inline_serializer("ApiInfo", {
    "name": serializers.CharField(), "version": serializers.CharField(), "description": serializers.CharField(),
    "status": serializers.CharField(help_text='"running"')}))
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def api_info(request):
    return Response({"name": "Management API", "version": "0.4.0",
                     "description": "Portable Command Center - Project & Container Orchestration",
                     "status": "running"})


def bad_request(request, exception=None):
    """A refused Host, an unsafe redirect (an over-long path), a body over the upload limit (413)."""
    return error_response(exception or BadRequest(), request)


def permission_denied(request, exception=None):
    return error_response(Forbidden(), request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form post (allauth's pages, the admin) without a valid CSRF token."""
    return error_response(Forbidden(details="CSRF verification failed"), request)


def not_found(request, exception=None):
    return error_response(Http404(), request)


def server_error(request):
    """An exception no view handled, a middleware's included (the session saved after the view). Django
    has logged it; a lost database is still a 503, anything else says nothing about itself."""
    exception = sys.exc_info()[1]
    return error_response(exception if is_database_unavailable(exception) else ServerError(), request)
