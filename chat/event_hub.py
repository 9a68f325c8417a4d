"""A sandbox's live OpenCode events for every client of this server process that streams them, from ONE
upstream subscription to its OpenCode's `/event`.

With a subscription per client, each event was read, parsed and re-encoded once per client, and OpenCode
served as many streams: 200 clients of one sandbox fell tens of seconds behind and missed events
(bench/opencode_event_streams.py). Here each event is parsed and encoded once, and the same bytes are
queued for every subscriber. The upstream opens with the first subscriber and closes when the last one
goes, or ends for all when OpenCode ends it (the clients reconnect, as they would to OpenCode).

A subscriber that falls `QUEUE_SIZE` events behind is ended rather than waited for, so that one slow
client never holds back the others; it reconnects. OpenCode's `server.connected`, which it sends on each
new connection, is replayed to every subscriber that joins a running upstream.

A client that goes is unsubscribed when its relay generator is closed: the server cancels it when the
client goes while it waits, and the view's response closes it when the client goes while it is sent to.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections.abc import AsyncIterator

from core.api.errors import ApiError
from sandboxes.opencode import AsyncOpenCodeClient, OpenCodeEndpoint, OpenCodeEvent

logger = logging.getLogger(__name__)

QUEUE_SIZE = 256  # events a subscriber may fall behind (references to shared bytes, not copies)
END = object()  # queued when the upstream has ended: the subscriber's stream ends too


def encode(event: OpenCodeEvent) -> bytes:
    """One SSE message: `event: <type>` / `data: <the whole event as OpenCode sent it>`."""
    data = json.dumps(event.as_dict(), separators=(",", ":"), ensure_ascii=False)
    return f"event: {event.type}\ndata: {data}\n\n".encode()


class SandboxEventHub:
    """The upstream subscription of one sandbox's OpenCode in one event loop, and its subscribers."""

    def __init__(self, endpoint: OpenCodeEndpoint, registry: dict):
        self.endpoint = endpoint
        self._registry = registry
        self._subscribers: set[asyncio.Queue] = set()
        self._connected: bytes | None = None
        self._pump = asyncio.create_task(self._relay_upstream())

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        if self._connected is not None:
            queue.put_nowait(self._connected)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._subscribers.discard(queue)
        if not self._subscribers:
            self._close()

    def _close(self) -> None:
        if self._registry.get(self.endpoint) is self:
            del self._registry[self.endpoint]
        self._pump.cancel()

    async def _relay_upstream(self) -> None:
        try:
            async with AsyncOpenCodeClient(self.endpoint) as opencode:
                async for event in opencode.events():
                    message = encode(event)
                    if event.type == "server.connected" and self._connected is None:
                        self._connected = message
                    for queue in list(self._subscribers):
                        try:
                            queue.put_nowait(message)
                        except asyncio.QueueFull:
                            logger.info("An event stream of %s fell %d events behind: ended, it reconnects",
                                        self.endpoint.base_url, QUEUE_SIZE)
                            self._end(queue)
        except ApiError as error:
            logger.info("Event stream of %s ended: %s", self.endpoint.base_url, error.message)
        finally:
            if self._registry.get(self.endpoint) is self:
                del self._registry[self.endpoint]
            for queue in list(self._subscribers):
                self._end(queue)

    def _end(self, queue: asyncio.Queue) -> None:
        """Tell one subscriber the stream is over (what it has not read yet is dropped); the upstream
        closes with the last one."""
        self._subscribers.discard(queue)
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(END)
        if not self._subscribers:
            self._close()


# Hubs belong to the event loop their upstream was opened in (one per server process in production).
_HUBS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict] = weakref.WeakKeyDictionary()


def hub_for(endpoint: OpenCodeEndpoint) -> SandboxEventHub:
    registry = _HUBS.setdefault(asyncio.get_running_loop(), {})
    hub = registry.get(endpoint)
    if hub is None:
        hub = registry[endpoint] = SandboxEventHub(endpoint, registry)
    return hub


async def relay_events(endpoint: OpenCodeEndpoint, *, heartbeat: float) -> AsyncIterator[bytes]:
    """The sandbox's events as SSE for one client: a `: connected` comment, then each event, and a
    `: heartbeat` comment whenever OpenCode is quiet for `heartbeat` seconds. Ends when the upstream does;
    the server cancels it when the client goes."""
    hub = hub_for(endpoint)
    queue = hub.subscribe()
    try:
        yield b": connected\n\n"
        while True:
            try:
                # Not asyncio.wait_for: on Python 3.11 it loses a cancellation that arrives as the queue
                # hands over an event, and the relay then streams on to a client that has gone.
                async with asyncio.timeout(heartbeat):
                    message = await queue.get()
            except TimeoutError:
                yield b": heartbeat\n\n"
                continue
            if message is END:
                return
            yield message
    finally:
        hub.unsubscribe(queue)
