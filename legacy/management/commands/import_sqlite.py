"""`manage.py import_sqlite PATH`: bring a legacy SQLite installation into PostgreSQL (spec/IMPORT.md)."""

import gc

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from legacy.importer import run_import
from legacy.loader import DEFAULT_BATCH_SIZE
from legacy.mapping import LegacyUsageError
from legacy.memory import stop_sqlite_memory_statistics, tune_for_bulk_load
from legacy.progress import Progress
from legacy.sources import LegacySourceError


class Command(BaseCommand):
    help = "Import a legacy AgentPod SQLite file, app by app (exit 0 ok, 1 rows rejected, 2 usage error)."
    # The import reads models only. The system checks import every URLconf, view and admin module, about
    # a fifth of the 100 MiB the import may use; `manage.py check` and the server run them anyway.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="the legacy database file (its -wal beside it is read too)")
        parser.add_argument("--auth-db", help="the file holding the Better Auth tables, if not PATH")
        parser.add_argument(
            "--app",
            action="append",
            dest="apps",
            metavar="LABEL",
            help="import only this app (repeatable); its parent apps must be imported already",
        )
        parser.add_argument("--owner", metavar="EMAIL", help="the user who receives single-tenant data")
        parser.add_argument(
            "--legacy-encryption-key",
            metavar="KEY",
            default=settings.LEGACY_ENCRYPTION_KEY,
            help="the old server's ENCRYPTION_KEY (default: $LEGACY_ENCRYPTION_KEY)",
        )
        parser.add_argument(
            "--overwrite-reference",
            action="store_true",
            help="replace reference data an operator changed in PostgreSQL",
        )
        parser.add_argument("--dry-run", action="store_true", help="read, convert and report; write nothing")
        parser.add_argument("--report", metavar="FILE.json", help="write the full report as JSON")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="rows per COPY batch")
        parser.add_argument(
            "--repos-dir",
            metavar="OLD_DIR",
            help="the old server's REPOS_DIR: each imported sandbox's repository <repoName> is copied to its "
            "owner's REPOS_DIR/<user id>/<repoName> (re-runs skip the ones in place)",
        )
        parser.add_argument("--move-repos", action="store_true", help="with --repos-dir, move instead of copy")

    def run_from_argv(self, argv):
        # Before anything opens SQLite, which a process that goes on (call_command) may have done.
        stop_sqlite_memory_statistics()
        try:
            super().run_from_argv(argv)
        finally:
            # The process ends here. Frozen, what it holds is left out of the interpreter's last garbage
            # collection, which would otherwise walk all of Django and the import's report once more on
            # the way out (measured: 0.15-0.23 s of a Django process's exit, 0.02 s frozen). Not in
            # handle(): call_command runs it inside a process that goes on.
            gc.freeze()

    def handle(self, *args, **options):
        tune_for_bulk_load()
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1", returncode=2)
        if options["move_repos"] and not options["repos_dir"]:
            raise CommandError("--move-repos needs --repos-dir", returncode=2)
        verbose = options["verbosity"] >= 1
        progress = Progress(self.stdout, self.stderr, tty=self.stderr.isatty(), enabled=verbose)
        # What is loaded by now (Django, the apps) outlives the import: frozen out of the collector's
        # scans, the collection after each table (legacy.loader) walks only what the import made
        # (measured: 60 ms a table otherwise, over a second in all).
        gc.freeze()
        try:
            report = run_import(
                options["path"],
                auth_db=options["auth_db"],
                apps=options["apps"],
                owner=options["owner"],
                encryption_key=options["legacy_encryption_key"],
                overwrite_reference=options["overwrite_reference"],
                dry_run=options["dry_run"],
                batch_size=options["batch_size"],
                progress=progress.table,
                log=self.stdout.write if verbose else None,
                repos_dir=options["repos_dir"],
                move_repos=options["move_repos"],
            )
        except (LegacySourceError, LegacyUsageError) as error:
            raise CommandError(str(error), returncode=2) from None
        finally:
            gc.unfreeze()
            progress.close()
        if options["report"]:
            report.write(options["report"])
        if verbose:
            for line in report.summary_lines():
                self.stdout.write(line)
            for note in report.notes:
                self.stdout.write(f"note: {note}")
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING("dry run: nothing was written to the database"))
        if not report.balanced:
            raise CommandError(
                "internal error: read != imported + skipped + rejected for some table (see the summary)",
                returncode=1,
            )
        for hint in report.hints:
            self.stderr.write(self.style.WARNING(hint))
        if report.exit_status:
            where = f" (listed in {options['report']})" if options["report"] else " (pass --report FILE.json)"
            raise CommandError(
                f"{report.rejected} rows rejected{where}; apps not imported: "
                f"{', '.join(report.failed_apps) or 'none'}",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"imported in {report.elapsed:.1f}s"))
