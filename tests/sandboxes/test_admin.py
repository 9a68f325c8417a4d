"""The operator sees deleted sandboxes in the admin (the API never shows them), and their archived chat."""

import pytest

from chat.models import ChatSession
from sandboxes.models import Sandbox
from sandboxes.services import sandbox_delete
from tests.factories import ChatSessionFactory, SandboxFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def live_and_deleted(user):
    live = SandboxFactory(user=user, name="Still here")
    deleted = SandboxFactory(user=user, name="Deleted one")
    sandbox_delete(sandbox=deleted, delete_repo=False)
    return live, Sandbox.all_objects.get(pk=deleted.pk)


def listed(response) -> list[str]:
    assert response.status_code == 200
    return sorted(sandbox.pk for sandbox in response.context["cl"].result_list)


def test_the_changelist_lists_deleted_sandboxes_with_a_filter(admin_client, live_and_deleted):
    live, deleted = live_and_deleted
    assert listed(admin_client.get("/admin/sandboxes/sandbox/")) == sorted([live.pk, deleted.pk])
    assert listed(admin_client.get("/admin/sandboxes/sandbox/?deleted=yes")) == [deleted.pk]
    assert listed(admin_client.get("/admin/sandboxes/sandbox/?deleted=no")) == [live.pk]
    assert "Deleted one" in admin_client.get("/admin/sandboxes/sandbox/").content.decode()


def test_a_deleted_sandbox_opens_with_deleted_at_read_only(admin_client, live_and_deleted):
    _, deleted = live_and_deleted
    response = admin_client.get(f"/admin/sandboxes/sandbox/{deleted.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "deleted_at" not in form.fields  # shown, not editable
    assert "deleted_at" in response.context["adminform"].readonly_fields


def test_an_archived_session_of_a_deleted_sandbox_can_be_edited(admin_client, user):
    sandbox = SandboxFactory(user=user)
    session = ChatSessionFactory(sandbox=sandbox, title="Before")
    sandbox_delete(sandbox=sandbox, delete_repo=False)
    response = admin_client.post(f"/admin/chat/chatsession/{session.pk}/change/", {
        "sandbox": sandbox.pk, "user": user.pk, "source": "opencode", "opencode_session_id": session.opencode_session_id,
        "title": "After", "status": "archived", "message_count": 0, "user_message_count": 0,
        "assistant_message_count": 0, "total_input_tokens": 0, "total_output_tokens": 0})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ChatSession.objects.get(pk=session.pk).title == "After"
