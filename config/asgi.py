"""ASGI entry point (uvicorn, daphne): Django, with the standard MCP server mounted beside it.

`application` is a small path router:
- `/api/mcp` (exactly) → the MCP server (knowledge/mcp.py), a Starlette app of the official `mcp` SDK;
- `/health` (exactly) → the liveness answer without Django's stack (core/liveness.py);
- the OpenCode proxy (`/api/v2/sandboxes/<id>/opencode/...`: async views, the event stream among them)
  → Django's ASGI handler, on the event loop;
- every other path → Django's WSGI handler, each request run whole in one thread of a pool
  (`/api/mcp/knowledge`, the old bare endpoint, included). Its views are sync: under Django's ASGI handler
  each would hop between the loop and a thread a dozen times (every middleware hook, the view) and start
  a thread of its own; measured with bench/http_throughput.py, that halved the API's throughput;
- lifespan events (startup/shutdown) → the MCP app, whose session manager needs them; Django has no
  lifespan handling.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# First: it sets Django up, which the MCP app's imports (models, settings) need.
django_application = get_asgi_application()

import re  # noqa: E402

from asgiref.wsgi import WsgiToAsgi  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

sync_application = WsgiToAsgi(get_wsgi_application())
ASYNC_PATHS = re.compile(r"^/api/v2/sandboxes/[^/]+/opencode/")

# -- the MCP server ----------------------------------------------------------------------------------------
from core.liveness import liveness_app  # noqa: E402
from knowledge.mcp import MCP_PATH, mcp_application  # noqa: E402


def path_router(routes: dict, default, lifespan):
    """An ASGI app: each exact path of `routes` to its app, lifespan to `lifespan`, the async views to
    Django's ASGI handler, the rest to `default`."""

    async def router(scope, receive, send):
        if scope["type"] == "lifespan":
            return await lifespan(scope, receive, send)
        path = scope.get("path", "")
        app = routes.get(path) or (django_application if ASYNC_PATHS.match(path) else default)
        return await app(scope, receive, send)

    return router


def build_application():
    mcp_app = mcp_application()
    return path_router({MCP_PATH: mcp_app, "/health": liveness_app(sync_application)},
                       default=sync_application, lifespan=mcp_app)


application = build_application()
