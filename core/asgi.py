"""The pieces `config/asgi.py` builds the server's ASGI application from.

- `by_view_kind`: a request for an async view goes to Django's ASGI handler, any other to its WSGI handler
  (run whole in one thread of a pool, by a2wsgi): under the ASGI handler a sync view hops between the
  loop and threads at every middleware hook, which measured at about half the API's throughput
  (bench/http_throughput.py).
- `PooledThreadsASGIHandler`: Django's ASGI handler, but the sync code of a request (its middleware
  hooks, the authentication, the queries) runs on one of a few long-lived threads. Django's own starts a
  thread for each request and keeps it until the response ends, so 200 open event streams held 200
  threads (bench/opencode_event_streams.py), and starts and joins two more threads per request.
- `path_router`: exact paths to their own apps (the MCP server, the liveness answer).
"""

import itertools
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, iscoroutinefunction
from django.core.handlers.asgi import ASGIHandler
from django.urls import Resolver404, resolve


class PooledThreadsASGIHandler(ASGIHandler):
    """Each request's sync code on one thread (as Django requires: its database connection is that
    thread's), taken in turn from `threads` single-thread executors that outlive the requests. A request
    may wait behind another's sync call on the same thread; only the async views come here, and their
    sync parts are short."""

    def __init__(self, threads: int):
        super().__init__()
        self._executors = itertools.cycle(
            [ThreadPoolExecutor(max_workers=1, thread_name_prefix="asgi-sync") for _ in range(threads)])

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        async with ThreadSensitiveContext(executor=next(self._executors)):
            await self.handle(scope, receive, send)


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
