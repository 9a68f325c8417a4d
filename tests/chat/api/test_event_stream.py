"""`GET /api/v2/sandboxes/{id}/opencode/event` over real HTTP: the project's ASGI app under uvicorn relays
a real OpenCode's events as SSE, with heartbeats, and lets go of OpenCode when the client goes."""

from __future__ import annotations

import gc
import json
import threading
import time

import httpx
import pytest

from chat import event_hub
from chat.api import opencode_views
from sandboxes.opencode import AsyncOpenCodeClient, OpenCodeClient
from tests.chat.conftest import AGENT_SANDBOX_ID
from tests.factories import SandboxFactory, SessionFactory, UserFactory
from tests.support.chat_worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def read_events(response, until, timeout=60.0) -> list[tuple[str, dict | str]]:
    """(event type, data) of each SSE message, and ("comment", text) of each comment, until `until(seen)`.
    `response` may also be the iterator of its lines, to read on from where an earlier call stopped."""
    seen, event = [], None
    deadline = time.monotonic() + timeout
    for line in response.iter_lines() if isinstance(response, httpx.Response) else response:
        if line.startswith(":"):
            seen.append(("comment", line[1:].strip()))
        elif line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: "):
            seen.append((event, json.loads(line[len("data: "):])))
        if until(seen) or time.monotonic() > deadline:
            return seen
    return seen


class TrackedClient(AsyncOpenCodeClient):
    """The proxy's OpenCode client, counting the ones open."""

    open = 0

    def __init__(self, endpoint):
        super().__init__(endpoint)
        type(self).open += 1

    async def aclose(self):
        type(self).open -= 1
        await super().aclose()


@pytest.fixture
def stream(asgi_server, agent_opencode, model):
    user = UserFactory()
    sandbox = SandboxFactory(id=AGENT_SANDBOX_ID, user=user, status="running", opencode_url=agent_opencode.base_url)
    token = SessionFactory(user=user).token
    url = f"{asgi_server}/api/v2/sandboxes/{sandbox.pk}/opencode/event"
    return url, {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}


def test_a_message_arrives_as_server_sent_events(stream, agent_opencode):
    url, headers = stream
    with httpx.stream("GET", url, headers=headers, timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        with OpenCodeClient(agent_opencode.endpoint) as opencode:
            session = opencode.session_create()
            threading.Thread(target=opencode.session_prompt, args=(session["id"],),
                             kwargs={"parts": [{"type": "text", "text": "hi"}]}, daemon=True).start()

            def answered(seen):
                return any(kind == "session.idle" and data["properties"].get("sessionID") == session["id"]
                           for kind, data in seen)

            seen = read_events(response, answered)
    assert seen[0] == ("comment", "connected")
    kinds = [kind for kind, _ in seen]
    assert {"server.connected", "message.updated", "message.part.updated", "session.idle"} <= set(kinds)
    for kind, data in seen:
        if kind != "comment":
            assert data["type"] == kind and "properties" in data  # the whole event as OpenCode sent it


def test_heartbeats_while_opencode_is_quiet(stream, monkeypatch):
    monkeypatch.setattr(opencode_views, "HEARTBEAT_SECONDS", 0.3)
    url, headers = stream
    with httpx.stream("GET", url, headers=headers, timeout=30) as response:
        seen = read_events(response, lambda seen: seen.count(("comment", "heartbeat")) >= 2, timeout=20)
    assert seen.count(("comment", "heartbeat")) >= 2


def no_upstream_open() -> bool:
    return not any(hubs for hubs in event_hub._HUBS.values())


@pytest.fixture
def tracked(monkeypatch):
    """TrackedClient as the hubs' client, once no hub is left from an earlier test (whose server side may
    still be finishing as this one starts)."""
    assert wait_for(no_upstream_open, timeout=5, interval=0.02)
    monkeypatch.setattr(event_hub, "AsyncOpenCodeClient", TrackedClient)
    TrackedClient.open = 0
    return TrackedClient


def test_the_upstream_is_closed_when_the_client_goes(stream, tracked):
    url, headers = stream
    with httpx.stream("GET", url, headers=headers, timeout=30) as response:
        lines = response.iter_lines()  # kept: dropping the iterator would close the response
        read_events(lines, lambda seen: any(kind == "server.connected" for kind, _ in seen))
        assert TrackedClient.open == 1
    deadline = time.monotonic() + 10
    while TrackedClient.open and time.monotonic() < deadline:
        time.sleep(0.05)
    assert TrackedClient.open == 0


def test_the_upstream_is_closed_when_the_client_goes_while_events_flow(stream, agent_opencode, tracked):
    """The client leaves in the middle of an answer's events. With the garbage collector off, only closing
    the relay itself (not just the response around it) lets go of the upstream."""
    url, headers = stream
    gc.disable()
    try:
        with httpx.stream("GET", url, headers=headers, timeout=60) as response:
            lines = response.iter_lines()
            with OpenCodeClient(agent_opencode.endpoint) as opencode:
                session = opencode.session_create()
                threading.Thread(target=opencode.session_prompt, args=(session["id"],),
                                 kwargs={"parts": [{"type": "text", "text": "hi"}]}, daemon=True).start()
                read_events(lines, lambda seen: any(kind == "session.idle" for kind, _ in seen))
        assert wait_for(lambda: TrackedClient.open == 0, timeout=10, interval=0.05)
        assert wait_for(no_upstream_open, timeout=5, interval=0.02)
    finally:
        gc.enable()


def test_clients_of_one_sandbox_share_one_upstream_until_the_last_goes(stream, agent_opencode, tracked):
    url, headers = stream

    def connected(seen):
        return any(kind == "server.connected" for kind, _ in seen)

    with httpx.stream("GET", url, headers=headers, timeout=60) as first_response:
        first = first_response.iter_lines()
        read_events(first, connected)
        with httpx.stream("GET", url, headers=headers, timeout=60) as second_response:
            second = second_response.iter_lines()
            assert connected(read_events(second, connected))  # replayed to the one that joined later
            assert TrackedClient.open == 1
            with OpenCodeClient(agent_opencode.endpoint) as opencode:
                session = opencode.session_create(title="Shared")

            def created(seen):
                return any(kind == "session.created" and data["properties"]["info"]["id"] == session["id"]
                           for kind, data in seen)

            assert created(read_events(first, created, timeout=20))
            assert created(read_events(second, created, timeout=20))
        assert TrackedClient.open == 1  # the first client still streams
    deadline = time.monotonic() + 10
    while TrackedClient.open and time.monotonic() < deadline:
        time.sleep(0.05)
    assert TrackedClient.open == 0


def test_no_stream_for_another_user_or_a_stopped_sandbox(asgi_server, agent_opencode):
    owner, stranger = UserFactory(), UserFactory()
    sandbox = SandboxFactory(user=owner, status="stopped")
    for user, expected in ((stranger, (404, {"error": "Sandbox not found"})),
                           (owner, (503, {"error": "Sandbox is not running (status: stopped)"}))):
        response = httpx.get(f"{asgi_server}/api/v2/sandboxes/{sandbox.pk}/opencode/event", timeout=10,
                             headers={"Authorization": f"Bearer {SessionFactory(user=user).token}",
                                      "Accept": "text/event-stream"})
        assert (response.status_code, response.json()) == expected
