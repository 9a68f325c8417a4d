"""sandboxes.opencode against a real OpenCode: a loopback `opencode serve`, and the image on the real engine.

Nothing of OpenCode's HTTP API is mocked; the only stand-in is the model server (tests.support), which
plays the LLM vendor.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from httpx_sse import ServerSentEvent

from sandboxes.opencode import (
    AsyncOpenCodeClient,
    OpenCodeClient,
    OpenCodeEndpoint,
    OpenCodeError,
    OpenCodeEvent,
    OpenCodeNotFound,
    OpenCodeUnavailable,
    _Call,
    _parse_event,
)
from tests.support.model_server import DEFAULT_REPLY, MODEL_ID, PROVIDER_ID, ModelServer
from tests.support.opencode_process import free_port, pinned_version

# The fixtures of a real OpenCode (model_server, model, opencode, opencode_client, opencode_factory,
# opencode_image), until a conftest registers them.


TEXT = [{"type": "text", "text": "Say hello"}]


def text_of(message: dict) -> str:
    return "".join(part.get("text", "") for part in message["parts"] if part["type"] == "text")


# -- calls -------------------------------------------------------------------------------------------------


def test_health(opencode_client):
    assert opencode_client.health() == {"healthy": True, "version": pinned_version()}


def test_session_create_get_list_update_delete(opencode_client):
    session = opencode_client.session_create(title="First steps")

    assert session["id"].startswith("ses")
    assert session["title"] == "First steps"
    assert opencode_client.session_get(session["id"])["id"] == session["id"]
    assert session["id"] in [listed["id"] for listed in opencode_client.session_list()]
    assert opencode_client.session_update(session["id"], title="Renamed")["title"] == "Renamed"
    assert opencode_client.session_delete(session["id"]) is True
    with pytest.raises(OpenCodeNotFound):
        opencode_client.session_get(session["id"])


def test_a_message_is_answered_by_the_model_and_read_back(opencode_client, model):
    session = opencode_client.session_create()

    answer = opencode_client.session_prompt(session["id"], parts=TEXT,
                                            model={"providerID": PROVIDER_ID, "modelID": MODEL_ID})

    assert answer["info"]["role"] == "assistant"
    assert answer["info"]["sessionID"] == session["id"]
    assert (answer["info"]["providerID"], answer["info"]["modelID"]) == (PROVIDER_ID, MODEL_ID)
    assert answer["info"]["finish"] == "stop"
    assert text_of(answer) == DEFAULT_REPLY
    # The model server was asked, streamed, with the user's words.
    assert any(body.get("stream") and "Say hello" in json.dumps(body["messages"])
               for body in model.completions())

    messages = opencode_client.session_messages(session["id"])
    assert [message["info"]["role"] for message in messages] == ["user", "assistant"]
    assert text_of(messages[0]) == "Say hello"
    assert messages[1]["info"]["id"] == answer["info"]["id"]
    assert opencode_client.session_message(session["id"], answer["info"]["id"])["parts"] == answer["parts"]


def test_files_of_the_workspace(opencode, opencode_client):
    (opencode.workspace / "notes.md").write_text("# Notes\n")
    (opencode.workspace / "src").mkdir(exist_ok=True)
    (opencode.workspace / "src" / "main.py").write_text("print('hi')\n")

    listed = {entry["name"]: entry for entry in opencode_client.file_list("")}
    assert listed["notes.md"]["type"] == "file"
    assert listed["src"]["type"] == "directory"
    assert [entry["path"] for entry in opencode_client.file_list("src")] == ["src/main.py"]
    assert opencode_client.file_read("notes.md") == {"type": "text", "content": "# Notes"}
    # OpenCode's file search reads an index that catches up with new files a moment later.
    deadline = time.monotonic() + 15
    while "src/main.py" not in opencode_client.find_files("main") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "src/main.py" in opencode_client.find_files("main")


def test_config_project_providers_agents(opencode_client, model_server):
    assert opencode_client.config_get()["model"] == f"{PROVIDER_ID}/{MODEL_ID}"
    assert "id" in opencode_client.project_current()
    providers = opencode_client.config_providers()
    assert PROVIDER_ID in [provider["id"] for provider in providers["providers"]]
    assert "build" in [agent["name"] for agent in opencode_client.agents()]


def test_auth_and_mcp(opencode_client):
    name = f"docs-{uuid.uuid4().hex[:8]}"  # the shared server keeps what earlier tests added

    assert opencode_client.auth_set(PROVIDER_ID, {"type": "api", "key": "sk-test"}) is True
    config = {"type": "remote", "url": "http://127.0.0.1:9/mcp", "enabled": False}
    added = opencode_client.mcp_add(name, config)
    assert added[name] == {"status": "disabled"}
    assert opencode_client.mcp_status()[name] == {"status": "disabled"}


def test_the_async_client_makes_the_same_calls(opencode):
    async def exchange():
        async with AsyncOpenCodeClient(opencode.endpoint) as client:
            health = await client.health()
            session = await client.session_create(title="async")
            answer = await client.session_prompt(session["id"], parts=TEXT)
            messages = await client.session_messages(session["id"])
            return health, answer, messages

    health, answer, messages = asyncio.run(exchange())

    assert health["healthy"] is True
    assert text_of(answer) == DEFAULT_REPLY
    assert len(messages) == 2


# -- the event stream --------------------------------------------------------------------------------------


def test_the_event_stream_delivers_connected_and_the_message_events(opencode):
    async def follow() -> list[OpenCodeEvent]:
        seen: list[OpenCodeEvent] = []
        async with AsyncOpenCodeClient(opencode.endpoint) as client:
            stream = client.events()
            first = await anext(stream)
            seen.append(first)
            session = await client.session_create()
            await client.session_prompt_async(session["id"], parts=TEXT)
            async for event in stream:
                seen.append(event)
                if event.type == "session.idle" and event.properties.get("sessionID") == session["id"]:
                    break
            await stream.aclose()  # closes the upstream connection
            return seen, session["id"]

    seen, session_id = asyncio.run(asyncio.wait_for(follow(), timeout=60))

    assert seen[0].type == "server.connected"
    assert seen[0].properties == {}
    assert seen[0].id and seen[0].id.startswith("evt")
    types = {event.type for event in seen}
    assert {"message.updated", "message.part.updated", "session.idle"} <= types
    completed = [event.properties["info"] for event in seen
                 if event.type == "message.updated" and event.properties["info"]["sessionID"] == session_id
                 and event.properties["info"]["role"] == "assistant"
                 and event.properties["info"]["time"].get("completed")]
    assert completed, "no completed assistant message among the events"
    texts = [event.properties["part"].get("text") for event in seen if event.type == "message.part.updated"
             and event.properties["part"]["type"] == "text"]
    assert DEFAULT_REPLY in texts
    assert seen[0].as_dict() == {"id": seen[0].id, "type": "server.connected", "properties": {}}


@pytest.mark.parametrize("data", ["not json", "[1, 2]", '{"properties": {}}', '{"type": ""}',
                                  '{"type": "x", "properties": [1]}'])
def test_a_malformed_event_is_logged_and_skipped(data, caplog):
    # OpenCode cannot be made to send a broken event, so the parser gets one directly.
    endpoint = OpenCodeEndpoint(base_url="http://127.0.0.1:1", password="secret")

    with caplog.at_level(logging.WARNING, logger="sandboxes.opencode"):
        assert _parse_event(ServerSentEvent(data=data), endpoint) is None

    assert "malformed event" in caplog.text or "not an object" in caplog.text


def test_a_well_formed_event_is_parsed():
    endpoint = OpenCodeEndpoint(base_url="http://127.0.0.1:1", password="secret")
    sse = ServerSentEvent(data='{"id": "evt_1", "type": "session.idle", "properties": {"sessionID": "s"}}')

    assert _parse_event(sse, endpoint) == OpenCodeEvent(type="session.idle", properties={"sessionID": "s"},
                                                        id="evt_1")
    assert _parse_event(ServerSentEvent(data='{"type": "server.connected"}'), endpoint) == OpenCodeEvent(
        type="server.connected", properties={})


# -- the process --------------------------------------------------------------------------------------------


def test_the_tls_context_is_built_for_the_first_pool_and_shared_not_built_at_import():
    """Every Django process imports this client (the apps' receivers do); few make a pool. Loading the CA
    bundle at import cost every management command, the legacy import included, 20 ms and 3 MiB."""
    code = (
        "import django; django.setup(); from sandboxes import opencode; "
        "assert opencode._tls_context.cache_info().currsize == 0, 'built at import'; "
        "first, second = opencode._pool_options(), opencode._pool_options(); "
        "assert first['verify'] is second['verify'], 'not shared'"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                            env=os.environ.copy(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


# -- failures ----------------------------------------------------------------------------------------------


def test_a_wrong_password_is_a_502_logged_as_a_refused_credential(opencode, caplog):
    # Not a 401: our caller is authenticated; it is the sandbox's password that OpenCode refused.
    endpoint = OpenCodeEndpoint(base_url=opencode.base_url, password="not-the-password")

    with caplog.at_level(logging.INFO, logger="sandboxes.opencode"), OpenCodeClient(endpoint) as client:
        with pytest.raises(OpenCodeError) as raised:
            client.session_list()

    assert raised.value.status_code == 502
    assert raised.value.upstream_status == 401
    assert raised.value.body() == {"error": "OpenCode error"}
    assert any(record.levelno == logging.ERROR and "401" in record.getMessage() and "password was refused"
               in record.getMessage() for record in caplog.records)
    assert "not-the-password" not in caplog.text
    assert "not-the-password" not in repr(endpoint)


def test_no_password_for_an_opencode_that_demands_one(opencode):
    with OpenCodeClient(OpenCodeEndpoint(base_url=opencode.base_url)) as client, \
            pytest.raises(OpenCodeError) as raised:
        client.health()

    assert raised.value.upstream_status == 401


def test_a_wrong_password_on_the_event_stream(opencode):
    async def follow():
        endpoint = OpenCodeEndpoint(base_url=opencode.base_url, password="wrong")
        async with AsyncOpenCodeClient(endpoint) as client:
            async for _event in client.events():
                pass

    with pytest.raises(OpenCodeError) as raised:
        asyncio.run(asyncio.wait_for(follow(), timeout=30))
    assert raised.value.upstream_status == 401


def test_an_unknown_session_or_message_is_not_found(opencode_client):
    with pytest.raises(OpenCodeNotFound) as raised:
        opencode_client.session_get("ses_doesnotexist")
    assert raised.value.status_code == 404
    assert raised.value.body() == {"error": "Session not found"}
    with pytest.raises(OpenCodeNotFound):
        opencode_client.session_messages("ses_doesnotexist")
    with pytest.raises(OpenCodeNotFound):
        opencode_client.session_delete("ses_doesnotexist")
    with pytest.raises(OpenCodeNotFound):
        opencode_client.session_prompt("ses_doesnotexist", parts=TEXT)

    session = opencode_client.session_create()
    with pytest.raises(OpenCodeNotFound) as raised:
        opencode_client.session_message(session["id"], "msg_doesnotexist")
    assert raised.value.body() == {"error": "Message not found"}
    with pytest.raises(OpenCodeNotFound) as raised:
        opencode_client.permission_respond(session["id"], "per_doesnotexist", "once")
    assert raised.value.body() == {"error": "Permission not found"}


@pytest.mark.parametrize("session_id", ["..", ".", "", "../config", "ses_x/../../config"])
def test_an_id_cannot_reach_another_endpoint(opencode_client, session_id):
    # Escaped as one path segment, or refused outright: never GET /config through a session id.
    with pytest.raises(OpenCodeNotFound):
        opencode_client.session_get(session_id)


def test_an_answer_that_is_not_json_is_a_502(opencode_client):
    # OpenCode answers paths it does not know with its web app's HTML and a 200.
    with pytest.raises(OpenCodeError) as raised:
        opencode_client._send(_Call("GET", "/no-such-endpoint"))
    assert raised.value.upstream_status == 200


def test_nothing_listening_is_unavailable_and_fast():
    endpoint = OpenCodeEndpoint(base_url=f"http://127.0.0.1:{free_port()}", password="x")
    started = time.monotonic()

    with OpenCodeClient(endpoint) as client, pytest.raises(OpenCodeUnavailable) as raised:
        client.session_list()

    assert time.monotonic() - started < 2
    assert raised.value.status_code == 503
    assert raised.value.body() == {"error": "OpenCode is unreachable"}


def test_opencode_killed_during_a_message_is_unavailable(opencode_factory):
    with ModelServer() as model:
        process = opencode_factory(config=model.opencode_config())
        client = OpenCodeClient(process.endpoint)
        session = client.session_create()
        model.hold()  # the model "thinks" until OpenCode is gone
        outcome: dict = {}

        def send():
            try:
                outcome["answer"] = client.session_prompt(session["id"], parts=TEXT)
            except Exception as exc:  # noqa: BLE001 - the test inspects whatever it was
                outcome["error"] = exc

        sender = threading.Thread(target=send)
        sender.start()
        assert model.requested.wait(timeout=30), "OpenCode never asked the model"
        process.kill()
        sender.join(timeout=30)
        client.close()

    assert not sender.is_alive()
    assert isinstance(outcome.get("error"), OpenCodeUnavailable), outcome
    with OpenCodeClient(process.endpoint) as client, pytest.raises(OpenCodeUnavailable):
        client.health()


def test_the_event_stream_of_a_killed_opencode_ends_in_unavailable(opencode_factory):
    process = opencode_factory()

    async def follow():
        async with AsyncOpenCodeClient(process.endpoint) as client:
            async for event in client.events():
                if event.type == "server.connected":
                    process.kill()

    with pytest.raises(OpenCodeUnavailable):
        asyncio.run(asyncio.wait_for(follow(), timeout=30))


def test_a_prompt_slower_than_its_timeout_is_unavailable(opencode_factory, settings):
    settings.SANDBOX_OPENCODE_PROMPT_TIMEOUT = 1
    with ModelServer() as model:
        process = opencode_factory(config=model.opencode_config())
        model.hold()
        with OpenCodeClient(process.endpoint) as client:
            session = client.session_create()
            started = time.monotonic()
            with pytest.raises(OpenCodeUnavailable):
                client.session_prompt(session["id"], parts=TEXT)
            assert time.monotonic() - started < 5
            model.release()


# -- the image on the real engine --------------------------------------------------------------------------


def test_the_image_serves_opencode_on_the_engine(db, docker_engine, opencode_image, model):
    # `db`: docker_engine reads the flavor table, which exists only once some test has asked for the
    # database (pytest-django creates it lazily).
    from tests.sandboxes.conftest import SESSION_LABEL

    port, password = free_port(), uuid.uuid4().hex
    client = docker_engine.client
    container = client.create_container(
        opencode_image,
        environment={"OPENCODE_PORT": str(port), "OPENCODE_SERVER_PASSWORD": password,
                     "OPENCODE_CONFIG_CONTENT": json.dumps(model.opencode_config())},
        labels={SESSION_LABEL: docker_engine.session},
        # The test engine has no bridge: the host network, OpenCode listening on 127.0.0.1 only.
        host_config=client.create_host_config(network_mode="host", init=True),
    )
    try:
        client.start(container["Id"])
        endpoint = OpenCodeEndpoint(base_url=f"http://127.0.0.1:{port}", password=password)
        with OpenCodeClient(endpoint) as opencode_client:
            health = _wait_healthy(opencode_client, timeout=60)
            assert health == {"healthy": True, "version": pinned_version()}
            assert opencode_client.file_list("") == []  # the image's empty workspace
            session = opencode_client.session_create()
            answer = opencode_client.session_prompt(session["id"], parts=TEXT)
            assert text_of(answer) == DEFAULT_REPLY
    finally:
        client.remove_container(container["Id"], force=True)


def _wait_healthy(client: OpenCodeClient, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return client.health()
        except (OpenCodeUnavailable, OpenCodeError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
