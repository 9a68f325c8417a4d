"""A real OpenCode uses the API as a remote MCP server (issue 13): the standard endpoint `/api/mcp` served by
config.asgi under uvicorn (the suite's `asgi_server`), with a sandbox's own credential, which acts for the
sandbox's owner (DECISIONS 31). OpenCode's `GET /mcp` must report it connected.

Two configs: the literal shape (token in the header) through `OPENCODE_CONFIG_CONTENT`, and the
`opencode.json` onboarding's apply writes into a workspace (onboarding/workspace.py), whose URL and token
OpenCode takes from the container's environment (`{env:...}`).
"""

import json
import time

import httpx
import pytest

from onboarding.workspace import KNOWLEDGE_MCP_NAME, workspace_files
from sandboxes.credentials import sandbox_api_token
from sandboxes.opencode import OpenCodeClient
from tests.factories import OnboardingSessionFactory, SandboxFactory

# Committed data: uvicorn's thread reads it on its own connections.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def mcp_status(process, name: str, timeout: float = 30) -> dict:
    """OpenCode's status of MCP server `name`, once it has left `pending`-like states (it connects at start,
    and again after a dispose)."""
    deadline = time.monotonic() + timeout
    with OpenCodeClient(process.endpoint) as opencode:
        while True:
            status = opencode.mcp_status().get(name)
            if (status and status.get("status") == "connected") or time.monotonic() > deadline:
                return status
            time.sleep(0.2)


def test_opencode_connects_with_a_sandbox_credential(asgi_server, opencode_factory, model_server):
    sandbox = SandboxFactory()
    config = {
        **model_server.opencode_config(),
        "mcp": {
            "knowledge": {
                "type": "remote",
                "url": f"{asgi_server}/api/mcp",
                "headers": {"Authorization": f"Bearer {sandbox_api_token(sandbox.pk)}"},
            }
        },
    }
    process = opencode_factory(config=config)
    assert mcp_status(process, "knowledge") == {"status": "connected"}


def test_opencode_refuses_a_wrong_credential(asgi_server, opencode_factory, model_server):
    config = {
        **model_server.opencode_config(),
        "mcp": {
            "knowledge": {
                "type": "remote",
                "url": f"{asgi_server}/api/mcp",
                "oauth": False,
                "headers": {"Authorization": "Bearer agentpod-sandbox.nope.0000"},
            }
        },
    }
    process = opencode_factory(config=config)
    status = mcp_status(process, "knowledge", timeout=10)
    assert status is not None and status["status"] != "connected"


def test_the_opencode_json_onboarding_writes_connects(asgi_server, opencode_factory, model_server, tmp_path):
    session = OnboardingSessionFactory(
        status="completed",
        generated_config={
            "settings": {},
            "agents": [{"name": "reviewer", "description": "Reviews", "content": "Review."}],
            "commands": [{"name": "test", "description": "Run the tests", "content": "Run them."}],
        },
    )
    for path, text in workspace_files(session).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    assert json.loads((tmp_path / "opencode.json").read_text())["mcp"][KNOWLEDGE_MCP_NAME]["url"] == (
        "{env:MANAGEMENT_API_URL}/api/mcp"
    )
    process = opencode_factory(
        workspace=tmp_path,
        extra_env={
            "MANAGEMENT_API_URL": asgi_server,
            "AGENTPOD_API_TOKEN": sandbox_api_token(session.sandbox_id),
        },
    )
    assert mcp_status(process, KNOWLEDGE_MCP_NAME) == {"status": "connected"}
    # OpenCode read the rest of the project config too: the agent and the command.
    with OpenCodeClient(process.endpoint) as opencode:
        assert "reviewer" in {agent["name"] for agent in opencode.agents()}
    commands = httpx.get(
        f"{process.base_url}/command", auth=("opencode", process.password), timeout=10
    ).json()
    assert "test" in {command["name"] for command in commands}
