"""`/api/v2/sandboxes/{id}/opencode/*` against a real OpenCode (tests/chat/conftest.py), as its owner, as
another user and anonymously; the only stand-in is the model server."""

import threading
import time

import pytest

from chat.models import ChatMessage, ChatSession
from sandboxes.credentials import opencode_password
from tests.factories import SandboxFactory
from tests.support.model_server import DEFAULT_REPLY, MODEL_ID, PROVIDER_ID
from tests.support.opencode_process import OpenCodeProcess

pytestmark = pytest.mark.django_db

TEXT = [{"type": "text", "text": "Say hello"}]


def base(sandbox) -> str:
    return f"/api/v2/sandboxes/{sandbox.pk}/opencode"


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_a_conversation_through_the_proxy_lands_in_the_chat_history(api, agent_sandbox):
    url = base(agent_sandbox)
    created = post(api, f"{url}/session", {"title": "First chat"})
    assert created.status_code == 200
    session = created.json()
    assert session["title"] == "First chat" and session["id"].startswith("ses")
    assert session["id"] in [s["id"] for s in api.get(f"{url}/session").json()]
    assert api.get(f"{url}/session/{session['id']}").json()["id"] == session["id"]

    answer = post(api, f"{url}/session/{session['id']}/message", {"parts": TEXT})
    assert answer.status_code == 200
    info, parts = answer.json()["info"], answer.json()["parts"]
    assert (info["role"], info["providerID"], info["modelID"]) == ("assistant", PROVIDER_ID, MODEL_ID)
    assert DEFAULT_REPLY in [part.get("text") for part in parts]

    listed = api.get(f"{url}/session/{session['id']}/message").json()
    assert [m["info"]["role"] for m in listed] == ["user", "assistant"]
    one = api.get(f"{url}/session/{session['id']}/message/{info['id']}").json()
    assert one["info"]["id"] == info["id"]

    # Synced before the answer came back: the session and both messages are in PostgreSQL.
    stored = ChatSession.objects.get(sandbox=agent_sandbox, opencode_session_id=session["id"])
    assert (stored.source, stored.message_count, stored.user_message_count, stored.assistant_message_count) == (
        "opencode", 2, 1, 1)
    assert stored.last_synced_at is not None and stored.user_id == agent_sandbox.user_id
    messages = list(ChatMessage.objects.filter(session=stored).order_by("created_at"))
    assert [(m.role, m.external_message_id) for m in messages] == [
        ("user", listed[0]["info"]["id"]), ("assistant", info["id"])]
    assert messages[1].content == {"parts": parts, "time": info["time"],
                                   "model": {"providerID": PROVIDER_ID, "modelID": MODEL_ID}}
    assert (messages[1].model_provider, messages[1].model_id, messages[1].status) == (
        PROVIDER_ID, MODEL_ID, "complete")
    history = api.get(f"/api/v2/sandboxes/{agent_sandbox.pk}/chat/sessions/{stored.pk}/messages").json()
    assert [m["externalMessageId"] for m in history["messages"]] == [m.external_message_id for m in messages]

    assert api.post(f"{url}/session/{session['id']}/abort").json() == {"success": True}
    assert api.delete(f"{url}/session/{session['id']}").json() == {"success": True}
    assert api.get(f"{url}/session/{session['id']}").status_code == 404
    # The history outlives the OpenCode session.
    assert ChatMessage.objects.filter(session=stored).count() == 2


def test_syncing_twice_stores_every_message_once(api, agent_sandbox):
    url = base(agent_sandbox)
    session = post(api, f"{url}/session", {}).json()
    post(api, f"{url}/session/{session['id']}/message", {"parts": TEXT})
    stored = ChatSession.objects.get(opencode_session_id=session["id"])
    chat = f"/api/v2/sandboxes/{agent_sandbox.pk}/chat"
    for _ in range(2):
        synced = api.post(f"{chat}/sessions/{stored.pk}/sync")
        assert synced.status_code == 200 and synced.json()["message"] == "Sync completed"
        assert api.post(f"{chat}/sync").json()["message"] == "Full sync completed"
    assert ChatMessage.objects.filter(session=stored).count() == 2
    assert ChatSession.objects.filter(sandbox=agent_sandbox).count() == 1
    assert synced.json()["session"]["messageCount"] == 2


def test_files_app_providers_agents_and_health(api, agent_sandbox, agent_opencode):
    (agent_opencode.workspace / "notes.md").write_text("# Notes\n")
    url = base(agent_sandbox)
    for path in ("", "?path=/", "?path=/home/developer/workspace", "?path=/workspace/"):
        listed = api.get(f"{url}/file{path}")
        assert listed.status_code == 200, path
        assert "notes.md" in [entry["name"] for entry in listed.json()]
    content = api.get(f"{url}/file/content?path=/home/developer/workspace/notes.md").json()
    assert content["content"].strip() == "# Notes"
    deadline = time.monotonic() + 15  # OpenCode's search index catches up with new files a moment later
    while "notes.md" not in api.get(f"{url}/find/file?query=notes").json() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "notes.md" in api.get(f"{url}/find/file?query=notes").json()
    assert api.get(f"{url}/file/content").json() == {"error": "Path query parameter is required"}
    assert api.get(f"{url}/find/file").json() == {"error": "Query parameter is required"}

    app = api.get(f"{url}/app").json()
    assert set(app) == {"config", "project"} and app["config"]["model"] == f"{PROVIDER_ID}/{MODEL_ID}"
    providers = api.get(f"{url}/providers").json()["providers"]
    assert {"id": PROVIDER_ID, "name": "Fake", "models": [{"id": MODEL_ID, "name": "Fake"}]} in providers
    agents = api.get(f"{url}/agents").json()["agents"]
    assert agents and all(set(agent) >= {"name", "mode", "builtIn"} for agent in agents)
    assert api.get(f"{url}/health").json() == {"healthy": True, "status": "ok"}


def test_input_opencode_would_choke_on_is_a_400(api, agent_sandbox, other_api):
    url = base(agent_sandbox)
    session = post(api, f"{url}/session", {}).json()["id"]
    for body in ({}, {"parts": []}, {"parts": "hello"}, {"parts": [{"type": "image"}]},
                 {"parts": TEXT, "model": "fake"}):
        response = post(api, f"{url}/session/{session}/message", body)
        assert response.status_code == 400, body
        assert response.json()["error"] == "Invalid request"
    malformed = api.post(f"{url}/session/{session}/message", "{not json", content_type="application/json")
    assert malformed.status_code == 400
    invalid = {"error": "Invalid response. Must be 'once', 'always', or 'reject'"}
    for client in (api, other_api):  # checked before the sandbox is looked up, as the contract says
        response = post(client, f"{url}/session/{session}/permissions/per_1", {"response": "sometimes"})
        assert (response.status_code, response.json()) == (400, invalid)
    # A malformed body to create a session is an empty one.
    assert api.post(f"{url}/session", "{oops", content_type="application/json").status_code == 200


PROXIED = [("get", "session"), ("post", "session"), ("get", "session/ses_x"), ("delete", "session/ses_x"),
           ("post", "session/ses_x/abort"), ("get", "session/ses_x/message"), ("get", "session/ses_x/message/m"),
           ("get", "file"), ("get", "file/content?path=a"), ("get", "find/file?query=a"), ("get", "app"),
           ("get", "providers"), ("get", "agents"), ("get", "event")]


@pytest.mark.parametrize("method, path", PROXIED)
def test_another_users_sandbox_is_not_found_and_anonymous_is_401(other_api, client, agent_sandbox, method, path):
    url = f"{base(agent_sandbox)}/{path}"
    response = getattr(other_api, method)(url)
    assert (response.status_code, response.json()) == (404, {"error": "Sandbox not found"})
    assert getattr(client, method)(url).status_code == 401


def test_health_is_always_200(other_api, api, user):
    stopped = SandboxFactory(user=user, status="stopped")
    unreachable = {"healthy": False, "status": "unreachable"}
    assert api.get(f"{base(stopped)}/health").json() == unreachable
    assert api.get("/api/v2/sandboxes/nope/opencode/health").json() == unreachable
    assert other_api.get(f"{base(stopped)}/health").json() == unreachable


@pytest.mark.parametrize("status", ["stopped", "created", "error"])
def test_a_sandbox_that_is_not_running_is_503(api, user, status):
    sandbox = SandboxFactory(user=user, status=status)
    response = api.get(f"{base(sandbox)}/session")
    assert (response.status_code, response.json()) == (503, {"error": f"Sandbox is not running (status: {status})"})


def test_the_password_never_reaches_the_client_and_a_wrong_one_is_a_502(api, user, opencode_binary, model,
                                                                          caplog):
    sandbox = SandboxFactory(user=user, status="running")
    with OpenCodeProcess(opencode_binary, config=model.opencode_config(), password="not-the-derived-one") as other:
        sandbox.opencode_url = other.base_url
        sandbox.save()
        response = api.get(f"{base(sandbox)}/session")
    assert (response.status_code, response.json()) == (502, {"error": "OpenCode error"})
    assert opencode_password(sandbox.pk) not in caplog.text
    assert opencode_password(sandbox.pk) not in api.get(f"/api/v2/sandboxes/{sandbox.pk}").content.decode()


def test_opencode_killed_during_a_message_is_a_503_and_no_half_message_is_stored(api, user, opencode_binary,
                                                                                   model):
    sandbox = SandboxFactory(user=user, status="running")
    process = OpenCodeProcess(opencode_binary, config=model.opencode_config(), password=opencode_password(sandbox.pk))
    with process:
        sandbox.opencode_url = process.base_url
        sandbox.save()
        session = post(api, f"{base(sandbox)}/session", {}).json()
        model.hold()  # the model server keeps the answer back until released
        killer = threading.Thread(target=lambda: (model.requested.wait(30), process.kill()))
        killer.start()
        response = post(api, f"{base(sandbox)}/session/{session['id']}/message", {"parts": TEXT})
        killer.join()
        model.release()
    assert (response.status_code, response.json()["error"]) == (503, "OpenCode is unreachable")
    assert not ChatMessage.objects.filter(session__sandbox=sandbox, role="assistant").exists()
