"""What an import did, per app and table, and every row it fixed, skipped or rejected; and what an
export wrote, skipped or left out (`ExportReport`).

The invariant the command checks itself: for every table, read = imported + skipped + rejected
(imported = new + updated + unchanged; fixed rows are imported rows whose values were changed).
"""

from __future__ import annotations

import json
import pickle
import sqlite3
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
    fixed: int = 0  # rows with at least one "fixed" entry (counted by `Report.entry`)
    elapsed: float = 0.0

    @property
    def imported(self) -> int:
        return self.new + self.updated + self.unchanged

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


class _EntryStore:
    """The report's entries, in a temporary SQLite file (deleted when closed) rather than in memory: a
    file with millions of fixed or rejected rows is imported in the same memory as a clean one. Keys and
    values are pickled, so they come back as they went in (a composite key stays a tuple)."""

    def __init__(self):
        self.db = sqlite3.connect("", check_same_thread=False)  # "": a private temporary file
        self.db.execute("PRAGMA cache_size = -512")
        self.db.execute(
            "CREATE TABLE entry (seq INTEGER PRIMARY KEY, app TEXT, tbl TEXT, key BLOB, key_text TEXT, "
            "outcome TEXT, col TEXT, value BLOB, reason TEXT)"
        )
        self.db.execute("CREATE INDEX entry_key ON entry (app, tbl, outcome, key)")

    def add(self, app, table, key, outcome, column, value, reason) -> bool:
        """Store one entry; whether it is the first of its (table, key, outcome)."""
        packed = pickle.dumps(key)
        first = self.db.execute(
            "SELECT 1 FROM entry WHERE app = ? AND tbl = ? AND outcome = ? AND key = ? LIMIT 1",
            (app, table, outcome, packed),
        ).fetchone() is None
        self.db.execute(
            "INSERT INTO entry (app, tbl, key, key_text, outcome, col, value, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (app, table, packed, str(key), outcome, column, pickle.dumps(value), reason),
        )
        return first

    def remove(self, app, table, outcome, keys=None) -> int:
        """Drop the entries of `outcome` for `keys` (all of them when None); how many keys had some."""
        where = "app = ? AND tbl = ? AND outcome = ?"
        if keys is None:
            found = self.db.execute(f"SELECT COUNT(DISTINCT key) FROM entry WHERE {where}", (app, table, outcome))
            count = found.fetchone()[0]
            self.db.execute(f"DELETE FROM entry WHERE {where}", (app, table, outcome))
            return count
        count = 0
        for key in keys:
            count += self.db.execute(f"DELETE FROM entry WHERE {where} AND key = ?",
                                     (app, table, outcome, pickle.dumps(key))).rowcount > 0
        return count

    def rows(self, ranks: dict | None = None):
        """Every entry as a dict: in the order they came, or with `ranks` ({(app, table): rank}) by table,
        then key, column, outcome and reason, so that two runs of the same file list them alike."""
        order = "seq"
        if ranks is not None:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS rank (app TEXT, tbl TEXT, n INTEGER)")
            self.db.execute("DELETE FROM rank")
            self.db.executemany("INSERT INTO rank VALUES (?, ?, ?)", [(*k, n) for k, n in ranks.items()])
            order = f"COALESCE((SELECT n FROM rank r WHERE r.app = e.app AND r.tbl = e.tbl), {len(ranks)}), " \
                    "key_text, COALESCE(col, 'None'), outcome, reason, seq"
        for app, table, key, outcome, column, value, reason in self.db.execute(
            f"SELECT app, tbl, key, outcome, col, value, reason FROM entry e ORDER BY {order}"
        ):
            yield {"app": app, "table": table, "key": pickle.loads(key), "outcome": outcome,
                   "column": column, "value": pickle.loads(value), "reason": reason}


class Report:
    def __init__(self, *, source: dict, dry_run: bool, now):
        self.source = source
        self.dry_run = dry_run
        self.now = now
        self.tables: dict[tuple[str, str], TableStats] = {}
        self.apps: dict[str, dict] = {}
        self._entries = _EntryStore()
        self.notes: list[str] = []
        self.hints: list[str] = []
        self.elapsed = 0.0

    def table(self, app: str, table: str) -> TableStats:
        return self.tables.setdefault((app, table), TableStats(app, table))

    @property
    def entries(self) -> list[dict]:
        """Every entry, in the order they came (the whole list: for tests and small reports)."""
        return list(self._entries.rows())

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
        first = self._entries.add(stats.app, stats.table, key, outcome, column, show(value, secret=secret), reason)
        if outcome == "fixed" and first:
            stats.fixed += 1

    def withdraw_fixes(self, stats: TableStats, keys: set | None = None) -> None:
        """Rows first counted as fixed, then rejected by a later check (all of the table's when `keys` is
        None): their fix entries go."""
        stats.fixed -= self._entries.remove(stats.app, stats.table, "fixed", keys)

    def app_rolled_back(self, app: str, status: str) -> None:
        """An app's transaction failed: none of its rows are in, so every row not skipped is rejected,
        with one entry per table saying why."""
        self.apps[app] = {"status": status}
        for stats in self.tables.values():
            if stats.app != app:
                continue
            stats.new = stats.updated = stats.unchanged = 0
            stats.rejected = stats.read - sum(stats.skipped.values())
            self.withdraw_fixes(stats)
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
        return {**self._head(), "entries": list(self._sorted_entries())}

    def _head(self) -> dict:
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
        }

    def _sorted_entries(self):
        # Within a table, entries come from batches and set-based SQL checks whose row order the
        # database does not promise; sorting makes two runs of the same file report identically.
        return self._entries.rows(ranks={key: rank for rank, key in enumerate(self.tables)})

    def write(self, path: str | Path) -> None:
        """The report as JSON (`as_dict`), its entries written one at a time as they are read back."""
        head = json.dumps(self._head(), indent=2, ensure_ascii=False, default=str)
        with open(path, "w", encoding="utf-8") as out:
            out.write(head[:-2] + ',\n  "entries": [')  # head ends with "\n}"
            for n, entry in enumerate(self._sorted_entries()):
                out.write(("," if n else "") + "\n    " + json.dumps(entry, ensure_ascii=False, default=str))
            out.write("\n  ]\n}\n")

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

    def _head(self) -> dict:
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
