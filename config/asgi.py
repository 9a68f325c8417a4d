"""ASGI entry point (uvicorn, daphne): Django, with the standard MCP server mounted beside it.

`application` is a small path router:
- `/api/mcp` (exactly) → the MCP server (knowledge/mcp.py), a Starlette app of the official `mcp` SDK;
- `/health` (exactly) → the liveness answer without Django's stack (core/liveness.py);
- every other path → Django (`/api/mcp/knowledge`, the old bare endpoint, included);
- lifespan events (startup/shutdown) → the MCP app, whose session manager needs them; Django has no
  lifespan handling.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# First: it sets Django up, which the MCP app's imports (models, settings) need.
django_application = get_asgi_application()

# -- the MCP server ----------------------------------------------------------------------------------------
from core.liveness import liveness_app  # noqa: E402
from knowledge.mcp import MCP_PATH, mcp_application  # noqa: E402


def path_router(routes: dict, default, lifespan):
    """An ASGI app: each exact path of `routes` to its app, lifespan to `lifespan`, the rest to `default`."""

    async def router(scope, receive, send):
        if scope["type"] == "lifespan":
            return await lifespan(scope, receive, send)
        return await routes.get(scope.get("path"), default)(scope, receive, send)

    return router


def build_application():
    mcp_app = mcp_application()
    return path_router({MCP_PATH: mcp_app, "/health": liveness_app(django_application)},
                       default=django_application, lifespan=mcp_app)


application = build_application()
