"""ASGI entry point (granian in production, uvicorn in tests): Django, with the standard MCP server beside it.

`application` routes (core/asgi.py):
- `/api/mcp` (exactly) → the MCP server (knowledge/mcp.py), a Starlette app of the official `mcp` SDK;
- `/health` (exactly) → the liveness answer without Django's stack (core/liveness.py);
- a request for an async view (sending an OpenCode message, the event stream) → Django's ASGI handler on
  the event loop, so that a held stream holds no thread, with its sync parts on a few shared threads;
- every other request → Django's WSGI handler, run whole in one thread of a pool (`WSGIOnThreads`);
- lifespan events (startup/shutdown) → the MCP app, whose session manager needs them; Django has no
  lifespan handling.
"""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# First: the imports below (models, settings) need Django set up.
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from core.asgi import PooledThreadsASGIHandler, WSGIOnThreads, by_view_kind, path_router  # noqa: E402
from core.liveness import liveness_app  # noqa: E402
from knowledge.mcp import MCP_PATH, mcp_application  # noqa: E402


def build_application():
    django_app = by_view_kind(PooledThreadsASGIHandler(threads=settings.ASGI_SYNC_THREADS),
                              WSGIOnThreads(get_wsgi_application(), threads=settings.WSGI_THREADS))
    mcp_app = mcp_application()
    return path_router({MCP_PATH: mcp_app, "/health": liveness_app(django_app)},
                       default=django_app, lifespan=mcp_app)


application = build_application()

# What is loaded by now (Django, the apps, the URLconf) lives as long as the process: frozen out of the
# garbage collector's scans, a full collection during a request walks only what requests made (measured:
# the p99 of the API's GETs, bench/http_throughput.py).
gc.freeze()
