"""`/api/users/me/activity`: the caller's own activity, listed, counted and exported (api-contract 2.5)."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import iso_datetime, parse_query

from .. import selectors
from . import serializers as s


class ActivityListView(APIView):
    @extend_schema(parameters=[s.ActivityListQuery])
    def get(self, request):
        query = parse_query(s.ActivityListQuery, request)
        entries = selectors.activity_for_user(user_id=request.user.pk, action=query.get("action"))
        page = entries[query["offset"]:query["offset"] + query["limit"]]
        return Response({
            "activities": s.ActivityLogSerializer(page, many=True).data,
            "pagination": {"total": entries.count(), "limit": query["limit"], "offset": query["offset"]},
        })


class ActivityStatsView(APIView):
    @extend_schema(parameters=[s.ActivityStatsQuery])
    def get(self, request):
        query = parse_query(s.ActivityStatsQuery, request)
        stats = selectors.activity_stats(user_id=request.user.pk, start=query.get("startDate"),
                                         end=query.get("endDate"))
        return Response({**stats, "period": {
            "start": iso_datetime(query["startDate"]) if query.get("startDate") else "all time",
            "end": iso_datetime(query["endDate"]) if query.get("endDate") else "now",
        }})


class ActivityExportView(APIView):
    @extend_schema(parameters=[s.ActivityExportQuery])
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
    def get(self, request, entity_type, entity_id):
        entries = selectors.activity_for_entity(user_id=request.user.pk, entity_type=entity_type, entity_id=entity_id)
        return Response({"entityType": entity_type, "entityId": entity_id,
                         "activities": s.ActivityLogSerializer(entries, many=True).data})
