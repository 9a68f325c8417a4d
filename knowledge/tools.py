"""The seven knowledge tools agents call over MCP: their definitions and the one implementation of each.

Both MCP transports use this module and nothing else: the old bare `POST /api/mcp/knowledge`
(`{method, params}`, api-contract 2.16) and the standard MCP server (knowledge/mcp.py, JSON-RPC over
Streamable HTTP). A tool's result is a JSON text, as the old server returned it; a caller's mistake (a
missing argument, an unknown category) is a result with `isError`, never an HTTP error.

Differences from the old tools, on purpose: `search_knowledge` ranks (DECISIONS 30) and its `category`
is one of the nine of the database enum (DECISIONS 19); `get_available_models` reads only the caller's
own credentials (DECISIONS 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.api.permissions import acting_user
from core.fields import dump_json
from providers.catalogue import CatalogueUnavailable

from . import selectors
from .api.serializers import KnowledgeDocumentSerializer
from .models import KnowledgeCategory
from .provider_guides import provider_guide

CATEGORIES = list(KnowledgeCategory.values)


def _schema(properties: dict | None = None, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties or {}, "required": required or []}


# `tools/list`, in the old server's order, with its names, descriptions and argument names.
TOOLS: list[dict[str, Any]] = [
    {
        "name": "search_knowledge",
        "description": "Search the knowledge base for documents matching a query. Returns project templates, "
                       "agent patterns, command templates, best practices, and more.",
        "inputSchema": _schema({
            "query": {"type": "string",
                      "description": "The search query to find relevant knowledge documents"},
            "category": {"type": "string", "description": "Optional category to filter results",
                         "enum": CATEGORIES},
            "tags": {"type": "array", "description": "Optional tags to filter results",
                     "items": {"type": "string"}},
            "limit": {"type": "number", "description": "Maximum number of results to return (default: 10)",
                      "default": 10},
            "useSemanticSearch": {"type": "boolean",
                                  "description": "Whether to use semantic search (default: false)",
                                  "default": False},
        }),
    },
    {
        "name": "get_project_template",
        "description": "Get a project template for a specific project type. Returns setup instructions, "
                       "configuration examples, and best practices for the project type.",
        "inputSchema": _schema({"project_type": {
            "type": "string",
            "description": "The project type (e.g., web_app, api_service, cli_tool, library, mobile_app, "
                           "desktop_app)",
        }}, ["project_type"]),
    },
    {
        "name": "get_agent_pattern",
        "description": "Get an agent pattern definition for a specific role. Returns the agent configuration "
                       "including prompt, tools, and permissions.",
        "inputSchema": _schema({"role": {
            "type": "string", "description": "The agent role (e.g., reviewer, architect, tester, documenter)",
        }}, ["role"]),
    },
    {
        "name": "get_command_template",
        "description": "Get a command template for a specific command name. Returns the command definition "
                       "including prompt and configuration.",
        "inputSchema": _schema({"name": {
            "type": "string", "description": "The command name (e.g., test, build, deploy, review)",
        }}, ["name"]),
    },
    {
        "name": "list_project_types",
        "description": "List all available project types with their descriptions. Use this to help users "
                       "choose the right project type for their workspace.",
        "inputSchema": _schema(),
    },
    {
        "name": "get_available_models",
        "description": "Get available AI models for the user. Returns model recommendations and available "
                       "models based on configured providers.",
        "inputSchema": _schema({
            "capability": {"type": "string",
                           "description": "Filter by capability (e.g., code, chat, vision)"},
            "tier": {"type": "string", "description": "Filter by tier (e.g., free, pro, enterprise)"},
        }),
    },
    {
        "name": "get_provider_setup_guide",
        "description": "Get setup instructions for a specific AI provider. Returns step-by-step guide for "
                       "configuring the provider.",
        "inputSchema": _schema({"provider": {
            "type": "string", "description": "The provider ID (e.g., anthropic, openai, google, aws)",
        }}, ["provider"]),
    },
]
TOOL_NAMES = [tool["name"] for tool in TOOLS]
DESCRIPTIONS = {tool["name"]: tool["description"] for tool in TOOLS}


@dataclass(frozen=True)
class ToolResult:
    text: str
    is_error: bool = False

    def as_mcp(self) -> dict:
        """The MCP `CallToolResult` body: `{"content": [{"type": "text", "text"}], "isError"?}`."""
        body: dict[str, Any] = {"content": [{"type": "text", "text": self.text}]}
        if self.is_error:
            body["isError"] = True
        return body


class ToolArgumentError(Exception):
    """A caller's mistake, answered as `{"error": "<message>"}` with `isError`."""


def tool_call(name: str | None, arguments: dict | None, *, principal) -> ToolResult:
    """Run tool `name`. `principal` is the authenticated caller: a user, a sandbox's credential (acting for
    its owner) or the service token."""
    if not name:
        return ToolResult("Tool name is required", is_error=True)
    handler = HANDLERS.get(name)
    if handler is None:
        return ToolResult(f"Unknown tool: {name}", is_error=True)
    try:
        result = handler(arguments if isinstance(arguments, dict) else {}, principal)
    except ToolArgumentError as exc:
        return ToolResult(dump_json({"error": str(exc)}), is_error=True)
    except CatalogueUnavailable as exc:
        return ToolResult(dump_json({"error": exc.message}), is_error=True)
    return ToolResult(dump_json(result))


# -- arguments ---------------------------------------------------------------------------------------------

def _required_text(arguments: dict, key: str) -> str:
    value = arguments.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ToolArgumentError(f"{key} is required")
    return value


def _optional_text(arguments: dict, key: str) -> str | None:
    value = arguments.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ToolArgumentError(f"{key} must be a string")
    return value


def _limit(arguments: dict) -> int:
    value = arguments.get("limit")
    if value is None:
        return 10
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 100:
        raise ToolArgumentError("limit must be a number from 1 to 100")
    return int(value)


# -- the tools ---------------------------------------------------------------------------------------------

def search_knowledge(arguments: dict, principal) -> list[dict]:
    category = _optional_text(arguments, "category")
    if category is not None and category not in CATEGORIES:
        raise ToolArgumentError(f"category must be one of: {', '.join(CATEGORIES)}")
    tags = arguments.get("tags")
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags)):
        raise ToolArgumentError("tags must be an array of strings")
    result = selectors.documents_search(
        query=_optional_text(arguments, "query"), categories=[category] if category else None,
        tags=tags or None, limit=_limit(arguments), semantic=arguments.get("useSemanticSearch") is True)
    return KnowledgeDocumentSerializer(result.documents, many=True).data


def _template(category: str, key: str):
    def tool(arguments: dict, principal) -> dict | None:
        document = selectors.template_find(category=category, key=_required_text(arguments, key))
        return None if document is None else KnowledgeDocumentSerializer(document).data
    return tool


def list_project_types(arguments: dict, principal) -> list[dict]:
    return selectors.project_types()


def get_available_models(arguments: dict, principal) -> dict:
    # A sandbox's credential acts for the sandbox's owner (DECISIONS 31); the service token for nobody.
    return selectors.available_models(user=acting_user(principal),
                                      capability=_optional_text(arguments, "capability"),
                                      tier=_optional_text(arguments, "tier"))


def get_provider_setup_guide(arguments: dict, principal) -> dict:
    return provider_guide(_required_text(arguments, "provider"))


HANDLERS = {
    "search_knowledge": search_knowledge,
    "get_project_template": _template(KnowledgeCategory.PROJECT_TEMPLATE, "project_type"),
    "get_agent_pattern": _template(KnowledgeCategory.AGENT_PATTERN, "role"),
    "get_command_template": _template(KnowledgeCategory.COMMAND_TEMPLATE, "name"),
    "list_project_types": list_project_types,
    "get_available_models": get_available_models,
    "get_provider_setup_guide": get_provider_setup_guide,
}
