"""The `sync_chats` worker against a real OpenCode: messages stored as they complete, exactly once with
two workers, let go when the sandbox stops or is deleted, reconnecting when its OpenCode comes back.

The workers run in threads of their own (an event loop each) on their own database connections, so the
data is committed (`transaction=True`).
"""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.db import connection

from chat.models import ChatMessage, ChatSession, ChatSyncState
from chat.worker import LOCK_CLASS, sandbox_lock_key
from sandboxes.credentials import opencode_password
from sandboxes.models import Sandbox
from sandboxes.opencode import OpenCodeClient
from sandboxes.services import sandbox_delete
from tests.chat.conftest import AGENT_SANDBOX_ID
from tests.conftest import bearer_client
from tests.factories import SandboxFactory, UserFactory
from tests.support.chat_worker import RunningWorker, wait_for
from tests.support.opencode_process import OpenCodeProcess

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TEXT = [{"type": "text", "text": "Say hello"}]


def send(endpoint) -> str:
    """A message straight to OpenCode (not through the proxy, which syncs by itself)."""
    with OpenCodeClient(endpoint) as opencode:
        session = opencode.session_create(title="From the worker test")
        opencode.session_prompt(session["id"], parts=TEXT)
        return session["id"]


@pytest.fixture
def running(agent_opencode, model):
    user = UserFactory()
    sandbox = SandboxFactory(id=AGENT_SANDBOX_ID, user=user, status="running", opencode_url=agent_opencode.base_url)
    return sandbox


def test_the_worker_stores_messages_as_they_complete_and_reports_it(running, agent_opencode):
    with RunningWorker():
        assert wait_for(lambda: ChatSyncState.objects.filter(sandbox=running, active=True).exists())
        session_id = send(agent_opencode.endpoint)
        assert wait_for(lambda: ChatMessage.objects.filter(session__opencode_session_id=session_id).count() == 2)
        session = ChatSession.objects.get(opencode_session_id=session_id)
        assert (session.title, session.message_count, session.assistant_message_count) == (
            "From the worker test", 2, 1)
        status = bearer_client(running.user).get(f"/api/v2/sandboxes/{running.pk}/chat/sync/status").json()
        assert status["sync"]["active"] is True and status["sync"]["reconnectAttempts"] == 0
        assert status["sync"]["lastSyncTime"].endswith("Z") and status["sandboxStatus"] == "running"
    # Stopped: nobody follows it any more.
    assert ChatSyncState.objects.get(sandbox=running).active is False
    assert bearer_client(running.user).get(f"/api/v2/sandboxes/{running.pk}/chat/sync/status").json()["sync"] == {
        "active": False}


def test_two_workers_store_every_message_exactly_once(running, agent_opencode):
    with RunningWorker() as first, RunningWorker() as second:
        assert wait_for(lambda: len(first.followers) + len(second.followers) == 1)
        ids = [send(agent_opencode.endpoint) for _ in range(3)]
        assert wait_for(lambda: ChatMessage.objects.filter(session__opencode_session_id__in=ids).count() == 6)
        time.sleep(1)  # time for a second writer, were there one
        assert len(first.followers) + len(second.followers) == 1
    for session_id in ids:
        messages = ChatMessage.objects.filter(session__opencode_session_id=session_id)
        assert sorted(messages.values_list("role", flat=True)) == ["assistant", "user"]
        assert messages.values("external_message_id").distinct().count() == 2


def test_a_stopped_sandbox_is_let_go_and_its_lock_released(running):
    with RunningWorker() as worker:
        assert wait_for(lambda: running.pk in worker.followers)
        running.status = "stopped"
        running.save()
        assert wait_for(lambda: running.pk not in worker.followers)
        assert wait_for(lambda: ChatSyncState.objects.filter(sandbox=running, active=False).exists())
        with connection.cursor() as cursor:  # another worker could take it now
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, sandbox_lock_key(running.pk)])
            assert cursor.fetchone()[0] is True
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, sandbox_lock_key(running.pk)])


def test_a_deleted_sandbox_is_let_go_and_never_followed_again(running):
    with RunningWorker() as worker:
        assert wait_for(lambda: running.pk in worker.followers)
        sandbox_delete(sandbox=running, delete_repo=False)
        assert wait_for(lambda: running.pk not in worker.followers)
        # Even were its row marked running again, a deleted sandbox is not followed.
        Sandbox.all_objects.filter(pk=running.pk).update(status="running")
        time.sleep(1)  # several scans
        assert running.pk not in worker.followers


def test_the_worker_reconnects_when_opencode_comes_back(opencode_binary, model):
    user = UserFactory()
    sandbox = SandboxFactory(user=user, status="running")
    first = OpenCodeProcess(opencode_binary, config=model.opencode_config(), password=opencode_password(sandbox.pk))
    second = OpenCodeProcess(opencode_binary, config=model.opencode_config(), password=opencode_password(sandbox.pk))
    with first, RunningWorker():
        sandbox.opencode_url = first.base_url
        sandbox.save()
        assert wait_for(lambda: ChatSyncState.objects.filter(sandbox=sandbox, last_sync_at__isnull=False).exists())
        first.kill()  # the container restarts: the stream breaks, connecting fails for a while
        assert wait_for(lambda: ChatSyncState.objects.get(sandbox=sandbox).reconnect_attempts >= 2)
        with second:
            sandbox.opencode_url = second.base_url
            sandbox.save()
            session_id = send(second.endpoint)
            assert wait_for(lambda: ChatMessage.objects.filter(session__opencode_session_id=session_id).count() == 2)
            assert wait_for(lambda: ChatSyncState.objects.get(sandbox=sandbox).reconnect_attempts == 0)


def test_the_command_refuses_bad_options():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("sync_chats", "--scan-interval", "0")
