"""The import run: checks the sources, selects and orders the apps, and runs each app's tables in one
transaction (`legacy.loader` loads a table). A dry run is one outer transaction rolled back at the end,
so it produces exactly the report of a real run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from .loader import BULK_ROWS, DEFAULT_BATCH_SIZE, load_table
from .mapping import Context, LegacyUsageError, Mapping, discover_mappings, hooks
from .models import ImportRun
from .report import Report
from .sources import LegacyDatabase


def run_import(
    path: str | Path,
    *,
    auth_db: str | Path | None = None,
    apps: Iterable[str] | None = None,
    owner: str | None = None,
    encryption_key: str | None = None,
    overwrite_reference: bool = False,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: datetime | None = None,
    progress: Callable[[str, str, int | None], object] | None = None,
    log: Callable[[str], None] | None = None,
    bulk_rows: int = BULK_ROWS,
    repos_dir: str | Path | None = None,
    move_repos: bool = False,
) -> Report:
    """Import the legacy file at `path` (see spec/IMPORT.md). Raises `LegacySourceError` for an
    unreadable or foreign file and `LegacyUsageError` for operator mistakes; everything else that goes
    wrong with rows is in the returned report."""
    log = log or (lambda message: None)
    now = now or timezone.now()
    started = time.monotonic()
    if repos_dir is not None and not Path(repos_dir).is_dir():
        raise LegacyUsageError(f"--repos-dir {repos_dir}: no such directory")
    sources = {"main": LegacyDatabase(path)}
    try:
        sources["main"].check_agentpod()
        if auth_db:
            sources["auth"] = LegacyDatabase(auth_db, role="auth")
            sources["auth"].check_agentpod()
        version = sources["main"].schema_version()
        mappings = discover_mappings()
        for check in hooks(mappings, "check_sources"):
            check(sources)
        selected = _select(mappings, apps)
        report = Report(
            source={
                "path": str(path),
                "auth_db": str(auth_db) if auth_db else None,
                "schema_version": version,
                "wal": sources["main"].wal,
                "tables": sorted(sources["main"].tables),
            },
            dry_run=dry_run,
            now=now,
        )
        report.notes.append(f"legacy schema version {version} (_migrations)")
        ctx = Context(
            sources=sources,
            report=report,
            mappings=mappings,
            now=now,
            owner_email=owner,
            encryption_key=encryption_key,
            overwrite_reference=overwrite_reference,
            batch_size=batch_size,
            bulk_rows=bulk_rows,
            repos_dir=Path(repos_dir) if repos_dir is not None else None,
            move_repos=move_repos,
        )
        ctx.log = log
        _account_unmapped_tables(ctx, mappings)
        if dry_run:
            with transaction.atomic():
                _run_apps(ctx, selected, str(path), progress, log)
                transaction.set_rollback(True)
        else:
            _run_apps(ctx, selected, str(path), progress, log)
    finally:
        for source in sources.values():
            source.close()
    report.elapsed = time.monotonic() - started
    return report


def _select(mappings: dict[str, Mapping], labels: Iterable[str] | None) -> list[Mapping]:
    if not labels:
        return list(mappings.values())
    labels = list(dict.fromkeys(labels))
    unknown = [label for label in labels if label not in mappings]
    if unknown:
        raise LegacyUsageError(f"unknown app {', '.join(unknown)}: choose from {', '.join(mappings)}")
    chosen = [m for m in mappings.values() if m.label in labels]
    imported = set(ImportRun.objects.values_list("app_label", flat=True).distinct())
    available = set(imported)
    for mapping in chosen:
        missing = [d for d in mapping.depends_on if d in mappings and d not in available]
        if missing:
            raise LegacyUsageError(
                f"cannot import {mapping.label} before {', '.join(missing)}: import {missing[0]} first "
                f"(--app {' --app '.join(missing)}), or both in one run"
            )
        available.add(mapping.label)
    return chosen


def _run_apps(ctx: Context, selected: list[Mapping], source: str, progress, log) -> None:
    report = ctx.report
    failed: set[str] = set()
    for mapping in selected:
        blocked = [d for d in mapping.depends_on if d in failed]
        if blocked:
            report.apps[mapping.label] = {"status": f"not imported: {', '.join(blocked)} failed"}
            failed.add(mapping.label)
            continue
        started = timezone.now()
        log(f"{mapping.label}:")
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL TIME ZONE 'UTC'")
                tables = [load_table(ctx, mapping, table, progress, log) for table in mapping.tables]
                if hasattr(mapping.module, "finalize"):
                    mapping.module.finalize(ctx)
                ImportRun.objects.create(
                    app_label=mapping.label,
                    source=source,
                    schema_version=report.source["schema_version"],
                    started_at=started,
                    finished_at=timezone.now(),
                    counts={s.table: s.as_dict() for s in tables},
                )
        except Exception as error:  # the app's transaction is rolled back; the report says why
            failed.add(mapping.label)
            report.app_rolled_back(
                mapping.label, f"failed, nothing of it imported: {type(error).__name__}: {str(error).strip()[:500]}"
            )
            continue
        report.apps[mapping.label] = {"status": "imported"}


def _account_unmapped_tables(ctx: Context, mappings: dict[str, Mapping]) -> None:
    """`_migrations` and tables no mapping knows: counted as skipped, so nothing goes unmentioned."""
    main = ctx.sources["main"]
    known = {t.name for m in mappings.values() for t in m.tables}
    for name in sorted(main.tables):
        if name in known:
            continue
        stats = ctx.report.table("legacy", name)
        if name == "_migrations":
            reason = "schema history, not imported (PostgreSQL has its own migrations)"
            rows = main.connection.execute("SELECT version, name FROM _migrations ORDER BY version")
        else:
            reason = "unknown table: no mapping, not imported"
            rows = ((rowid, None) for (rowid,) in main.connection.execute(f'SELECT rowid FROM "{name}"'))
        for key, value in rows:
            stats.read += 1
            stats.skipped[reason] += 1
            ctx.report.entry(stats, "skipped", key, "name" if value else None, value, reason)
        if name != "_migrations" and stats.read:
            ctx.report.notes.append(
                f"table {name} ({stats.read} rows) is not part of the legacy schema: not imported"
            )
