"""Serialisation conventions shared by every API module (api-contract 1.7, DECISIONS 22)."""

from datetime import datetime, timezone


def iso_datetime(value: datetime | None) -> str | None:
    """JavaScript's `toISOString()`: UTC, milliseconds, `Z`."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
