"""The standard MCP server of the knowledge tools: JSON-RPC 2.0 over Streamable HTTP at `/api/mcp`.

Built with the official `mcp` SDK (2.x `MCPServer`), stateless and answering JSON (no server-held
sessions, so any worker can answer any request). Each tool delegates to knowledge.tools, the same
implementation as the old bare endpoint `POST /api/mcp/knowledge`, and returns the same text.

Authentication: `DjangoAuthMiddleware` runs the REST API's own authentication classes
(`REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`) on the request's headers, so every credential the API
accepts (a user's bearer session token or cookie, a sandbox's credential acting for its owner, the service
token, and any class added to that list later) is accepted here, and nothing else. Anonymous callers get
the API's 401 body.

Django runs beside it in the same ASGI process (config/asgi.py routes `MCP_PATH` here). ORM work happens
in Django's thread-sensitive executor, with connections handled as at the start and end of a Django request.
"""

from __future__ import annotations

import io
import json
from typing import Annotated, Literal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import CallToolResult, TextContent
from pydantic import Field
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

from core.api.exception_handler import UNAUTHORIZED_BODY

from . import tools

MCP_PATH = "/api/mcp"
PRINCIPAL_KEY = "principal"  # where the middleware leaves the caller, in the ASGI scope's `state`

server = MCPServer("agentpod-knowledge", instructions=(
    "AgentPod's knowledge base: project templates, agent patterns, command templates, OpenCode tools, "
    "plugins and MCP servers, workflows, best practices and provider guides. Search it before writing "
    "OpenCode configuration from scratch."))


# -- running a tool ---------------------------------------------------------------------------------------

def _call(name: str, arguments: dict, principal) -> tools.ToolResult:
    close_old_connections()
    try:
        return tools.tool_call(name, arguments, principal=principal)
    finally:
        close_old_connections()


async def _run(ctx: Context, name: str, arguments: dict) -> CallToolResult:
    principal = ctx.request_context.request.scope["state"][PRINCIPAL_KEY]
    # Arguments left unset are left out, as a client that omits them would send them to the bare endpoint.
    arguments = {key: value for key, value in arguments.items() if value is not None}
    result = await sync_to_async(_call, thread_sensitive=True)(name, arguments, principal)
    return CallToolResult(content=[TextContent(type="text", text=result.text)], is_error=result.is_error)


Category = Literal[tuple(tools.CATEGORIES)]  # type: ignore[valid-type]


@server.tool(description=tools.DESCRIPTIONS["search_knowledge"], structured_output=False)
async def search_knowledge(
    ctx: Context,
    query: Annotated[str | None, Field(
        description="The search query to find relevant knowledge documents")] = None,
    category: Annotated[Category | None, Field(description="Optional category to filter results")] = None,
    tags: Annotated[list[str] | None, Field(description="Optional tags to filter results")] = None,
    limit: Annotated[int, Field(
        ge=1, le=100, description="Maximum number of results to return (default: 10)")] = 10,
    useSemanticSearch: Annotated[bool, Field(  # noqa: N803 (the old tool's argument name)
        description="Whether to use semantic search (default: false)")] = False,
) -> CallToolResult:
    return await _run(ctx, "search_knowledge", {"query": query, "category": category, "tags": tags,
                                                "limit": limit, "useSemanticSearch": useSemanticSearch})


@server.tool(description=tools.DESCRIPTIONS["get_project_template"], structured_output=False)
async def get_project_template(ctx: Context, project_type: Annotated[str, Field(
        description="The project type (e.g., web_app, api_service, cli_tool, library, mobile_app, "
                    "desktop_app)")],
) -> CallToolResult:
    return await _run(ctx, "get_project_template", {"project_type": project_type})


@server.tool(description=tools.DESCRIPTIONS["get_agent_pattern"], structured_output=False)
async def get_agent_pattern(ctx: Context, role: Annotated[str, Field(
        description="The agent role (e.g., reviewer, architect, tester, documenter)")]) -> CallToolResult:
    return await _run(ctx, "get_agent_pattern", {"role": role})


@server.tool(description=tools.DESCRIPTIONS["get_command_template"], structured_output=False)
async def get_command_template(ctx: Context, name: Annotated[str, Field(
        description="The command name (e.g., test, build, deploy, review)")]) -> CallToolResult:
    return await _run(ctx, "get_command_template", {"name": name})


@server.tool(description=tools.DESCRIPTIONS["list_project_types"], structured_output=False)
async def list_project_types(ctx: Context) -> CallToolResult:
    return await _run(ctx, "list_project_types", {})


@server.tool(description=tools.DESCRIPTIONS["get_available_models"], structured_output=False)
async def get_available_models(
    ctx: Context,
    capability: Annotated[str | None, Field(
        description="Filter by capability (e.g., code, chat, vision)")] = None,
    tier: Annotated[str | None, Field(description="Filter by tier (e.g., free, pro, enterprise)")] = None,
) -> CallToolResult:
    return await _run(ctx, "get_available_models", {"capability": capability, "tier": tier})


@server.tool(description=tools.DESCRIPTIONS["get_provider_setup_guide"], structured_output=False)
async def get_provider_setup_guide(ctx: Context, provider: Annotated[str, Field(
        description="The provider ID (e.g., anthropic, openai, google, aws)")]) -> CallToolResult:
    return await _run(ctx, "get_provider_setup_guide", {"provider": provider})


# -- authentication ---------------------------------------------------------------------------------------

def authenticate(scope: dict):
    """The principal the REST API would see for these headers (a user, a sandbox's credential or the service
    token), or None."""
    close_old_connections()
    try:
        request = Request(ASGIRequest(scope, io.BytesIO()),
                          authenticators=[cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES])
        user = request.user
    except exceptions.APIException:  # AuthenticationFailed: a credential that is present but wrong
        return None
    finally:
        close_old_connections()
    return user if user is not None and user.is_authenticated else None


class DjangoAuthMiddleware:
    """401 with the API's body unless one of the API's authentication classes accepts the request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        principal = await sync_to_async(authenticate, thread_sensitive=True)(scope)
        if principal is None:
            body = json.dumps(UNAUTHORIZED_BODY).encode()
            await send({"type": "http.response.start", "status": 401, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", b'Bearer realm="api"')]})
            await send({"type": "http.response.body", "body": body})
            return None
        scope = {**scope, "state": {**scope.get("state", {}), PRINCIPAL_KEY: principal}}
        return await self.app(scope, receive, send)


# -- the ASGI application ---------------------------------------------------------------------------------

def transport_security() -> TransportSecuritySettings:
    """The SDK's DNS-rebinding check (Host, Origin) from Django's own ALLOWED_HOSTS and CORS origins."""
    hosts = list(settings.ALLOWED_HOSTS)
    if "*" in hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    # Django's ".example.com" (any subdomain) has no equivalent there: its bare domain is allowed.
    hosts = [host.lstrip(".") for host in hosts]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True,
                                     allowed_hosts=[*hosts, *(f"{host}:*" for host in hosts)],
                                     allowed_origins=list(settings.CORS_ALLOWED_ORIGINS))


def mcp_application():
    """A new ASGI app serving the MCP server at `MCP_PATH` (each has its own session manager and lifespan)."""
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, stateless_http=True, json_response=True,
                                     transport_security=transport_security())
    return DjangoAuthMiddleware(app)
