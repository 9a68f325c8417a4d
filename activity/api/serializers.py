"""The ActivityLog object of api-contract 2.5 (nullable fields present as null, DECISIONS 22)."""

from rest_framework import serializers

from core.serializers import IsoDateTimeField, LimitOffsetQuery

from ..models import ActivityLog


class ActivityLogSerializer(serializers.ModelSerializer):
    userId = serializers.CharField(source="user_id", allow_null=True)  # noqa: N815
    entityType = serializers.CharField(source="entity_type", allow_null=True)  # noqa: N815
    entityId = serializers.CharField(source="entity_id", allow_null=True)  # noqa: N815
    metadata = serializers.JSONField(allow_null=True)
    ipAddress = serializers.CharField(source="ip_address", allow_null=True)  # noqa: N815
    userAgent = serializers.CharField(source="user_agent", allow_null=True)  # noqa: N815
    anonymized = serializers.SerializerMethodField()
    createdAt = IsoDateTimeField(source="created_at")  # noqa: N815

    class Meta:
        model = ActivityLog
        fields = ["id", "userId", "action", "entityType", "entityId", "metadata", "ipAddress", "userAgent",
                  "anonymized", "createdAt"]

    def get_anonymized(self, entry) -> bool:
        return bool(entry.anonymized)


class ActivityListQuery(LimitOffsetQuery):
    action = serializers.CharField(required=False)


class ActivityStatsQuery(serializers.Serializer):
    startDate = serializers.DateTimeField(required=False)  # noqa: N815
    endDate = serializers.DateTimeField(required=False)  # noqa: N815


class ActivityExportQuery(serializers.Serializer):
    format = serializers.ChoiceField(choices=["json", "csv"], default="json")
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=100)
