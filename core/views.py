"""Public endpoints that belong to no domain: the liveness probe."""

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.serializers import iso_datetime


@require_GET
def health(request):
    """`GET /health`: the process answers. No database check, as the contract says."""
    return JsonResponse({"status": "ok", "timestamp": iso_datetime(timezone.now())})
