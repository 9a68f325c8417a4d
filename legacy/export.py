"""What an app's `<app>/legacy.py` declares for the export (`EXPORT_TABLES`, next to the import's
`TABLES`), and the context its converters run in.

An `ExportTable` says which legacy table a model's rows become and how each legacy column is read
from PostgreSQL: a `Col` is a legacy column name, the SQL that reads it (over the model's table,
aliased `t`) and the legacy value format it is written in. The engine (`legacy.exporter`) turns the
columns into one SELECT, so most tables never pass through Python row by row. A table that needs
per-row decisions (secrets, owners, passwords) adds `extra` columns for its `convert(row, ctx)`,
which returns the row or raises `Skip` (deliberately not exported: transient or expired) or `Reject`
(left out: the legacy file cannot hold it, which the report lists and the exit status says). Rows
that a condition sets apart without reading them (a deleted sandbox and its chat history, which the old
server would not have) are `Withheld`: counted as skipped, and summed up in one note per reason.

In SQL, `{now}` stands for the export's "now" (a timestamptz literal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import models

from .mapping import LegacyRunContext, Mapping, OwnerLookup
from .report import ExportReport

# Legacy value formats (legacy-sqlite.md sections 4 and 5).
VERBATIM = "value"  # text, numbers and JSON text, as PostgreSQL holds them
FLAG = "flag"  # boolean -> 0/1 (NULL stays NULL)
ISO = "iso"  # JavaScript toISOString(): 2025-12-13T18:49:46.146Z
SQLITE_NOW = "sqlite"  # SQLite datetime('now'): 2025-12-13 18:49:46


@dataclass(frozen=True)
class Col:
    name: str
    source: str | None = None
    kind: str = VERBATIM

    @property
    def sql(self) -> str:
        return self.source or f't."{self.name}"'


def iso(name: str, source: str | None = None) -> Col:
    return Col(name, source, ISO)


def sqlite_time(name: str, source: str | None = None) -> Col:
    return Col(name, source, SQLITE_NOW)


def flag(name: str, source: str | None = None) -> Col:
    return Col(name, source, FLAG)


@dataclass(frozen=True)
class Withheld:
    """The rows of a table that are deliberately not exported: `where` picks them (SQL over the model's
    table, aliased `t`). They count as skipped with `reason`, one report entry per row unless `listed`
    is False (messages: their sessions' entries name them), and every table withheld for one `note` is
    summed up in one report note: "<note>: 2 sandboxes, 3 chat_sessions, ..."."""

    where: str
    reason: str
    note: str
    listed: bool = True


@dataclass
class ExportTable:
    name: str  # the legacy table (or, for data without one, the PostgreSQL table named in the report)
    model: type[models.Model] | None = None
    columns: tuple[Col | str, ...] = ()
    database: str = "main"  # "auth": the Better Auth file when --auth-db is given
    joins: str = ""
    extra: tuple[tuple[str, str], ...] = ()  # (name, SQL) read for `convert` only, never written
    convert: Callable | None = None
    skip_reason: str | None = None  # every row is deliberately not exported, for this reason
    leave_out_reason: str | None = None  # every row is left out (no home in the legacy file)
    note: str | None = None  # said in the report whenever the table is exported
    withheld: Withheld | None = None  # rows deliberately not exported
    secret_columns: frozenset = frozenset()

    @property
    def cols(self) -> tuple[Col, ...]:
        return tuple(c if isinstance(c, Col) else Col(c) for c in self.columns)

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    @property
    def pk(self) -> str:
        return self.model._meta.pk.column


class ExportContext(LegacyRunContext):
    """What export converters see: the run's options, the report, the owner and the legacy key."""

    rows_lacking = "left out"

    def __init__(
        self,
        *,
        report: ExportReport,
        mappings: dict[str, Mapping],
        now: datetime,
        owner_email: str | None,
        encryption_key: str | None,
    ):
        super().__init__(report=report, mappings=mappings, owner_email=owner_email, encryption_key=encryption_key)
        self.now = now
        self.state: dict = {}
        self.withheld: dict[str, dict[str, int]] = {}  # Withheld.note -> table -> rows withheld

    def owner_note(self, lookup: OwnerLookup) -> str:
        how = "--owner" if self.owner_email else "the only user"
        return f"single-tenant rows exported from user {lookup.user_id} ({how})"

    def no_owner_hint(self, kinds: str) -> str:
        return (f"Rows the legacy file holds once for the whole install ({kinds}) need an owner: re-run with "
                "--owner EMAIL to export that user's.")

    def must_reset_password(self, user_id: str, email: str, reason: str) -> None:
        self.report.password_reset(user_id, email, reason)
