"""Chat writes around a deleted sandbox: its history is archived, and a sync that comes too late stores
nothing (the worker, the proxy and the sync endpoints all store through `chat_sync_opencode_session`)."""

import pytest

from chat.models import ChatMessage, ChatSession
from chat.services import chat_sandbox_archive, chat_sync_opencode_session
from sandboxes.models import Sandbox
from sandboxes.services import sandbox_delete
from tests.factories import ChatSessionFactory, SandboxFactory

pytestmark = pytest.mark.django_db

OPENCODE_SESSION = {"id": "ses_late", "title": "Too late"}
MESSAGES = [{"info": {"id": "msg_1", "role": "user", "time": {"created": 1765700000000}},
             "parts": [{"type": "text", "text": "hello"}]}]


def test_a_sync_of_a_live_sandbox_stores_the_session(user):
    sandbox = SandboxFactory(user=user)
    session = chat_sync_opencode_session(sandbox=sandbox, opencode_session=OPENCODE_SESSION, messages=MESSAGES)
    assert (session.title, session.status, session.message_count) == ("Too late", "active", 1)


def test_a_sync_of_a_deleted_sandbox_stores_nothing(user):
    sandbox = SandboxFactory(user=user)
    stale = Sandbox.objects.get(pk=sandbox.pk)  # what the sync loaded before the delete
    sandbox_delete(sandbox=sandbox, delete_repo=False)
    with pytest.raises(Sandbox.DoesNotExist):
        chat_sync_opencode_session(sandbox=stale, opencode_session=OPENCODE_SESSION, messages=MESSAGES)
    assert not ChatSession.objects.filter(sandbox_id=sandbox.pk).exists()
    assert not ChatMessage.objects.exists()


def test_archiving_a_deleted_sandboxs_history_twice_changes_nothing_more(user):
    sandbox = SandboxFactory(user=user)
    sessions = [ChatSessionFactory(sandbox=sandbox, status=status) for status in ("active", None, "deleted")]
    assert chat_sandbox_archive(sandbox=sandbox) == 2
    assert chat_sandbox_archive(sandbox=sandbox) == 0
    assert [ChatSession.objects.get(pk=s.pk).status for s in sessions] == ["archived", "archived", "deleted"]
