"""Serialisation conventions shared by every API module (api-contract 1.7, DECISIONS 22)."""

from datetime import datetime, timezone

from rest_framework import serializers


def iso_datetime(value: datetime | None) -> str | None:
    """JavaScript's `toISOString()`: UTC, milliseconds, `Z`."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class IsoDateTimeField(serializers.DateTimeField):
    """Dates as the old server wrote them: `2025-12-14T10:20:30.123Z`."""

    def to_representation(self, value):
        return iso_datetime(value)


# PostgreSQL's OFFSET is a bigint: a larger offset would reach the database and fail there (a 500).
MAX_OFFSET = 2**63 - 1


class LimitOffsetQuery(serializers.Serializer):
    """`limit`/`offset` query parameters with the contract's ranges (api-contract 1.8)."""

    limit = serializers.IntegerField(min_value=1, max_value=100, default=50)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)


def parse_query(serializer_class, request) -> dict:
    """Validate query parameters; a bad value is a 400 in the one error shape."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# -- shapes shared by many endpoints ---------------------------------------------------------------

class PaginationSerializer(serializers.Serializer):
    """`pagination` of a list: `total` counts what the filter matches (DECISIONS 20)."""

    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()


def pagination(*, total: int, query: dict) -> dict:
    """The `pagination` object for a `LimitOffsetQuery`'s validated `query`."""
    return {"total": total, "limit": query["limit"], "offset": query["offset"]}


class SuccessSerializer(serializers.Serializer):
    """`{"success": true, "message": ...}`, the contract's answer to an action without a resource body."""

    success = serializers.BooleanField()
    message = serializers.CharField()


def success(message: str, **extra) -> dict:
    return {"success": True, "message": message, **extra}
