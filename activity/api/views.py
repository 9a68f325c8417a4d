"""`/api/users/me/activity`: the caller's own activity, listed, counted and exported (api-contract 2.5)."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import error_responses
from core.serializers import PaginationSerializer, iso_datetime, pagination, parse_query

from .. import selectors
from . import serializers as s

# -- OpenAPI shapes (schema only: the views build the same dicts) ------------------------------------------

class ActivityListResponse(serializers.Serializer):
    activities = s.ActivityLogSerializer(many=True)
    pagination = PaginationSerializer(help_text="`total` counts all of the caller's entries, whatever `action`")


class ActionCountSerializer(serializers.Serializer):
    action = serializers.CharField()
    count = serializers.IntegerField()


class ActivityPeriodSerializer(serializers.Serializer):
    start = serializers.CharField(help_text='`startDate` (ISO 8601) or "all time"')
    end = serializers.CharField(help_text='`endDate` (ISO 8601) or "now"')


class ActivityStatsResponse(serializers.Serializer):
    total = serializers.IntegerField()
    byAction = ActionCountSerializer(many=True, help_text="By count, descending")  # noqa: N815
    period = ActivityPeriodSerializer()


class ActivityExportResponse(serializers.Serializer):
    exportedAt = serializers.CharField(help_text="ISO 8601, UTC")  # noqa: N815
    userId = serializers.CharField()  # noqa: N815
    count = serializers.IntegerField()
    activities = s.ActivityLogSerializer(many=True)


class ActivityEntityResponse(serializers.Serializer):
    entityType = serializers.CharField()  # noqa: N815
    entityId = serializers.CharField()  # noqa: N815
    activities = s.ActivityLogSerializer(many=True)


USER_ERRORS = error_responses(401, 403)
EXPORTED = ('A download (`Content-Disposition: attachment; filename="activity-<userId>.<format>"`): JSON for '
            "`format=json`; for `format=csv`, the header `id,action,entityType,entityId,createdAt` and one line per "
            "entry, every value double-quoted, no trailing newline")
QUERY_ERRORS = error_responses(400, 401, 403)


class ActivityListView(APIView):
    @extend_schema(summary="The caller's activity, newest first", parameters=[s.ActivityListQuery],
                   responses={200: ActivityListResponse, **QUERY_ERRORS})
    def get(self, request):
        query = parse_query(s.ActivityListQuery, request)
        entries = selectors.activity_for_user(user_id=request.user.pk, action=query.get("action"))
        page = entries[query["offset"]:query["offset"] + query["limit"]]
        return Response({
            "activities": s.ActivityLogSerializer(page, many=True).data,
            "pagination": pagination(total=entries.count(), query=query),
        })


class ActivityStatsView(APIView):
    @extend_schema(summary="Activity counts, overall and by action", parameters=[s.ActivityStatsQuery],
                   responses={200: ActivityStatsResponse, **QUERY_ERRORS})
    def get(self, request):
        query = parse_query(s.ActivityStatsQuery, request)
        stats = selectors.activity_stats(user_id=request.user.pk, start=query.get("startDate"),
                                         end=query.get("endDate"))
        return Response({**stats, "period": {
            "start": iso_datetime(query["startDate"]) if query.get("startDate") else "all time",
            "end": iso_datetime(query["endDate"]) if query.get("endDate") else "now",
        }})


class ActivityExportView(APIView):
    @extend_schema(summary="Download the caller's activity as JSON or CSV", parameters=[s.ActivityExportQuery],
                   responses={
                       (200, "application/json"): OpenApiResponse(ActivityExportResponse, description=EXPORTED),
                       (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=EXPORTED),
                       **QUERY_ERRORS})
    def get(self, request):
        query = parse_query(s.ActivityExportQuery, request)
        entries = list(selectors.activity_for_user(user_id=request.user.pk)[:query["limit"]])
        filename = f"activity-{request.user.pk}.{query['format']}"
        if query["format"] == "csv":
            response = HttpResponse(activity_csv(entries), content_type="text/csv")
        else:
            response = Response({"exportedAt": iso_datetime(timezone.now()), "userId": request.user.pk,
                                 "count": len(entries), "activities": s.ActivityLogSerializer(entries, many=True).data})
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def activity_csv(entries) -> str:
    """The old server's CSV: every value double-quoted, quotes doubled, `\\n` between lines, none at the end."""
    def quoted(value) -> str:
        return '"' + str(value if value is not None else "").replace('"', '""') + '"'

    lines = ["id,action,entityType,entityId,createdAt"]
    lines += [",".join(quoted(v) for v in (e.id, e.action, e.entity_type, e.entity_id, iso_datetime(e.created_at)))
              for e in entries]
    return "\n".join(lines)


class ActivityEntityView(APIView):
    @extend_schema(summary="The caller's activity on one entity (of its 50 newest entries)",
                   parameters=[OpenApiParameter("entity_type", str, OpenApiParameter.PATH),
                               OpenApiParameter("entity_id", str, OpenApiParameter.PATH)],
                   responses={200: ActivityEntityResponse, **USER_ERRORS})
    def get(self, request, entity_type, entity_id):
        entries = selectors.activity_for_entity(user_id=request.user.pk, entity_type=entity_type, entity_id=entity_id)
        return Response({"entityType": entity_type, "entityId": entity_id,
                         "activities": s.ActivityLogSerializer(entries, many=True).data})
