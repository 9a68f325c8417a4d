"""The standard MCP server (`/api/mcp`) through the official `mcp` SDK's client, over real HTTP.

The project's ASGI app (config/asgi.py) runs under uvicorn on loopback; the SDK's client connects with
Streamable HTTP, lists the seven tools and calls each. Data is committed (`transactional_db`): the server
reads it on its own connections. models.dev is faked at the HTTP layer (`responses`, in this process).
"""

import asyncio
import json

import httpx
import httpx2
import pytest
import responses
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from core.api.exception_handler import UNAUTHORIZED_BODY
from knowledge import tools
from sandboxes.credentials import sandbox_api_token
from tests.factories import (
    KnowledgeDocumentFactory,
    ProviderCredentialFactory,
    SandboxFactory,
    SessionFactory,
    UserFactory,
)
from tests.providers.catalogue_data import MODELS_DEV

# Committed data, as the server thread needs; serialized rollback as the suite's other transactional tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SERVICE_TOKEN = "test-service-token-mcp-0123456789"


@pytest.fixture
def models_dev():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get("https://models.dev/api.json", json=MODELS_DEV)
        yield mock


def session(url: str, token: str | None, work):
    """Open an MCP client session on `url` with `Authorization: Bearer <token>`, run `work(session)`."""

    async def run():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx2.AsyncClient(headers=headers, timeout=30) as client:
            async with streamable_http_client(url, http_client=client) as (read, write, *_):
                async with ClientSession(read, write) as mcp_session:
                    await mcp_session.initialize()
                    return await work(mcp_session)

    return asyncio.run(run())


def text_of(result) -> str:
    assert [content.type for content in result.content] == ["text"]
    return result.content[0].text


def test_a_user_lists_the_seven_tools_and_calls_each(asgi_server, models_dev):
    user = UserFactory()
    token = SessionFactory(user=user).token
    KnowledgeDocumentFactory(
        id="doc-web",
        category="project_template",
        title="Web App",
        description="Web application template",
        applicable_to=["web_app"],
        content="# Web App Template\n\nSetup instructions for web apps.",
    )
    KnowledgeDocumentFactory(
        id="doc-reviewer",
        category="agent_pattern",
        title="Code Reviewer",
        content="# Code Reviewer Agent\n\nReviews code for quality.",
        applicable_to=["reviewer"],
    )
    KnowledgeDocumentFactory(
        id="doc-test",
        category="command_template",
        title="Test Command",
        content="# Test Command\n\nRun tests for the project.",
        applicable_to=["test"],
    )

    async def work(mcp):
        listed = await mcp.list_tools()
        calls = {
            "search_knowledge": await mcp.call_tool("search_knowledge", {"query": "testing", "limit": 5}),
            "get_project_template": await mcp.call_tool("get_project_template", {"project_type": "web_app"}),
            "get_agent_pattern": await mcp.call_tool("get_agent_pattern", {"role": "reviewer"}),
            "get_command_template": await mcp.call_tool("get_command_template", {"name": "test"}),
            "list_project_types": await mcp.call_tool("list_project_types", {}),
            "get_available_models": await mcp.call_tool("get_available_models", {"capability": "code"}),
            "get_provider_setup_guide": await mcp.call_tool(
                "get_provider_setup_guide", {"provider": "Anthropic"}
            ),
            "missing argument": await mcp.call_tool("get_agent_pattern", {}),
            "bad category": await mcp.call_tool(
                "search_knowledge", {"query": "x", "category": "troubleshooting"}
            ),
        }
        return listed, calls

    listed, calls = session(f"{asgi_server}/api/mcp", token, work)

    assert [tool.name for tool in listed.tools] == tools.TOOL_NAMES
    by_name = {tool.name: tool for tool in listed.tools}
    assert by_name["search_knowledge"].description == tools.DESCRIPTIONS["search_knowledge"]
    assert set(by_name["search_knowledge"].input_schema["properties"]) == {
        "query",
        "category",
        "tags",
        "limit",
        "useSemanticSearch",
    }
    assert by_name["get_project_template"].input_schema["required"] == ["project_type"]
    assert by_name["get_provider_setup_guide"].input_schema["required"] == ["provider"]

    for name in tools.TOOL_NAMES:
        assert not calls[name].is_error, (name, calls[name])
    # The same texts as the bare endpoint: one implementation behind both.
    assert [doc["id"] for doc in json.loads(text_of(calls["search_knowledge"]))] == ["doc-test"]
    assert json.loads(text_of(calls["get_project_template"]))["id"] == "doc-web"
    assert json.loads(text_of(calls["get_agent_pattern"]))["title"] == "Code Reviewer"
    assert json.loads(text_of(calls["get_command_template"]))["content"].startswith("# Test Command")
    assert json.loads(text_of(calls["list_project_types"])) == [
        {"name": "web_app", "description": "Web application template"}
    ]
    models = json.loads(text_of(calls["get_available_models"]))
    assert models["recommendation"]["primary"] == "anthropic/claude-sonnet-4-5"
    assert json.loads(text_of(calls["get_provider_setup_guide"]))["name"] == "Anthropic (Claude)"
    assert calls["missing argument"].is_error
    assert calls["bad category"].is_error


def test_the_service_token_is_accepted(asgi_server, settings):
    settings.API_TOKEN = SERVICE_TOKEN
    KnowledgeDocumentFactory(id="doc-deploy", title="Deploying with Docker", content="Build the image.")

    async def work(mcp):
        return await mcp.call_tool("search_knowledge", {"query": "docker"})

    result = session(f"{asgi_server}/api/mcp", SERVICE_TOKEN, work)
    assert [doc["id"] for doc in json.loads(text_of(result))] == ["doc-deploy"]


def test_a_sandbox_credential_acts_for_its_owner(asgi_server, models_dev):
    """DECISIONS 31: a container's own token; `get_available_models` reads its owner's credentials only."""
    owner = UserFactory()
    ProviderCredentialFactory(user=owner, provider_id="groq")
    ProviderCredentialFactory(user=UserFactory(), provider_id="openai")
    token = sandbox_api_token(SandboxFactory(user=owner).pk)

    async def work(mcp):
        return await mcp.call_tool("get_available_models", {})

    result = session(f"{asgi_server}/api/mcp", token, work)
    assert not result.is_error
    assert json.loads(text_of(result))["recommendation"] == {
        "primary": "groq/llama-3.3-70b-versatile", "small": None,
        "reasoning": "The most capable model of your configured provider Groq."}


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-valid-token", "Basic dXNlcjpwYXNz"])
def test_anonymous_and_wrong_credentials_are_401_with_the_api_body(asgi_server, authorization):
    headers = {"Accept": "application/json, text/event-stream"}
    if authorization:
        headers["Authorization"] = authorization
    response = httpx.post(
        f"{asgi_server}/api/mcp", headers=headers, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    )
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED_BODY)
    assert response.headers["www-authenticate"] == 'Bearer realm="api"'


def test_django_still_answers_every_other_path(asgi_server):
    assert httpx.get(f"{asgi_server}/health").status_code == 200
    # The old bare endpoint is Django's, not the MCP app's.
    response = httpx.post(f"{asgi_server}/api/mcp/knowledge", json={"method": "tools/list"})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED_BODY)
    assert httpx.get(f"{asgi_server}/api/mcp/").json() == {"error": "Not found"}
