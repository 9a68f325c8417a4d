"""Public endpoints that belong to no domain, and the JSON answers for unknown paths and crashes."""

from django.http import JsonResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

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


def not_found(request, exception=None):
    return JsonResponse({"error": "Not found"}, status=404)


def server_error(request):
    return JsonResponse({"error": "Internal server error"}, status=500)
