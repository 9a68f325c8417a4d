"""`GET /health` straight from the ASGI server, without Django's stack: load balancers ask it every second,
and it says only that the process answers (no database, as the contract says; `/health/ready` checks
the database and the cache). The body is the Django view's (core.views.health), which still serves WSGI
and any other method. Allowed origins get the CORS headers the API's middleware would give them.
"""

from django.conf import settings
from django.utils import timezone

from core.api.renderers import ORJSONRenderer
from core.serializers import iso_datetime

_RENDERER = ORJSONRenderer()


def liveness_app(fallback):
    """An ASGI app answering GET and HEAD of `/health` itself, everything else through `fallback`."""
    allowed_origins = {origin.encode() for origin in settings.CORS_ALLOWED_ORIGINS}

    async def app(scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await fallback(scope, receive, send)
        body = _RENDERER.render({"status": "ok", "timestamp": iso_datetime(timezone.now())})
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"cache-control", b"no-store"), (b"vary", b"origin")]
        origin = next((value for name, value in scope["headers"] if name == b"origin"), None)
        if origin in allowed_origins:
            headers += [(b"access-control-allow-origin", origin), (b"access-control-allow-credentials", b"true")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    return app
