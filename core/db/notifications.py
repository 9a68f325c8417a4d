"""PostgreSQL LISTEN/NOTIFY for the caches a server process keeps in memory.

A cache in one process cannot see a write made by another process (another server worker, the admin, an
import). The database can tell it: a trigger sends `NOTIFY channel, payload` when the rows change, and
PostgreSQL delivers it when the writing transaction commits. `listener` follows the channels that caches
subscribe to, on one daemon thread per process with a connection of its own, and calls each channel's
handler with the payload.

A cache must not serve anything while nothing listens (`listener.listening` is False: not yet connected,
or the connection was lost), and forgets everything when listening starts again (`on_gap`), since
notifications sent in between are gone. `NotifiedCache` is such a cache.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from django.db import connections
from psycopg import sql

from core.conf import AppSettings

logger = logging.getLogger(__name__)

# How often the thread wakes to see whether it should stop, and how often it checks its connection.
POLL_SECONDS = 1.0
PING_SECONDS = 30.0
RECONNECT_SECONDS = (0.5, 1, 2, 5, 10)
APPLICATION_NAME = "agentpod-notifications"  # how its connection shows in pg_stat_activity


def connection_params(alias: str = "default") -> dict:
    """psycopg.connect() arguments for a connection of one's own to Django's database `alias` (without
    the options only Django's own connections take)."""
    params = connections[alias].get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    return params


@dataclass(frozen=True)
class Subscription:
    channel: str
    handler: Callable[[str], None]
    on_gap: Callable[[], None]


class Listener:
    """Follows NOTIFY on the subscribed channels; started by the first `listening` check in a process."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self._subscriptions: dict[str, Subscription] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._connected = threading.Event()
        self._stop = threading.Event()

    def subscribe(self, channel: str, handler: Callable[[str], None], *, on_gap: Callable[[], None]) -> None:
        """Call `handler(payload)` for each notification on `channel`, `on_gap()` whenever some may have been
        missed. Subscribe at start-up (an `AppConfig.ready()`), before the thread starts."""
        self._subscriptions[channel] = Subscription(channel, handler, on_gap)

    @property
    def listening(self) -> bool:
        """Whether notifications are being received now (starting the thread, in this process, if needed)."""
        if self._pid != os.getpid():  # first use, or a forked worker: threads do not survive a fork
            self._start()
        return self._connected.is_set()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread and close its connection (before the database it listens to is dropped)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread, self._pid = None, None
        self._connected.clear()

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._connected.clear()
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="pg-listener", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._listen()
                failures = 0
            except psycopg.Error as error:
                logger.warning("Database notifications interrupted (%s); caches that need them are off until "
                               "they resume", error.__class__.__name__)
                self._stop.wait(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])
                failures += 1
            except Exception:  # a handler's bug must not end the thread for good: log it, listen again
                logger.exception("Database notification handling failed; caches that need them restart empty")
                self._stop.wait(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])
                failures += 1
            finally:
                self._connected.clear()

    def _listen(self) -> None:
        subscriptions = dict(self._subscriptions)
        params = {**connection_params(self.alias), "application_name": APPLICATION_NAME}
        with psycopg.connect(**params, autocommit=True) as connection:
            for channel in subscriptions:
                connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            for subscription in subscriptions.values():
                subscription.on_gap()
            self._connected.set()
            idle = 0.0
            while not self._stop.is_set():
                received = False
                for notification in connection.notifies(timeout=POLL_SECONDS):
                    received = True
                    subscription = subscriptions.get(notification.channel)
                    if subscription is not None:
                        subscription.handler(notification.payload)
                idle = 0.0 if received else idle + POLL_SECONDS
                if idle >= PING_SECONDS:  # a connection that died quietly raises here
                    connection.execute("SELECT 1")
                    idle = 0.0


listener = Listener()
cache_settings = AppSettings({"MEMORY_CACHE_SECONDS": 30})


class NotifiedCache:
    """Values kept in this process's memory until the database says their rows changed.

    Each entry has a key and, optionally, a group (a session's token and its user's id). A notification
    on a channel followed with `forget_keys_on` names a key to forget, on one followed with
    `forget_groups_on` a group; an empty payload (a TRUNCATE's) forgets everything. An entry is served for
    at most `MEMORY_CACHE_SECONDS` (0: nothing is kept) and only while `listener` receives notifications;
    everything is forgotten when it starts receiving them again. The writer's own process should forget
    at once too (save/delete signals): the notification arrives only when the write commits.

    A value is kept only if nothing was forgotten while it was being read (`generation` before the read,
    `put(..., read_at=...)`): a change that commits during the read may be notified before the value is
    put, and would otherwise leave the old value kept.
    """

    MAX_ENTRIES = 10_000  # beyond this everything is dropped: a bound, not an eviction policy

    def __init__(self):
        self._entries: dict[str, tuple[float, str | None, object]] = {}  # key → (kept at, group, value)
        self._lock = threading.Lock()
        self._generation = 0  # how many times something was forgotten

    @property
    def generation(self) -> int:
        """Read before reading what may be kept; give it to `put` as `read_at`."""
        return self._generation

    def get(self, key: str):
        """The value kept for `key`, or None (none kept, too old, or notifications not being received)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry[0] > cache_settings.MEMORY_CACHE_SECONDS or not listener.listening:
            self._entries.pop(key, None)
            return None
        return entry[2]

    def put(self, key: str, value, *, read_at: int, group: str | None = None) -> None:
        """Keep `value`, read from the database since `generation` was `read_at`, unless something was
        forgotten meanwhile or notifications are not being received."""
        if cache_settings.MEMORY_CACHE_SECONDS <= 0 or not listener.listening:
            return
        with self._lock:
            if self._generation != read_at:
                return
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (time.monotonic(), group, value)

    def forget(self, key: str) -> None:
        if not key:
            return self.clear()
        with self._lock:
            self._generation += 1
            self._entries.pop(key, None)

    def forget_group(self, group: str) -> None:
        if not group:
            return self.clear()
        with self._lock:
            self._generation += 1
            for key in [key for key, entry in self._entries.items() if entry[1] == group]:
                self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def forget_keys_on(self, channel: str) -> None:
        listener.subscribe(channel, self.forget, on_gap=self.clear)

    def forget_groups_on(self, channel: str) -> None:
        listener.subscribe(channel, self.forget_group, on_gap=self.clear)
