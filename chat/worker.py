"""The chat sync worker (`manage.py sync_chats`): follows the event stream of every running sandbox's
OpenCode and stores each message as it completes.

- Every `scan_interval` seconds it reads which sandboxes run. A sandbox that starts is followed, one that
  stops (or is deleted) is let go: starting and stopping a sandbox starts and stops its sync. A deleted
  sandbox is never followed again (`Sandbox.objects` no longer returns it), and a sync still under way
  when it is deleted stores nothing more (`chat_sync_opencode_session`).
- Each sandbox is followed by exactly one worker, on one host or many: a worker follows a sandbox only
  while it holds that sandbox's PostgreSQL advisory lock, taken on a connection of its own. A worker that
  dies loses its connection and so its locks; another worker takes the sandbox over on its next scan.
- Following a sandbox: connect to `/event`, catch up (every session synced once, for what happened while
  nobody listened), then sync a session whenever one of its messages completes. A stream that cannot be
  opened or breaks (the container restarts, OpenCode is killed) is retried with exponential backoff.
- What it does is recorded in `chat_sync_state` (active, last sync, reconnect attempts, a heartbeat), which
  `GET .../chat/sync/status` reports.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import zlib
from dataclasses import dataclass, field

import psycopg
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection, connections
from django.utils import timezone

from core.api.errors import ApiError
from sandboxes.models import Sandbox, SandboxStatus
from sandboxes.opencode import AsyncOpenCodeClient
from sandboxes.services import sandbox_opencode_endpoint

from .models import ChatSyncState
from .services import message_is_complete
from .sync import chat_sync_sandbox_async, chat_sync_session_async

logger = logging.getLogger(__name__)

# pg_try_advisory_lock(key1, key2): key1 says "chat sync", key2 the sandbox (crc32 of its id, as int4).
LOCK_CLASS = 0x63686174  # "chat"


def sandbox_lock_key(sandbox_id: str) -> int:
    return zlib.crc32(sandbox_id.encode()) - 2**31


@dataclass
class Follower:
    sandbox_id: str
    task: asyncio.Task
    attempts: int = 0


@dataclass
class ChatSyncWorker:
    scan_interval: float = 2.0
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    followers: dict[str, Follower] = field(default_factory=dict)

    # -- the loop ---------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Scan, follow and let go until `stop` is set; then release every sandbox."""
        self._locks = await psycopg.AsyncConnection.connect(**_connection_params(), autocommit=True)
        try:
            while not stop.is_set():
                try:
                    await self.scan()
                except (psycopg.Error, ApiError) as error:
                    logger.warning("Chat sync scan failed: %s", error)
                try:
                    async with asyncio.timeout(self.scan_interval):
                        await stop.wait()
                except TimeoutError:
                    pass
        finally:
            for sandbox_id in list(self.followers):
                await self.release(sandbox_id)
            await self._locks.close()
            await sync_to_async(connections.close_all)()  # the connections of the sync executor

    async def scan(self) -> None:
        running = set(await sync_to_async(_running_sandbox_ids)())
        for sandbox_id in list(self.followers):
            follower = self.followers[sandbox_id]
            if sandbox_id not in running or follower.task.done():
                await self.release(sandbox_id)
        for sandbox_id in sorted(running - set(self.followers)):
            if await self._try_lock(sandbox_id):
                await sync_to_async(_record)(sandbox_id, worker=self.name, active=True, attempts=0)
                task = asyncio.create_task(self.follow(sandbox_id), name=f"chat-sync-{sandbox_id}")
                self.followers[sandbox_id] = Follower(sandbox_id, task)
        if self.followers:
            await sync_to_async(_heartbeat)(list(self.followers))

    async def release(self, sandbox_id: str) -> None:
        follower = self.followers.pop(sandbox_id)
        follower.task.cancel()
        try:
            await follower.task
        except (asyncio.CancelledError, Exception):  # noqa: BLE001 - it is let go either way
            pass
        await sync_to_async(_record)(sandbox_id, worker=self.name, active=False)
        async with self._locks.cursor() as cursor:
            await cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, sandbox_lock_key(sandbox_id)])

    async def _try_lock(self, sandbox_id: str) -> bool:
        async with self._locks.cursor() as cursor:
            await cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, sandbox_lock_key(sandbox_id)])
            return (await cursor.fetchone())[0]

    # -- one sandbox ------------------------------------------------------------------------------------

    async def follow(self, sandbox_id: str) -> None:
        follower = self.followers[sandbox_id]
        delay = self.backoff_initial
        while True:
            try:
                sandbox = await Sandbox.objects.aget(pk=sandbox_id)
                endpoint = await sync_to_async(sandbox_opencode_endpoint)(sandbox=sandbox)
                async with AsyncOpenCodeClient(endpoint) as opencode:
                    await self._listen(sandbox, opencode, follower)
                delay = self.backoff_initial  # the stream ended cleanly: reconnect at once
            except (ApiError, OSError) as error:
                follower.attempts += 1
                message = getattr(error, "message", type(error).__name__)
                await sync_to_async(_record)(sandbox_id, worker=self.name, active=True, attempts=follower.attempts,
                                             error=message)
                logger.info("Chat sync of sandbox %s: %s; retrying in %.1f s", sandbox_id, message, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.backoff_max)
            except Sandbox.DoesNotExist:
                return

    async def _listen(self, sandbox: Sandbox, opencode: AsyncOpenCodeClient, follower: Follower) -> None:
        events = opencode.events()
        try:
            async for event in events:
                if event.type == "server.connected":
                    # Connected: catch up on whatever happened while nobody listened.
                    follower.attempts = 0
                    await chat_sync_sandbox_async(sandbox=sandbox, opencode=opencode)
                    await sync_to_async(_record)(sandbox.pk, worker=self.name, active=True, attempts=0, synced=True)
                    continue
                session_id = _completed_message_session(event)
                if session_id:
                    await chat_sync_session_async(sandbox=sandbox, session_id=session_id, opencode=opencode)
                    await sync_to_async(_record)(sandbox.pk, worker=self.name, active=True, synced=True)
        finally:
            await events.aclose()


def _completed_message_session(event) -> str | None:
    """The session to sync for an event: a message that just completed (never one still being written),
    or a session whose title or state changed."""
    properties = event.properties or {}
    if event.type == "message.updated":
        info = properties.get("info") or {}
        if isinstance(info, dict) and isinstance(info.get("sessionID"), str) and message_is_complete(info):
            return info["sessionID"]
    if event.type == "session.updated":
        info = properties.get("info") or {}
        return info.get("id") if isinstance(info, dict) and isinstance(info.get("id"), str) else None
    return None


# -- database, sync side ---------------------------------------------------------------------------------

def _connection_params() -> dict:
    """The project database's connection parameters, for the worker's own lock connection."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return params


def _running_sandbox_ids() -> list[str]:
    close_old_connections()
    return list(Sandbox.objects.filter(status=SandboxStatus.RUNNING).values_list("id", flat=True))


def _heartbeat(sandbox_ids: list[str]) -> None:
    ChatSyncState.objects.filter(sandbox_id__in=sandbox_ids).update(heartbeat_at=timezone.now())


def _record(sandbox_id: str, *, worker: str, active: bool, attempts: int | None = None, synced: bool = False,
            error: str | None = None) -> None:
    now = timezone.now()
    values = {"worker": worker, "active": active, "heartbeat_at": now}
    if attempts is not None:
        values["reconnect_attempts"] = attempts
    if synced:
        values["last_sync_at"], values["last_error"] = now, None
    if error:
        values["last_error"] = error[:500]
    if Sandbox.objects.filter(pk=sandbox_id).exists():
        ChatSyncState.objects.update_or_create(sandbox_id=sandbox_id, defaults=values)
