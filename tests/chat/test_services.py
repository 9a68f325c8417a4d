"""Chat writes around a deleted sandbox: its history is archived."""

import pytest

from chat.models import ChatSession
from chat.services import chat_sandbox_archive
from tests.factories import ChatSessionFactory, SandboxFactory

pytestmark = pytest.mark.django_db


def test_archiving_a_deleted_sandboxs_history_twice_changes_nothing_more(user):
    sandbox = SandboxFactory(user=user)
    sessions = [ChatSessionFactory(sandbox=sandbox, status=status) for status in ("active", None, "deleted")]
    assert chat_sandbox_archive(sandbox=sandbox) == 2
    assert chat_sandbox_archive(sandbox=sandbox) == 0
    assert [ChatSession.objects.get(pk=s.pk).status for s in sessions] == ["archived", "archived", "deleted"]
