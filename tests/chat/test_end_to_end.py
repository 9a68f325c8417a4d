"""Issue 11 end to end, on the real container engine: a user talks to the OpenCode agent in their sandbox
through the API only, and the conversation outlives a stop and a start of the container.

Everything goes over real HTTP to the project's ASGI app under uvicorn (`asgi_server`), with the bearer
token the user gets at sign-up: the sandbox is created and started, its container runs the OpenCode image
(`scripts/opencode.sh image`, tagged as the image the sandbox's flavor resolves to) on the host network
with the user's OpenCode settings (`OPENCODE_CONFIG_CONTENT`), which point it at the suite's model server
on loopback. The `sync_chats` worker runs beside it in a thread. The only stand-in is the model server.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import httpx
import pytest

from tests.sandboxes.conftest import docker_engine, engine  # noqa: F401 - the real engine's fixtures
from tests.support.chat_worker import RunningWorker, wait_for
from tests.support.model_server import DEFAULT_REPLY, MODEL_ID, PROVIDER_ID

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FLAVOR = "fullstack"
UNREACHABLE = {"healthy": False, "status": "unreachable"}
HEALTHY = {"healthy": True, "status": "ok"}


@pytest.fixture
def opencode_flavor(engine, opencode_image, settings):  # noqa: F811 - `engine` is the imported fixture
    """The sandboxes' flavor image is the OpenCode image, on the host network (OpenCode listens on
    127.0.0.1 on the port the backend allocates); the tag is the test's own and is removed afterwards."""
    from containers.services import image_reference

    settings.SANDBOX_IMAGE_NAME_PREFIX = "agentpod-e2e"
    settings.SANDBOX_IMAGE_TAG = f"case-{engine.case}"
    settings.SANDBOX_NETWORK_MODE = "host"
    reference = image_reference(flavor_id=FLAVOR)
    engine.client.tag(opencode_image, reference.name, reference.tag)
    yield reference.ref
    engine.client.remove_image(reference.ref)  # only the tag: the image keeps its own name


@pytest.fixture
def http(asgi_server):
    with httpx.Client(base_url=asgi_server, timeout=60) as client:
        yield client


def read_events(lines, until, seen=None, timeout=30.0) -> list[tuple[str, dict | str]]:
    """(event type, data) of each SSE message and ("comment", text) of each comment of the stream's `lines`
    (one `iter_lines()` iterator, read on where it was left), appended to `seen` until `until(seen)`."""
    seen, kind = [] if seen is None else seen, None
    deadline = time.monotonic() + timeout
    for line in lines:
        if line.startswith(":"):
            seen.append(("comment", line[1:].strip()))
        elif line.startswith("event: "):
            kind = line[len("event: "):]
        elif line.startswith("data: "):
            seen.append((kind, json.loads(line[len("data: "):])))
        if until(seen) or time.monotonic() > deadline:
            break
    return seen


def texts(message: dict) -> list[str]:
    return [part.get("text") for part in message["parts"] if part.get("type") == "text"]


def test_a_conversation_with_the_agent_in_a_container_survives_a_stop_and_a_start(
        http, engine, opencode_flavor, model):  # noqa: F811
    # -- a user signs up and sets their OpenCode settings: the model server is their only model ---------
    signed_up = http.post("/api/auth/sign-up/email", json={"email": "chat-e2e@example.com",
                                                           "password": "e2e-password-1", "name": "Chat E2E"})
    assert signed_up.status_code in (200, 201), signed_up.text
    http.headers["Authorization"] = f"Bearer {signed_up.json()['token']}"
    settings_put = http.put("/api/users/me/opencode/settings", json={"settings": model.opencode_config()})
    assert settings_put.status_code == 200, settings_put.text

    with RunningWorker():
        # -- a sandbox created with autoStart runs OpenCode in its container ------------------------------
        created = http.post("/api/v2/sandboxes", json={"name": "Chat E2E", "flavor": FLAVOR, "autoStart": True})
        assert created.status_code == 201, created.text
        sandbox = created.json()["sandbox"]
        assert sandbox["status"] == "running"
        sid = sandbox["id"]
        api, chat = f"/api/v2/sandboxes/{sid}/opencode", f"/api/v2/sandboxes/{sid}/chat"

        [container] = engine.containers(**{"agentpod.sandbox.id": sid})
        inspected = engine.client.inspect_container(container["Id"])
        assert inspected["Config"]["Image"] == opencode_flavor
        assert inspected["HostConfig"]["NetworkMode"] == "host"
        env = dict(item.split("=", 1) for item in inspected["Config"]["Env"])
        assert json.loads(env["OPENCODE_CONFIG_CONTENT"]) == model.opencode_config()

        assert wait_for(lambda: http.get(f"{api}/health").json() == HEALTHY, timeout=60, interval=0.25), (
            http.get(f"{api}/health").json(), engine.client.logs(container["Id"], tail=30))
        # The user's settings reached the container's OpenCode.
        assert http.get(f"{api}/app").json()["config"]["model"] == f"{PROVIDER_ID}/{MODEL_ID}"

        # -- the worker follows the running sandbox ------------------------------------------------------
        assert wait_for(lambda: http.get(f"{chat}/sync/status").json()["sync"]["active"] is True, timeout=40)
        assert http.get(f"{chat}/sync/status").json()["sandboxStatus"] == "running"

        # -- a session, and a message answered by the model server, its events streamed live ------------
        session = http.post(f"{api}/session", json={"title": "Through the container"}).json()
        assert session["title"] == "Through the container" and session["id"].startswith("ses")
        assert session["id"] in [s["id"] for s in http.get(f"{api}/session").json()]

        answers: list[httpx.Response] = []

        def send() -> None:
            with httpx.Client(base_url=str(http.base_url), headers=http.headers, timeout=60) as sender:
                answers.append(sender.post(f"{api}/session/{session['id']}/message",
                                           json={"parts": [{"type": "text", "text": "Say hello"}]}))

        with http.stream("GET", f"{api}/event", headers={"Accept": "text/event-stream"}) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            # The message is sent once the relay is subscribed to OpenCode's events, so none is missed.
            events = read_events(lines, lambda seen: any(kind == "server.connected" for kind, _ in seen))
            assert "server.connected" in [kind for kind, _ in events], events
            sender = threading.Thread(target=send, daemon=True)
            sender.start()

            def idle(seen) -> bool:
                return any(kind == "session.idle" and data["properties"].get("sessionID") == session["id"]
                           for kind, data in seen)

            read_events(lines, idle, seen=events, timeout=60)
        sender.join(timeout=60)
        assert idle(events), [kind for kind, _ in events]
        assert events[0] == ("comment", "connected")

        [answer] = answers
        assert answer.status_code == 200, answer.text
        info = answer.json()["info"]
        assert (info["role"], info["providerID"], info["modelID"]) == ("assistant", PROVIDER_ID, MODEL_ID)
        assert DEFAULT_REPLY in texts(answer.json())
        assert model.completions(), "the model server was never asked"

        updated = {data["properties"]["info"]["id"]: data["properties"]["info"]["role"]
                   for kind, data in events
                   if kind == "message.updated" and data["properties"]["info"]["sessionID"] == session["id"]}
        assert updated.get(info["id"]) == "assistant" and "user" in updated.values()
        assert any(kind == "message.part.updated" and data["properties"]["part"]["messageID"] == info["id"]
                   for kind, data in events)

        # -- read back through the proxy ----------------------------------------------------------------
        listed = http.get(f"{api}/session/{session['id']}/message").json()
        assert [m["info"]["role"] for m in listed] == ["user", "assistant"]
        assert listed[1]["info"]["id"] == info["id"] and DEFAULT_REPLY in texts(listed[1])
        one = http.get(f"{api}/session/{session['id']}/message/{info['id']}").json()
        assert one["info"]["id"] == info["id"]
        opencode_ids = [m["info"]["id"] for m in listed]

        # -- and in the chat history --------------------------------------------------------------------
        [chat_session] = http.get(f"{chat}/sessions").json()["sessions"]
        assert (chat_session["opencodeSessionId"], chat_session["title"], chat_session["messageCount"]) == (
            session["id"], "Through the container", 2)
        history_url = f"{chat}/sessions/{chat_session['id']}/messages"
        history = http.get(history_url).json()["messages"]
        assert [(m["externalMessageId"], m["role"]) for m in history] == [
            (opencode_ids[0], "user"), (info["id"], "assistant")]
        assert DEFAULT_REPLY in [part.get("text") for part in history[1]["content"]["parts"]]
        assert (history[1]["modelProvider"], history[1]["modelId"], history[1]["status"]) == (
            PROVIDER_ID, MODEL_ID, "complete")

        # -- stop: OpenCode is unreachable, the worker lets go, the history stays readable ---------------
        stopped = http.post(f"/api/v2/sandboxes/{sid}/stop")
        assert stopped.status_code == 200 and stopped.json()["message"] == "Sandbox stopped"
        assert engine.client.inspect_container(container["Id"])["State"]["Running"] is False
        assert http.get(f"{api}/health").json() == UNREACHABLE
        not_running = http.get(f"{api}/session")
        assert (not_running.status_code, not_running.json()) == (
            503, {"error": "Sandbox is not running (status: stopped)"})
        assert wait_for(lambda: http.get(f"{chat}/sync/status").json()["sync"] == {"active": False})
        assert http.get(history_url).json()["messages"] == history

        # -- start again: the history is intact and OpenCode answers again -------------------------------
        restarted_at = datetime.now(UTC)
        started = http.post(f"/api/v2/sandboxes/{sid}/start")
        assert started.status_code == 200 and started.json()["message"] == "Sandbox started"
        assert wait_for(lambda: http.get(f"{api}/health").json() == HEALTHY, timeout=60, interval=0.25), (
            engine.client.logs(container["Id"], tail=30))
        assert wait_for(lambda: http.get(f"{chat}/sync/status").json()["sync"].get("active") is True)

        assert [s["id"] for s in http.get(f"{chat}/sessions").json()["sessions"]] == [chat_session["id"]]
        assert http.get(history_url).json()["messages"] == history
        # OpenCode's own storage lives in the container, which was stopped, not removed.
        assert [m["info"]["id"] for m in http.get(f"{api}/session/{session['id']}/message").json()] == opencode_ids

        again = http.post(f"{api}/session/{session['id']}/message",
                          json={"parts": [{"type": "text", "text": "Say hello again"}]})
        assert again.status_code == 200, again.text
        assert DEFAULT_REPLY in texts(again.json())
        after = http.get(history_url).json()["messages"]
        assert after[:2] == history and len(after) == 4
        assert [m["role"] for m in after[2:]] == ["user", "assistant"]
        assert after[3]["externalMessageId"] == again.json()["info"]["id"]
        [resumed] = http.get(f"{chat}/sessions").json()["sessions"]
        assert (resumed["id"], resumed["messageCount"], resumed["assistantMessageCount"]) == (
            chat_session["id"], 4, 2)

        # The worker followed the sandbox again after the start and caught up with it. (It can take up to
        # 30 s: a starting OpenCode never answers the first request, see test_worker_startup.py.)
        def synced_since_start() -> bool:
            sync = http.get(f"{chat}/sync/status").json()["sync"]
            return bool(sync.get("lastSyncTime")) and datetime.fromisoformat(sync["lastSyncTime"]) >= restarted_at

        assert wait_for(synced_since_start, timeout=45, interval=0.5), http.get(f"{chat}/sync/status").json()
        assert http.get(f"{chat}/sync/status").json()["sync"]["reconnectAttempts"] == 0
