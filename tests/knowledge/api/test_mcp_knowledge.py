"""`POST /api/mcp/knowledge`: the old bare `{method, params}` shape, its seven tools (api-contract 2.16)."""

import json

import pytest
import responses
from django.test import Client

from core.api.exception_handler import UNAUTHORIZED_BODY
from knowledge import tools
from knowledge.provider_guides import GUIDES
from sandboxes.credentials import sandbox_api_token
from tests.factories import KnowledgeDocumentFactory, ProviderCredentialFactory, SandboxFactory
from tests.providers.catalogue_data import MODELS_DEV

pytestmark = pytest.mark.django_db

URL = "/api/mcp/knowledge"


def post(client, body, **kwargs):
    return client.post(URL, body, content_type=kwargs.pop("content_type", "application/json"), **kwargs)


def call(client, name, arguments=None):
    response = post(client, {"method": "tools/call", "params": {"name": name, "arguments": arguments or {}}})
    assert response.status_code == 200
    return response.json()


def result(client, name, arguments=None):
    body = call(client, name, arguments)
    assert "isError" not in body, body
    assert [part["type"] for part in body["content"]] == ["text"]
    return json.loads(body["content"][0]["text"])


@pytest.fixture
def models_dev():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get("https://models.dev/api.json", json=MODELS_DEV)
        yield mock


def test_tools_list_as_user_other_user_and_service_token(api, other_api, service_api, client):
    for caller in (api, other_api, service_api):
        response = post(caller, {"method": "tools/list"})
        assert (response.status_code, response.json()) == (200, {"tools": tools.TOOLS})
    listed = tools.TOOLS
    assert [tool["name"] for tool in listed] == [
        "search_knowledge",
        "get_project_template",
        "get_agent_pattern",
        "get_command_template",
        "list_project_types",
        "get_available_models",
        "get_provider_setup_guide",
    ]
    # The recorded definition (reference-responses 95), with the nine categories of DECISIONS 19.
    assert listed[0]["inputSchema"]["properties"]["category"] == {
        "type": "string",
        "description": "Optional category to filter results",
        "enum": [
            "project_template",
            "agent_pattern",
            "command_template",
            "tool_template",
            "plugin_template",
            "mcp_template",
            "workflow_pattern",
            "best_practice",
            "provider_guide",
        ],
    }
    assert listed[1] == {
        "name": "get_project_template",
        "description": "Get a project template for a specific project type. Returns setup instructions, "
        "configuration examples, and best practices for the project type.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "project_type": {
                    "type": "string",
                    "description": "The project type (e.g., web_app, api_service, cli_tool, library, "
                    "mobile_app, desktop_app)",
                }
            },
            "required": ["project_type"],
        },
    }
    response = post(client, {"method": "tools/list"})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED_BODY)


def test_search_knowledge(api, service_api):
    KnowledgeDocumentFactory(
        id="react",
        title="React Testing Guide",
        tags=["react", "testing"],
        content="Learn how to test React components with Jest and Testing Library.",
    )
    KnowledgeDocumentFactory(
        id="tpl",
        category="project_template",
        title="Web App Template",
        content="Template for web applications",
    )
    KnowledgeDocumentFactory(
        id="std", category="best_practice", title="Coding Standards", content="Best practices for coding"
    )
    found = result(api, "search_knowledge", {"query": "React testing"})
    assert [doc["id"] for doc in found] == ["react"]
    assert set(found[0]) == {
        "id",
        "category",
        "title",
        "description",
        "content",
        "tags",
        "applicableTo",
        "metadata",
        "embeddingStatus",
        "version",
        "createdAt",
        "updatedAt",
    }
    assert result(service_api, "search_knowledge", {"query": "React testing"}) == found
    assert [
        d["id"]
        for d in result(api, "search_knowledge", {"query": "template", "category": "project_template"})
    ] == ["tpl"]
    assert result(api, "search_knowledge", {"query": "nonexistent-xyz-query-12345"}) == []
    assert len(result(api, "search_knowledge", {"limit": 2})) == 2
    assert call(api, "search_knowledge", {"category": "troubleshooting"}) == {
        "content": [
            {
                "type": "text",
                "text": (
                    '{"error":"category must be one of: project_template, agent_pattern, command_template, '
                    'tool_template, '
                    'plugin_template, mcp_template, workflow_pattern, best_practice, provider_guide"}'
                ),
            }
        ],
        "isError": True,
    }
    assert call(api, "search_knowledge", {"limit": "ten"})["isError"] is True


def test_template_lookups(api):
    KnowledgeDocumentFactory(
        id="web",
        category="project_template",
        title="Web App",
        description="Web application template",
        applicable_to=["web_app"],
        content="# Web App Template\n\nSetup instructions for web apps.",
    )
    KnowledgeDocumentFactory(
        id="rev",
        category="agent_pattern",
        title="Code Reviewer",
        applicable_to=["reviewer"],
        content="# Code Reviewer Agent\n\nReviews code for quality.",
    )
    KnowledgeDocumentFactory(
        id="cmd",
        category="command_template",
        title="Test Command",
        applicable_to=["test"],
        content="# Test Command\n\nRun tests for the project.",
    )
    assert result(api, "get_project_template", {"project_type": "web_app"})["content"].startswith(
        "# Web App Template"
    )
    assert result(api, "get_project_template", {"project_type": "nonexistent_type_xyz"}) is None
    assert result(api, "get_agent_pattern", {"role": "reviewer"})["title"] == "Code Reviewer"
    assert result(api, "get_agent_pattern", {"role": "nonexistent_role_xyz"}) is None
    assert result(api, "get_command_template", {"name": "test"})["id"] == "cmd"
    assert result(api, "get_command_template", {"name": "nonexistent_command_xyz"}) is None
    assert result(api, "list_project_types") == [
        {"name": "web_app", "description": "Web application template"}
    ]


@pytest.mark.parametrize(
    ("name", "argument"),
    [
        ("get_project_template", "project_type"),
        ("get_agent_pattern", "role"),
        ("get_command_template", "name"),
        ("get_provider_setup_guide", "provider"),
    ],
)
def test_a_missing_required_argument(api, name, argument):
    assert call(api, name) == {
        "content": [{"type": "text", "text": f'{{"error":"{argument} is required"}}'}],
        "isError": True,
    }


def test_available_models_read_only_the_callers_credentials(api, user, service_api, models_dev):
    ProviderCredentialFactory(user=user, provider_id="groq")
    mine = result(api, "get_available_models", {})
    assert mine == {
        "models": [
            {
                "id": "groq/llama-3.3-70b-versatile",
                "name": "Llama 3.3 70B Versatile",
                "provider": "groq",
                "isRecommended": True,
                "capabilities": ["chat", "code"],
            }
        ],
        "recommendation": {
            "primary": "groq/llama-3.3-70b-versatile",
            "small": None,
            "reasoning": "The most capable model of your configured provider Groq.",
        },
    }
    service = result(service_api, "get_available_models", {"capability": "code"})
    assert service["recommendation"]["primary"] == "anthropic/claude-sonnet-4-5"
    assert {model["provider"] for model in service["models"]} == {
        "anthropic",
        "openai",
        "google",
        "github-copilot",
        "openrouter",
        "groq",
    }


def test_a_sandbox_credential_acts_for_the_sandboxs_owner(user, other_user, models_dev):
    """DECISIONS 31: the container's own token reaches MCP, and the tools that read credentials read its
    owner's (and only theirs)."""
    ProviderCredentialFactory(user=user, provider_id="groq")
    ProviderCredentialFactory(user=other_user, provider_id="openai")
    container = Client(HTTP_AUTHORIZATION=f"Bearer {sandbox_api_token(SandboxFactory(user=user).pk)}")
    listed = post(container, {"method": "tools/list"})
    assert (listed.status_code, listed.json()) == (200, {"tools": tools.TOOLS})
    models = result(container, "get_available_models", {})
    assert [model["id"] for model in models["models"]] == ["groq/llama-3.3-70b-versatile"]
    assert models["recommendation"]["reasoning"] == "The most capable model of your configured provider Groq."


def test_available_models_without_the_catalogue_is_a_tool_error(api):
    with responses.RequestsMock() as mock:
        mock.get("https://models.dev/api.json", status=503)
        assert call(api, "get_available_models") == {
            "content": [{"type": "text", "text": '{"error":"Provider catalogue unavailable"}'}],
            "isError": True,
        }


def test_provider_setup_guides(api):
    assert result(api, "get_provider_setup_guide", {"provider": "anthropic"}) == GUIDES["anthropic"]
    assert result(api, "get_provider_setup_guide", {"provider": "OpenAI"})["name"] == "OpenAI (GPT-4)"
    assert [
        result(api, "get_provider_setup_guide", {"provider": p})["name"] for p in ("google", "aws", "groq")
    ] == ["Google (Gemini)", "AWS Bedrock", "Groq"]
    generic = result(api, "get_provider_setup_guide", {"provider": "unknown_provider_xyz"})
    assert (generic["provider"], generic["name"], len(generic["steps"]), generic["links"]) == (
        "unknown_provider_xyz",
        "unknown_provider_xyz",
        5,
        [],
    )


def test_errors_in_the_old_shapes(api):
    assert call(api, "unknown_tool_xyz") == {
        "content": [{"type": "text", "text": "Unknown tool: unknown_tool_xyz"}],
        "isError": True,
    }
    response = post(api, {"method": "tools/call", "params": {}})
    assert response.json() == {
        "content": [{"type": "text", "text": "Tool name is required"}],
        "isError": True,
    }
    response = post(api, {"method": "unknown/method"})
    assert (response.status_code, response.json()) == (400, {"error": "Unknown method: unknown/method"})
    response = post(api, {})
    assert (response.status_code, response.json()) == (400, {"error": "Unknown method: undefined"})
    response = post(api, "{oops", content_type="application/json")
    assert (response.status_code, response.json()) == (
        400,
        {"error": "Invalid request", "details": "Malformed JSON in request body"},
    )


def test_the_body_is_json_whatever_its_content_type(api):
    # `curl -d '{...}'` without a header sends application/x-www-form-urlencoded; the old server parsed it
    # anyway.
    response = post(
        api, json.dumps({"method": "tools/list"}), content_type="application/x-www-form-urlencoded"
    )
    assert (response.status_code, len(response.json()["tools"])) == (200, 7)


def test_the_json_rpc_envelope_is_ignored_as_before(api):
    response = post(api, {"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert (response.status_code, list(response.json())) == (200, ["tools"])
