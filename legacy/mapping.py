"""What an app's `<app>/legacy.py` declares, how the importer finds them, and the context they run in.

The engine knows no domain app. Each mapping module defines:

- `TABLES`: `Table` objects, in load order;
- `EXPORT_TABLES`: `legacy.export.ExportTable` objects, what `export_sqlite` writes back;
- `DEPENDS_ON`: app labels that must be imported first; `ORDER`: position among independent apps;
- optionally `finalize(ctx)`, run after its tables, inside the app's transaction (e.g. sandboxes places
  the old server's repositories when the run has `ctx.repos_dir`);
- optionally hooks the engine calls without knowing who answers:
  - `check_sources(sources)`: refuse a file set before anything runs (raise `LegacyUsageError`);
  - `resolve_owner(email)`: who receives single-tenant rows (an `OwnerLookup`);
- optionally report wording: `SINGLE_TENANT_DATA` (what that app gives the owner, named in the hint
  when there is no owner), `ENCRYPTED_DATA` (what the legacy key decrypts, named in its hints).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.apps import apps as django_apps
from django.db import models

from .crypto import LegacyDecryptError, legacy_key
from .report import Report
from .sources import LegacyDatabase
from .values import Reject


class LegacyUsageError(Exception):
    """An operator mistake (unknown app, parents not imported, missing Better Auth file): exit 2."""


@dataclass(frozen=True)
class Parent:
    """`column` references `table.id`; a missing parent rejects the row, or with `detach` sets NULL."""

    column: str
    table: str
    detach: bool = False


@dataclass
class Table:
    name: str
    model: type[models.Model] | None = None
    columns: tuple[str, ...] = ()
    convert: Callable | None = None
    key: str = "id"
    database: str = "main"
    parents: tuple[Parent, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    skip_reason: str | None = None
    skip_value: str | None = None
    reference: bool = False
    secret_columns: frozenset = frozenset()
    keep_on_update: dict[str, str] = field(default_factory=dict)
    track_keys: bool = False
    rows: Callable | None = None
    prepare: Callable | None = None
    needs_db: bool = False  # the converter queries PostgreSQL (e.g. the owner): never in the reader thread

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    @property
    def pk(self) -> str:
        return self.model._meta.pk.column

    def datetime_columns(self) -> set[str]:
        return {f.column for f in self.model._meta.concrete_fields if isinstance(f, models.DateTimeField)}


@dataclass(frozen=True)
class OwnerLookup:
    """The answer of a `resolve_owner` hook: the owner's id and a note for the report, or no id and the
    reason single-tenant rows are rejected."""

    user_id: str | None
    message: str


@dataclass
class Mapping:
    label: str
    module: object

    @property
    def depends_on(self) -> tuple[str, ...]:
        return tuple(getattr(self.module, "DEPENDS_ON", ()))

    @property
    def order(self) -> int:
        return getattr(self.module, "ORDER", 100)

    @property
    def tables(self) -> list[Table]:
        return list(self.module.TABLES)

    @property
    def export_tables(self) -> list:
        return list(getattr(self.module, "EXPORT_TABLES", ()))

    def hook(self, name: str) -> Callable | None:
        return getattr(self.module, name, None)


def discover_mappings(declares: str = "TABLES") -> dict[str, Mapping]:
    """Every installed app whose `legacy` module declares `declares` (`TABLES` for the import,
    `EXPORT_TABLES` for the export), in dependency order (parents first)."""
    found = {}
    for config in django_apps.get_app_configs():
        name = f"{config.name}.legacy"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        if hasattr(module, declares):
            found[config.label] = Mapping(config.label, module)
    ordered: list[str] = []
    pending = sorted(found, key=lambda label: (found[label].order, label))
    while pending:
        ready = [
            label for label in pending if all(d in ordered or d not in found for d in found[label].depends_on)
        ]
        if not ready:
            raise RuntimeError(f"circular legacy dependencies among {pending}")
        ordered.append(ready[0])
        pending.remove(ready[0])
    return {label: found[label] for label in ordered}


def hooks(mappings: dict[str, Mapping], name: str) -> list[Callable]:
    """Every mapping's hook of that name, in import order."""
    return [hook for mapping in mappings.values() if (hook := mapping.hook(name))]


def wording(mappings: dict[str, Mapping], name: str) -> str:
    """The mappings' report wording of that name, joined (e.g. every kind of single-tenant data)."""
    return ", ".join(text for mapping in mappings.values() if (text := getattr(mapping.module, name, None)))


class LegacyRunContext:
    """What the import and the export share: the single-tenant owner and the old server's key, each
    resolved once. Subclasses say what happens to a row that lacks them (`rows_lacking`) and how the
    report names the owner."""

    rows_lacking = "rejected"

    def __init__(self, *, report, mappings: dict[str, Mapping], owner_email: str | None,
                 encryption_key: str | None):
        self.report = report
        self.mappings = mappings
        self.owner_email = owner_email
        self.encryption_key_string = encryption_key
        self._owner: OwnerLookup | None = None
        self._key: bytes | None = None

    # The single-tenant owner (IMPORT rules, "Owner of single-tenant data"), found by the mapping that
    # knows users.
    def owner_id(self) -> str:
        if self._owner is None:
            self._owner = self._resolve_owner()
        if self._owner.user_id is None:
            raise Reject(self._owner.message, "user_id")
        return self._owner.user_id

    def has_owner(self) -> bool:
        try:
            self.owner_id()
        except Reject:
            return False
        return True

    def _resolve_owner(self) -> OwnerLookup:
        resolvers = hooks(self.mappings, "resolve_owner")
        if not resolvers:
            return OwnerLookup(None, "no mapping resolves owners")
        lookup = resolvers[0](self.owner_email)
        if lookup.user_id is not None:
            self.report.notes.append(self.owner_note(lookup))
        else:
            self.report.hint(self.no_owner_hint(wording(self.mappings, "SINGLE_TENANT_DATA") or "single-tenant data"))
        return lookup

    def owner_note(self, lookup: OwnerLookup) -> str:
        return lookup.message

    def no_owner_hint(self, kinds: str) -> str:
        return f"Single-tenant rows ({kinds}) were rejected: re-run with --owner EMAIL to give them to that user."

    def legacy_key(self, column: str | None = None) -> bytes:
        """The old server's key; without one, the row is rejected (or left out) naming the encrypted
        `column`."""
        if self.encryption_key_string is None:
            self.report.hint(
                f"{self._encrypted_data().capitalize()} were {self.rows_lacking}: re-run with "
                "--legacy-encryption-key KEY (the old server's ENCRYPTION_KEY) or set LEGACY_ENCRYPTION_KEY."
            )
            raise Reject("no legacy encryption key: re-run with --legacy-encryption-key KEY", column)
        if self._key is None:
            try:
                self._key = legacy_key(self.encryption_key_string)
            except LegacyDecryptError as error:
                raise Reject(str(error), column) from None
        return self._key

    def _encrypted_data(self) -> str:
        return wording(self.mappings, "ENCRYPTED_DATA") or "encrypted values"


class Context(LegacyRunContext):
    """What a mapping's converters see: the sources, the report, the run's options and scratch space."""

    def __init__(
        self,
        *,
        sources: dict[str, LegacyDatabase],
        report: Report,
        mappings: dict[str, Mapping],
        now: datetime,
        owner_email: str | None,
        encryption_key: str | None,
        overwrite_reference: bool,
        batch_size: int,
        bulk_rows: int,
        repos_dir: Path | None = None,
        move_repos: bool = False,
    ):
        super().__init__(report=report, mappings=mappings, owner_email=owner_email, encryption_key=encryption_key)
        self.sources = sources
        self.now = now
        self.overwrite_reference = overwrite_reference
        self.batch_size = batch_size
        self.bulk_rows = bulk_rows
        # The old server's repositories folder (`--repos-dir`), for the mapping that owns repositories;
        # with `move_repos` they are moved instead of copied.
        self.repos_dir = repos_dir
        self.move_repos = move_repos
        self.state: dict = {}  # scratch space of the mappings (e.g. accounts' password map)
        self.log: Callable[[str], None] = lambda message: None

    def source(self, table: Table) -> LegacyDatabase:
        return self.sources.get(table.database) or self.sources["main"]

    def wrong_key_hint(self) -> None:
        self.report.hint(
            f"Some {self._encrypted_data()} could not be decrypted with the given key: check "
            "--legacy-encryption-key (the old server's ENCRYPTION_KEY) and re-run; rows already "
            "imported are updated, not duplicated."
        )
