"""`manage.py sync_chats`: the long-running worker that keeps every running sandbox's conversations in
PostgreSQL (chat/worker.py). Run one or several, on one host or many: each sandbox is followed by exactly
one of them. Stops cleanly on SIGINT or SIGTERM."""

import asyncio
import signal

from django.core.management.base import BaseCommand, CommandError

from chat.worker import ChatSyncWorker


class Command(BaseCommand):
    help = "Follow the OpenCode event stream of every running sandbox and store messages as they complete."

    def add_arguments(self, parser):
        parser.add_argument("--scan-interval", type=float, default=2.0,
                            help="Seconds between looks at which sandboxes run (default 2).")
        parser.add_argument("--backoff-max", type=float, default=30.0,
                            help="Longest wait before reconnecting to a sandbox's OpenCode (default 30 s).")

    def handle(self, *args, scan_interval, backoff_max, **options):
        if scan_interval <= 0 or backoff_max <= 0:
            raise CommandError("--scan-interval and --backoff-max must be positive.")
        worker = ChatSyncWorker(scan_interval=scan_interval, backoff_max=backoff_max)
        self.stdout.write(f"sync_chats {worker.name}: following running sandboxes")
        asyncio.run(self._run(worker))
        self.stdout.write(f"sync_chats {worker.name}: stopped")

    @staticmethod
    async def _run(worker: ChatSyncWorker) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await worker.run(stop)
