"""Deleting a sandbox keeps its chat history: a soft delete (`sandboxes.services.sandbox_delete`). The
sandbox is gone for its owner on every endpoint, its sessions are archived with their messages, its slug
is free again; an engine failure changes nothing, and a second delete nothing more."""

import pytest

from activity.models import ActivityLog
from chat.models import ChatMessage, ChatSession, ChatSyncState
from sandboxes.models import Sandbox
from sandboxes.services import sandbox_delete, sandbox_unique_slug
from tests.chat.api.test_opencode_proxy import PROXIED
from tests.factories import ChatMessageFactory, ChatSessionFactory, OnboardingSessionFactory, SandboxFactory

pytestmark = pytest.mark.django_db

SANDBOX_NOT_FOUND = (404, {"error": "Sandbox not found"})
SANDBOX_ENDPOINTS = [
    ("get", ""), ("delete", ""), ("post", "/start"), ("post", "/stop"), ("post", "/restart"), ("post", "/pause"),
    ("post", "/unpause"), ("get", "/status"), ("get", "/logs"), ("get", "/stats"), ("post", "/exec"),
    ("post", "/git/commit"), ("get", "/git/status"), ("get", "/git/log"),
]
CHAT_ENDPOINTS = [
    ("get", "/chat/sessions"), ("get", "/chat/sessions/{session}"), ("delete", "/chat/sessions/{session}"),
    ("get", "/chat/sessions/{session}/messages"), ("post", "/chat/sessions/{session}/sync"),
    ("get", "/chat/sync/status"), ("post", "/chat/sync"),
]
OPENCODE_ENDPOINTS = [(method, f"/opencode/{path}") for method, path in PROXIED]


@pytest.fixture
def offline(settings):
    """The engine is gone: a socket nobody listens on."""
    settings.SANDBOX_DOCKER_HOST = "unix:///nonexistent/agentpod-test.sock"
    settings.SANDBOX_ENGINE_CONNECT_TIMEOUT = 0.5
    return settings


@pytest.fixture
def sandbox(user):
    """A sandbox with URLs (its container is gone already, so the engine is not asked)."""
    return SandboxFactory(user=user, name="My Box", slug="my-box", status="running",
                          opencode_url="http://opencode.local", code_server_url="http://cs.local")


@pytest.fixture
def deleted(api, sandbox):
    """`sandbox`, with a chat session, deleted through the API."""
    ChatMessageFactory(session=ChatSessionFactory(sandbox=sandbox))
    assert api.delete(f"/api/v2/sandboxes/{sandbox.id}").status_code == 200
    return sandbox


def test_delete_keeps_the_sessions_archived_and_their_messages(api, user, sandbox):
    active = ChatSessionFactory(sandbox=sandbox)
    archived = ChatSessionFactory(sandbox=sandbox, status="archived")
    gone = ChatSessionFactory(sandbox=sandbox, status="deleted")
    messages = [ChatMessageFactory(session=session) for session in (active, active, archived, gone)]
    ChatSyncState.objects.create(sandbox=sandbox, worker="host:1", active=True, heartbeat_at=sandbox.created_at)
    onboarding = OnboardingSessionFactory(user=user, sandbox=sandbox)
    archived_updated_at = archived.updated_at

    response = api.delete(f"/api/v2/sandboxes/{sandbox.id}")

    assert (response.status_code, response.json()) == (200, {"success": True, "message": "Sandbox deleted"})
    row = Sandbox.all_objects.get(pk=sandbox.pk)
    assert row.deleted_at is not None
    assert (row.status, row.slug, row.name, row.repo_name) == (
        "stopped", f"my-box.deleted.{sandbox.id}", "My Box", sandbox.repo_name)
    assert (row.container_id, row.container_name, row.opencode_url, row.acp_gateway_url, row.vnc_url,
            row.code_server_url) == (None, None, None, None, None, None)
    statuses = dict(ChatSession.objects.filter(sandbox_id=sandbox.pk).values_list("id", "status"))
    assert statuses == {active.id: "archived", archived.id: "archived", gone.id: "deleted"}
    archived.refresh_from_db()
    assert archived.updated_at == archived_updated_at  # already archived: untouched
    assert sorted(ChatMessage.objects.filter(session__sandbox_id=sandbox.pk).values_list("id", flat=True)) == sorted(
        m.id for m in messages)
    assert not ChatSyncState.objects.filter(sandbox_id=sandbox.pk).exists()
    onboarding.refresh_from_db()
    assert onboarding.sandbox_id is None  # let go of the sandbox, as the foreign key's SET NULL did
    assert list(ActivityLog.objects.filter(entity_id=sandbox.pk).values_list("action", flat=True)) == [
        "sandbox.delete"]


@pytest.mark.parametrize("method, suffix", SANDBOX_ENDPOINTS + CHAT_ENDPOINTS + OPENCODE_ENDPOINTS)
def test_a_deleted_sandbox_is_not_found_on_every_endpoint(api, deleted, method, suffix):
    session = ChatSession.objects.get(sandbox_id=deleted.pk)
    path = f"/api/v2/sandboxes/{deleted.id}{suffix.format(session=session.id)}"
    response = getattr(api, method)(path)
    assert (response.status_code, response.json()) == SANDBOX_NOT_FOUND
    session.refresh_from_db()
    assert session.status == "archived"


def test_a_deleted_sandbox_is_absent_from_lists_counts_and_onboarding(api, user, deleted):
    assert api.get("/api/v2/sandboxes").json() == {"sandboxes": [], "count": 0}
    assert api.get("/api/account").json() == {
        "user": {"id": user.id, "email": user.email, "name": user.name},
        "stats": {"sandboxCount": 0, "chatSessionCount": 1}}  # the archived session is the user's still
    response = api.get(f"/api/onboarding/sandbox/{deleted.id}")
    assert (response.status_code, response.json()) == (404, {"error": "Onboarding session not found for this sandbox"})
    response = api.post("/api/onboarding", {"sandboxId": deleted.id}, content_type="application/json")
    assert (response.status_code, response.json()) == (404, {"error": f"Sandbox not found: {deleted.id}"})
    assert list(user.sandboxes.all()) == []


def test_the_same_name_gets_the_same_slug_again(user, sandbox):
    assert sandbox_unique_slug(user=user, name="My Box") == "my-box-1"
    sandbox_delete(sandbox=sandbox)
    assert sandbox_unique_slug(user=user, name="My Box") == "my-box"
    again = SandboxFactory(user=user, name="My Box", slug="my-box")  # the (user, slug) constraint allows it
    assert sandbox_unique_slug(user=user, name="My Box") == "my-box-1"
    assert sorted(Sandbox.all_objects.filter(user=user).values_list("slug", flat=True)) == [
        "my-box", f"my-box.deleted.{sandbox.id}"]
    assert again.pk != sandbox.pk


def test_an_engine_failure_changes_nothing(api, user, offline):
    sandbox = SandboxFactory(user=user, status="running", container_id="0123456789ab", slug="kept")
    session = ChatSessionFactory(sandbox=sandbox)
    response = api.delete(f"/api/v2/sandboxes/{sandbox.id}")
    assert (response.status_code, response.json()) == (503, {"error": "Container engine unavailable"})
    row = Sandbox.objects.get(pk=sandbox.pk)
    assert (row.deleted_at, row.status, row.slug, row.container_id) == (None, "running", "kept", "0123456789ab")
    session.refresh_from_db()
    assert session.status == "active"
    assert not ActivityLog.objects.filter(action="sandbox.delete").exists()


def test_deleting_twice_is_harmless(api, user, sandbox):
    stale = Sandbox.objects.get(pk=sandbox.pk)  # what a second request loaded before the first deleted it
    sandbox_delete(sandbox=sandbox)
    first = Sandbox.all_objects.get(pk=sandbox.pk)
    sandbox_delete(sandbox=stale)
    sandbox_delete(sandbox=first)
    again = Sandbox.all_objects.get(pk=sandbox.pk)
    assert (again.deleted_at, again.slug, again.updated_at) == (first.deleted_at, first.slug, first.updated_at)
    assert ActivityLog.objects.filter(action="sandbox.delete").count() == 1
    response = api.delete(f"/api/v2/sandboxes/{sandbox.id}")
    assert (response.status_code, response.json()) == SANDBOX_NOT_FOUND


# -- on the real engine ------------------------------------------------------------------------------

def test_a_new_sandbox_of_a_deleted_ones_name_gets_its_slug_again(engine, api):
    def create():
        response = api.post("/api/v2/sandboxes", {"name": "Twice", "addons": []}, content_type="application/json")
        assert response.status_code == 201, response.content
        return response.json()["sandbox"]

    first = create()
    assert api.delete(f"/api/v2/sandboxes/{first['id']}").json() == {"success": True, "message": "Sandbox deleted"}
    assert engine.containers(**{"agentpod.sandbox.id": first["id"]}) == []
    second = create()
    assert (first["slug"], second["slug"]) == ("twice", "twice")
    assert Sandbox.all_objects.get(pk=first["id"]).slug == f"twice.deleted.{first['id']}"
