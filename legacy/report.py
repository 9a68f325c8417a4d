"""What an import did, per app and table, and every row it fixed, skipped or rejected; and what an
export wrote, skipped or left out (`ExportReport`).

The invariant the command checks itself: for every table, read = imported + skipped + rejected
(imported = new + updated + unchanged; fixed rows are imported rows whose values were changed).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .values import show


@dataclass
class TableStats:
    app: str
    table: str
    present: bool = True
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)
    rejected: int = 0
    fixed_keys: set = field(default_factory=set)
    elapsed: float = 0.0

    @property
    def imported(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def fixed(self) -> int:
        return len(self.fixed_keys)

    @property
    def balanced(self) -> bool:
        return self.read == self.imported + sum(self.skipped.values()) + self.rejected

    def as_dict(self) -> dict:
        return {
            "present": self.present,
            "read": self.read,
            "imported": self.imported,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "fixed": self.fixed,
            "skipped": dict(self.skipped),
            "rejected": self.rejected,
            "elapsed_s": round(self.elapsed, 3),
            "balanced": self.balanced,
        }


class Report:
    def __init__(self, *, source: dict, dry_run: bool, now):
        self.source = source
        self.dry_run = dry_run
        self.now = now
        self.tables: dict[tuple[str, str], TableStats] = {}
        self.apps: dict[str, dict] = {}
        self.entries: list[dict] = []
        self.notes: list[str] = []
        self.hints: list[str] = []
        self.elapsed = 0.0

    def table(self, app: str, table: str) -> TableStats:
        return self.tables.setdefault((app, table), TableStats(app, table))

    def entry(
        self,
        stats: TableStats,
        outcome: str,
        key,
        column: str | None,
        value,
        reason: str,
        *,
        secret: bool = False,
    ) -> None:
        self.entries.append(
            {
                "app": stats.app,
                "table": stats.table,
                "key": key,
                "outcome": outcome,
                "column": column,
                "value": show(value, secret=secret),
                "reason": reason,
            }
        )

    def withdraw_fixes(self, stats: TableStats, keys: set) -> None:
        """Rows first counted as fixed, then rejected by a later check: their fix entries go."""
        stats.fixed_keys -= keys
        self.entries = [
            e for e in self.entries
            if not (e["outcome"] == "fixed" and e["app"] == stats.app and e["table"] == stats.table
                    and e["key"] in keys)
        ]

    def app_rolled_back(self, app: str, status: str) -> None:
        """An app's transaction failed: none of its rows are in, so every row not skipped is rejected,
        with one entry per table saying why."""
        self.apps[app] = {"status": status}
        for stats in self.tables.values():
            if stats.app != app:
                continue
            stats.new = stats.updated = stats.unchanged = 0
            stats.rejected = stats.read - sum(stats.skipped.values())
            self.withdraw_fixes(stats, set(stats.fixed_keys))
            self.entry(stats, "rejected", None, None, None, f"all {stats.rejected} rows not skipped: {status}")

    def hint(self, text: str) -> None:
        if text not in self.hints:
            self.hints.append(text)

    # -- outcome ----------------------------------------------------------------------------------

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.tables.values())

    @property
    def failed_apps(self) -> list[str]:
        return [label for label, app in self.apps.items() if app["status"] != "imported"]

    @property
    def balanced(self) -> bool:
        return all(s.balanced for s in self.tables.values())

    @property
    def exit_status(self) -> int:
        return 0 if self.balanced and not self.rejected and not self.failed_apps else 1

    def as_dict(self) -> dict:
        apps = {}
        for (app, table), stats in self.tables.items():
            apps.setdefault(app, {"tables": {}})["tables"][table] = stats.as_dict()
        for app, info in self.apps.items():
            apps.setdefault(app, {"tables": {}}).update(info)
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "now": self.now.isoformat(),
            "elapsed_s": round(self.elapsed, 3),
            "invariant_holds": self.balanced,
            "rejected": self.rejected,
            "exit_status": self.exit_status,
            "apps": apps,
            "notes": self.notes,
            "hints": self.hints,
            # Within a table, entries come from batches and set-based SQL checks whose row order the
            # database does not promise; sorting makes two runs of the same file report identically.
            "entries": sorted(self.entries, key=_entry_order(self.tables)),
        }

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False, default=str))

    def summary_lines(self) -> list[str]:
        header = (
            f"{'app':<13}{'table':<23}{'read':>8}{'imported':>10}{'new':>8}{'updated':>9}"
            f"{'fixed':>7}{'skipped':>9}{'rejected':>10}{'time':>8}"
        )
        lines = [header, "-" * len(header)]
        for (app, table), s in self.tables.items():
            if not s.present:
                lines.append(f"{app:<13}{table:<23}{'(absent at this schema version)':>40}")
                continue
            mark = "" if s.balanced else "  INVARIANT BROKEN"
            lines.append(
                f"{app:<13}{table:<23}{s.read:>8}{s.imported:>10}{s.new:>8}{s.updated:>9}"
                f"{s.fixed:>7}{sum(s.skipped.values()):>9}{s.rejected:>10}{s.elapsed:>7.2f}s{mark}"
            )
        for label, app in self.apps.items():
            if app["status"] != "imported":
                lines.append(f"{label}: {app['status']}")
        return lines


def _entry_order(tables):
    table_rank = {key: rank for rank, key in enumerate(tables)}

    def order(entry):
        return (table_rank.get((entry["app"], entry["table"]), len(table_rank)), str(entry["key"]),
                str(entry["column"]), entry["outcome"], entry["reason"])

    return order


# -- the export ---------------------------------------------------------------------------------------

@dataclass
class ExportStats:
    """One table of an export: read = written + skipped + left out. Skipped rows are deliberately not
    exported (transient, expired); left-out rows are data the legacy file cannot hold (exit status 1)."""

    app: str
    table: str
    present: bool = True
    read: int = 0
    written: int = 0
    skipped: Counter = field(default_factory=Counter)
    left_out: Counter = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def balanced(self) -> bool:
        return self.read == self.written + sum(self.skipped.values()) + sum(self.left_out.values())

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "written": self.written,
            "skipped": dict(self.skipped),
            "left_out": dict(self.left_out),
            "elapsed_s": round(self.elapsed, 3),
            "balanced": self.balanced,
        }


class ExportReport(Report):
    """What an export wrote, per app and table, with every row skipped or left out (withheld rows a
    `Withheld` says not to list are counted only) and every user who must reset their password after a
    rollback. Entries, notes, hints and the JSON file work as the import's."""

    def __init__(self, *, target: dict, now):
        super().__init__(source=target, dry_run=False, now=now)
        self.password_resets: list[dict] = []

    def table(self, app: str, table: str) -> ExportStats:
        return self.tables.setdefault((app, table), ExportStats(app, table))

    def password_reset(self, user_id: str, email: str, reason: str) -> None:
        self.password_resets.append({"user_id": user_id, "email": email, "reason": reason})
        self.hint(
            "Some users must reset their password after a rollback (listed in the report): the old server "
            "cannot verify the password they have now. LEGACY_PASSWORD_TRANSITION=true keeps new passwords "
            "verifiable by it."
        )

    @property
    def left_out(self) -> int:
        return sum(sum(s.left_out.values()) for s in self.tables.values())

    @property
    def rejected(self) -> int:
        return self.left_out

    @property
    def exit_status(self) -> int:
        return 0 if self.balanced and not self.left_out and not self.password_resets else 1

    def as_dict(self) -> dict:
        apps: dict = {}
        for (app, table), stats in self.tables.items():
            apps.setdefault(app, {"tables": {}})["tables"][table] = stats.as_dict()
        return {
            "target": self.source,
            "now": self.now.isoformat(),
            "elapsed_s": round(self.elapsed, 3),
            "invariant_holds": self.balanced,
            "left_out": self.left_out,
            "exit_status": self.exit_status,
            "apps": apps,
            "password_resets": sorted(self.password_resets, key=lambda r: r["email"]),
            "notes": self.notes,
            "hints": self.hints,
            "entries": sorted(self.entries, key=_entry_order(self.tables)),
        }

    def summary_lines(self) -> list[str]:
        header = f"{'app':<13}{'table':<23}{'read':>8}{'written':>9}{'skipped':>9}{'left out':>10}{'time':>8}"
        lines = [header, "-" * len(header)]
        for (app, table), s in self.tables.items():
            mark = "" if s.balanced else "  INVARIANT BROKEN"
            lines.append(
                f"{app:<13}{table:<23}{s.read:>8}{s.written:>9}{sum(s.skipped.values()):>9}"
                f"{sum(s.left_out.values()):>10}{s.elapsed:>7.2f}s{mark}"
            )
            for reason, count in sorted(s.left_out.items()):
                lines.append(f"{'':<13}  left out {count}: {reason}")
            for reason, count in sorted(s.skipped.items()):
                lines.append(f"{'':<13}  skipped {count}: {reason}")
        for reset in sorted(self.password_resets, key=lambda r: r["email"]):
            lines.append(f"must reset their password after a rollback: {reset['email']} ({reset['reason']})")
        return lines
