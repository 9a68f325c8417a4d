"""A sandbox's own credential (`AGENTPOD_API_TOKEN` in its container): it acts for its owner only, where
containers need it (DECISIONS 31), and dies with the sandbox."""

import pytest
from django.test import Client

from sandboxes.credentials import sandbox_api_token
from tests.factories import SandboxFactory, UserOpencodeConfigFactory, UserOpencodeFileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox(user):
    return SandboxFactory(user=user)


@pytest.fixture
def container(sandbox):
    """What a process inside the sandbox's container sends."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {sandbox_api_token(sandbox.pk)}")


def test_it_reads_its_owners_opencode_config_and_files(container, user):
    UserOpencodeConfigFactory(user=user, settings={"model": "anthropic/claude"}, agents_md="# Mine")
    UserOpencodeFileFactory(user=user, type="agent", name="helper", extension="md", content="Help.")
    for path in ("/api/users/me/opencode/config", f"/api/users/{user.pk}/opencode/config"):
        response = container.get(path)
        assert response.status_code == 200
        assert response.json() == {"settings": {"model": "anthropic/claude"}, "agents_md": "# Mine", "files": [
            {"type": "agent", "name": "helper", "extension": "md", "content": "Help."}]}
    assert container.get("/api/users/me/opencode/files/agent/helper").json()["content"] == "Help."


def test_another_users_config_is_not_found(container, other_user):
    UserOpencodeConfigFactory(user=other_user, settings={"secret": "theirs"})
    for path in ("config", "settings", "files", "agents-md"):
        response = container.get(f"/api/users/{other_user.pk}/opencode/{path}")
        assert (response.status_code, response.json()) == (404, {"error": "User not found"})


def test_it_cannot_write_the_config(container, user):
    response = container.put("/api/users/me/opencode/settings", {"settings": {"model": "x"}},
                             content_type="application/json")
    assert (response.status_code, response.json()) == (403, {"error": "Forbidden"})


@pytest.mark.parametrize("method, path", [
    ("get", "/api/account"), ("get", "/api/v2/sandboxes"), ("get", "/api/users/me/preferences"),
    ("get", "/api/providers"), ("get", "/api/users/me/activity"), ("get", "/api/resource-tiers"),
    ("delete", "/api/account"),
])
def test_everything_else_refuses_it(container, method, path):
    assert getattr(container, method)(path).status_code == 403


def test_a_deleted_sandbox_takes_its_credential_with_it(api, container, sandbox):
    assert container.get("/api/users/me/opencode/config").status_code == 200
    assert api.delete(f"/api/v2/sandboxes/{sandbox.pk}").status_code == 200  # a soft delete: the row stays
    response = container.get("/api/users/me/opencode/config")
    assert (response.status_code, response.json()) == (
        401, {"error": "Unauthorized", "message": "Valid session or API key required"})
    assert container.post("/api/mcp/knowledge", {}, content_type="application/json").status_code == 401


def test_a_sandbox_removed_with_its_account_takes_its_credential_with_it(container, sandbox):
    sandbox.delete()
    response = container.get("/api/users/me/opencode/config")
    assert response.status_code == 401


def test_a_forged_or_foreign_token_is_not_a_credential(user, other_user):
    theirs = SandboxFactory(user=other_user)
    forged = sandbox_api_token(theirs.pk)[:-4] + "beef"
    assert Client(HTTP_AUTHORIZATION=f"Bearer {forged}").get("/api/users/me/opencode/config").status_code == 401
