"""`manage.py export_sqlite OUT`: write PostgreSQL back as a legacy SQLite file (schema version 18),
the way back of the migration plan (legacy.exporter)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from legacy.exporter import DEFAULT_BATCH_SIZE, run_export
from legacy.mapping import LegacyUsageError
from legacy.progress import Progress


class Command(BaseCommand):
    help = "Export to a legacy AgentPod SQLite file (exit 0 ok, 1 rows left out, 2 usage error)."
    # The export reads models only. The system checks import every URLconf, view and admin module, a
    # seventh of the 100 MiB the export may use; `manage.py check` and the server run them anyway.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("out", help="the legacy database file to write (OUT.sqlite)")
        parser.add_argument("--auth-db", metavar="OUT_AUTH", help="write the Better Auth tables to this file")
        parser.add_argument(
            "--app", action="append", dest="apps", metavar="LABEL", help="export only this app (repeatable)"
        )
        parser.add_argument("--owner", metavar="EMAIL", help="the user whose data fills single-tenant rows")
        parser.add_argument(
            "--legacy-encryption-key",
            metavar="KEY",
            default=settings.LEGACY_ENCRYPTION_KEY,
            help="the old server's ENCRYPTION_KEY (default: $LEGACY_ENCRYPTION_KEY)",
        )
        parser.add_argument("--force", action="store_true", help="replace OUT (and OUT_AUTH) if it exists")
        parser.add_argument("--report", metavar="FILE.json", help="write the full report as JSON")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="rows per batch")

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1", returncode=2)
        verbose = options["verbosity"] >= 1
        progress = Progress(self.stdout, self.stderr, tty=self.stderr.isatty(), enabled=verbose)
        try:
            report = run_export(
                options["out"],
                auth_db=options["auth_db"],
                apps=options["apps"],
                owner=options["owner"],
                encryption_key=options["legacy_encryption_key"],
                force=options["force"],
                batch_size=options["batch_size"],
                progress=progress.table,
                log=self.stdout.write if verbose else None,
            )
        except LegacyUsageError as error:
            raise CommandError(str(error), returncode=2) from None
        finally:
            progress.close()
        if options["report"]:
            report.write(options["report"])
        if verbose:
            for line in report.summary_lines():
                self.stdout.write(line)
            for note in report.notes:
                self.stdout.write(f"note: {note}")
        if not report.balanced:
            raise CommandError(
                "internal error: read != written + skipped + left out for some table (see the summary)",
                returncode=1,
            )
        for hint in report.hints:
            self.stderr.write(self.style.WARNING(hint))
        if report.exit_status:
            where = f" (listed in {options['report']})" if options["report"] else " (pass --report FILE.json)"
            raise CommandError(
                f"{report.left_out} rows left out, {len(report.password_resets)} users must reset their "
                f"password after a rollback{where}; the file was written",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"exported to {options['out']} in {report.elapsed:.1f}s"))
