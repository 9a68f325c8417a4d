"""The `sync_chats` worker run inside a test, and a helper to wait for what it does.

`RunningWorker(**options)` runs a `chat.worker.ChatSyncWorker` (short scan interval and backoff unless
`options` say otherwise) with an
event loop of its own in a thread: `with RunningWorker() as worker: ...`; leaving the block stops it and
releases its advisory locks. It uses database connections of its own, so the data it must see has to be
committed (`pytest.mark.django_db(transaction=True)`).
"""

from __future__ import annotations

import asyncio
import threading
import time

from chat.worker import ChatSyncWorker


class RunningWorker:
    """A worker with its own event loop in a thread, stopped (and its locks released) on exit."""

    def __init__(self, **options):
        self.worker = ChatSyncWorker(**{"scan_interval": 0.2, "backoff_initial": 0.2, "backoff_max": 1, **options})
        self.loop = asyncio.new_event_loop()
        self.stop = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.stop = asyncio.Event()
        self.loop.run_until_complete(self.worker.run(self.stop))

    def __enter__(self):
        self.thread.start()
        return self.worker

    def __exit__(self, *exc):
        while self.stop is None:
            time.sleep(0.01)
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=20)
        assert not self.thread.is_alive(), "the worker did not stop"


def wait_for(condition, timeout=30.0, interval=0.1):
    """True as soon as `condition()` is; after `timeout` seconds, whatever it is then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
