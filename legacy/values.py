"""The value rules of the import (spec/IMPORT.md, "Values"), one method per kind of column.

A mapping (`<app>/legacy.py`) converts a legacy row with a `Cleaner`: every method takes the column
name and the raw SQLite value and returns the PostgreSQL value, recording a *fix* when it had to change
something (reported with the original value), raising `Reject` when the row cannot be taken, or `Skip`
when the row is deliberately left out. The cleaner is reused for every row of a table (no allocation
per row): the engine calls `begin(key)` before each row and reads `fixes` after it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import orjson

UTC = timezone.utc
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
MAX_SHOWN = 200
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DIGITS = re.compile(r"^-?\d+(\.\d+)?$")
_EXTENDED_YEAR = re.compile(r"^[+-]\d{6}-")
_NEVER = datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)


class Reject(Exception):
    """The row cannot be imported; reported with the column, its original value and the reason."""

    def __init__(self, reason: str, column: str | None = None, value=None, *, secret: bool = False):
        super().__init__(reason)
        self.reason, self.column, self.value, self.secret = reason, column, value, secret


class Skip(Exception):
    """The row is deliberately not imported (a decided reason, e.g. an expired session)."""

    def __init__(self, reason: str, value=None):
        super().__init__(reason)
        self.reason, self.value = reason, value


def show(value, *, secret: bool = False):
    """A value as the report shows it: secrets masked, long text cut, bytes as hex."""
    if value is None:
        return None
    if secret:
        return f"<secret, {len(value)} characters>" if isinstance(value, (str, bytes)) else "<secret>"
    if isinstance(value, bytes):
        return "0x" + value[: MAX_SHOWN // 2].hex() + ("…" if len(value) > MAX_SHOWN // 2 else "")
    if isinstance(value, str) and len(value) > MAX_SHOWN:
        return value[:MAX_SHOWN] + f"… ({len(value)} characters)"
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def is_valid_json(text: str) -> bool:
    """JSON.parse semantics: orjson first (fast); the stdlib for what orjson refuses but JSON accepts
    (lone surrogate escapes), without NaN/Infinity, which JSON.parse rejects."""
    try:
        orjson.loads(text)
        return True
    except orjson.JSONDecodeError:
        pass
    try:
        json.loads(text, parse_constant=_reject_constant)
        return True
    except (ValueError, RecursionError):
        return False


def _reject_constant(name):
    raise ValueError(name)


def parse_timestamp(value) -> datetime | None:
    """Every timestamp form legacy files hold, as an aware UTC datetime; None if unparseable.

    `YYYY-MM-DD HH:MM:SS`, ISO 8601 with or without fraction, `Z`/offset or naive (UTC), a date alone,
    epoch seconds or milliseconds (number or text). Years beyond 9999 (JavaScript's max date, "never")
    become the largest representable instant.
    """
    if type(value) is str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return _parse_unusual(value.strip())
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_epoch(value)
    if isinstance(value, bytes):
        try:
            return parse_timestamp(value.decode())
        except UnicodeDecodeError:
            return None
    return None


def _parse_unusual(text: str) -> datetime | None:
    if _DIGITS.match(text):
        return _from_epoch(float(text))
    if _EXTENDED_YEAR.match(text):
        return _NEVER if text[0] == "+" else None
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _from_epoch(number: float) -> datetime | None:
    seconds = number / 1000 if abs(number) >= 100_000_000_000 else number  # ms from 1973 on
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None


class Cleaner:
    """Converts the values of one table's rows and collects what it had to fix."""

    def __init__(self, *, now: datetime):
        self.now = now
        self.key = None
        self.fixes: list[tuple[str, object, str]] = []
        # The source table's columns (the engine sets them per table). A column the file's schema version
        # does not have yet reads as NULL too, but it held nothing, so taking its default changes nothing.
        self.columns: frozenset[str] | None = None

    def begin(self, key) -> None:
        self.key = key
        if self.fixes:
            self.fixes = []

    def fix(self, column: str, original, reason: str) -> None:
        self.fixes.append((column, original, reason))

    def null_default(self, column: str, default):
        """A NULL becomes the column's default: a changed value, reported like every other."""
        if default is not None and (self.columns is None or column in self.columns):
            self.fix(column, None, f"NULL replaced by the column default ({default!r})")
        return default

    # -- text -------------------------------------------------------------------------------------

    def text(self, column: str, value, *, required: bool = False, default: str | None = None):
        if type(value) is str:
            if "\x00" in value:
                self.fix(column, value, "NUL characters removed (PostgreSQL text cannot hold them)")
                return value.replace("\x00", "")
            return value
        if value is None:
            if default is not None:
                return self.null_default(column, default)
            if required:
                raise Reject(f"{column} is NULL", column)
            return None
        if type(value) is bytes:
            try:
                decoded = value.decode()
            except UnicodeDecodeError:
                decoded = value.decode(errors="replace")
                self.fix(column, value, "BLOB with invalid UTF-8 decoded, invalid bytes replaced by U+FFFD")
            return self.text(column, decoded, required=required, default=default)
        return str(value)  # a number in a TEXT column (SQLite affinity): its text

    # -- numbers ----------------------------------------------------------------------------------

    def integer(self, column: str, value, *, default: int | None = None, required: bool = False):
        """32-bit integer. Text that is not a number → the column's default (reported); beyond 32 bits
        → the row is rejected (chat counters use `counter`, which the chat import recomputes)."""
        if type(value) is int:
            if INT32_MIN <= value <= INT32_MAX:
                return value
            raise Reject(f"{column} {value} does not fit a 32-bit integer", column, value)
        if value is None:
            if required and default is None:
                raise Reject(f"{column} is NULL", column)
            return self.null_default(column, default)
        number = self._number(value)
        if number is not None and float(number).is_integer():
            return self.integer(column, int(number), default=default, required=required)
        if default is None and required:
            raise Reject(f"{column} {value!r} is not an integer", column, value)
        self.fix(column, value, f"not an integer: replaced by the column default ({default})")
        return default

    def counter(self, column: str, value, *, default: int = 0):
        """A chat counter: beyond 32 bits or not a number → `None`, for the chat import to recompute."""
        if type(value) is int and INT32_MIN <= value <= INT32_MAX:
            return value
        if value is None:
            return None
        number = self._number(value)
        if number is not None and float(number).is_integer() and INT32_MIN <= number <= INT32_MAX:
            return int(number)
        self.fix(column, value, "not a 32-bit integer: recomputed from the imported messages")
        return None

    def real(self, column: str, value, *, default: float | None = None, required: bool = False):
        if type(value) in (int, float):
            return float(value)
        if value is None:
            if required and default is None:
                raise Reject(f"{column} is NULL", column)
            return self.null_default(column, default)
        number = self._number(value)
        if number is not None:
            return float(number)
        if default is None and required:
            raise Reject(f"{column} {value!r} is not a number", column, value)
        self.fix(column, value, f"not a number: replaced by the column default ({default})")
        return default

    @staticmethod
    def _number(value):
        if isinstance(value, bytes):
            value = value.decode(errors="replace")
        if isinstance(value, str) and _DIGITS.match(value.strip()):
            return float(value.strip())
        if isinstance(value, (int, float)):
            return value
        return None

    # -- booleans ---------------------------------------------------------------------------------

    def boolean(self, column: str, value, *, default: bool | None = None):
        """0/1 (and 'true'/'false' text) → boolean; NULL → the default (reported); anything else reported."""
        if type(value) is int:
            if value == 0 or value == 1:
                return value == 1
            self.fix(column, value, "number other than 0/1 read as true")
            return True
        if value is None:
            return self.null_default(column, default)
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("true", "1", "false", "0"):
                self.fix(column, value, "text read as a boolean")
                return word in ("true", "1")
        if isinstance(value, float):
            self.fix(column, value, "number read as a boolean")
            return value != 0
        if default is None:
            return None
        self.fix(column, value, f"not a boolean: replaced by the column default ({default})")
        return default

    # -- timestamps -------------------------------------------------------------------------------

    def timestamp(self, column: str, value, *, fallback: datetime | None = None, required: bool = False):
        """An aware UTC datetime. NULL or unparseable in a NOT NULL column (`required`) → `fallback`
        (the caller passes updated_at → created_at → import time), reported."""
        if value is not None:
            parsed = parse_timestamp(value)
            if parsed is not None:
                if parsed is _NEVER:
                    self.fix(column, value, "beyond year 9999: stored as 9999-12-31T23:59:59.999Z")
                return parsed
            if not required:
                self.fix(column, value, "unparseable timestamp: set to NULL")
                return None
            reason = "unparseable timestamp"
        else:
            if not required:
                return None
            reason = "NULL timestamp"
        if fallback is None:
            fallback = self.now
        self.fix(
            column,
            value,
            f"{reason}: replaced by {'import time' if fallback is self.now else 'fallback'}"
            f" {fallback.isoformat()}",
        )
        return fallback

    def created_updated(self, row: dict, created: str = "created_at", updated: str = "updated_at"):
        """The NOT NULL pair: each falls back to the other, then to the import time (reported)."""
        c_raw, u_raw = row.get(created), row.get(updated)
        c_val = parse_timestamp(c_raw) if c_raw is not None else None
        u_val = parse_timestamp(u_raw) if u_raw is not None else None
        if c_val is None or c_val is _NEVER:
            c_val = self.timestamp(
                created, c_raw, fallback=u_val if u_val is not _NEVER else None, required=True
            )
        if u_val is None or u_val is _NEVER:
            u_val = self.timestamp(updated, u_raw, fallback=c_val, required=True)
        return c_val, u_val

    # -- JSON text --------------------------------------------------------------------------------

    def json_text(self, column: str, value, *, default: str | None):
        """Valid JSON kept as is; invalid replaced by the column default, reported with the original."""
        if value is None:
            return None
        text = self.text(column, value)
        if is_valid_json(text):
            return text
        self.fix(
            column, value, f"invalid JSON replaced by the column default ({default if default else 'NULL'})"
        )
        return default

    def json_content(self, column: str, value):
        """`chat_messages.content`: invalid JSON is kept as a JSON string, so nothing is lost."""
        if value is None:
            self.fix(column, value, "NULL content stored as JSON null")
            return "null"
        text = self.text(column, value)
        if is_valid_json(text):
            return text
        self.fix(column, value, "invalid JSON kept as a JSON string")
        return json.dumps(text, ensure_ascii=False)

    # -- enums ------------------------------------------------------------------------------------

    def choice(self, column: str, value, choices, *, required: bool = False):
        """An enum value: outside the set → the row is rejected with the value."""
        if value in choices:
            return value
        if value is None and not required:
            return None
        raise Reject(f"{column} {value!r} is not one of {', '.join(sorted(choices))}", column, value)
