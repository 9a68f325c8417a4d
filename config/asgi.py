"""ASGI entry point (granian in production, uvicorn in tests): Django, with the standard MCP server beside it.

`application` is a small router:
- `/api/mcp` (exactly) → the MCP server (knowledge/mcp.py), a Starlette app of the official `mcp` SDK;
- `/health` (exactly) → the liveness answer without Django's stack (core/liveness.py);
- a request for an async view (the OpenCode proxy, its event stream among them) → Django's ASGI handler,
  on the event loop, so that a held stream holds no thread;
- every other request → Django's WSGI handler, run whole in one thread of a pool (a2wsgi). Its views are
  sync: under Django's ASGI handler each request would hop between the loop and a thread at every
  middleware hook and again for the view; measured with bench/http_throughput.py, that cost more than
  half the API's throughput;
- lifespan events (startup/shutdown) → the MCP app, whose session manager needs them; Django has no
  lifespan handling.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# First: it sets Django up, which the imports below (models, settings) need.
django_asgi = get_asgi_application()

from a2wsgi import WSGIMiddleware  # noqa: E402
from asgiref.sync import iscoroutinefunction  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from core.liveness import liveness_app  # noqa: E402
from knowledge.mcp import MCP_PATH, mcp_application  # noqa: E402


def by_view_kind(asgi_app, wsgi_app):
    """An ASGI app sending a request to `asgi_app` when its URL resolves to an async view, else to
    `wsgi_app` (unknown paths included: Django answers their 404 either way)."""

    async def app(scope, receive, send):
        try:
            is_async = iscoroutinefunction(resolve(scope["path"]).func)
        except Resolver404:
            is_async = False
        return await (asgi_app if is_async else wsgi_app)(scope, receive, send)

    return app


def path_router(routes: dict, default, lifespan):
    """An ASGI app: each exact path of `routes` to its app, lifespan to `lifespan`, the rest to `default`."""

    async def router(scope, receive, send):
        if scope["type"] == "lifespan":
            return await lifespan(scope, receive, send)
        return await routes.get(scope.get("path"), default)(scope, receive, send)

    return router


def build_application():
    django_app = by_view_kind(django_asgi, WSGIMiddleware(get_wsgi_application(),
                                                          workers=settings.WSGI_THREADS))
    mcp_app = mcp_application()
    return path_router({MCP_PATH: mcp_app, "/health": liveness_app(django_app)},
                       default=django_app, lifespan=mcp_app)


application = build_application()

# What is loaded by now (Django, the apps, the URLconf) lives as long as the process: frozen out of the
# garbage collector's scans, a full collection during a request walks only what requests made (measured:
# the p99 of the API's GETs, bench/http_throughput.py).
gc.freeze()
