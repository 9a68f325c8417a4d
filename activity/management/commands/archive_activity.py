"""`manage.py archive_activity [--days 90] [--dry-run]`: the retention job, safe to run from cron."""

from django.core.management.base import BaseCommand, CommandError

from activity.services import ArchiveAlreadyRunning, activity_archive


class Command(BaseCommand):
    help = "Move activity older than --days into activity_log_archive, without personal data."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="Archive entries older than this (default 90).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would move; change nothing.")
        parser.add_argument("--batch-size", type=int, default=1000, help="Entries per transaction (default 1000).")

    def handle(self, *args, days, dry_run, batch_size, **options):
        if days < 1 or batch_size < 1:
            raise CommandError("--days and --batch-size must be positive.")
        try:
            count = activity_archive(older_than_days=days, dry_run=dry_run, batch_size=batch_size)
        except ArchiveAlreadyRunning as error:
            raise CommandError(str(error)) from None
        verb = "Would archive" if dry_run else "Archived"
        self.stdout.write(self.style.SUCCESS(f"{verb} {count} activity entries older than {days} days."))
