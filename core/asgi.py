"""The pieces `config/asgi.py` builds the server's ASGI application from.

- `by_view_kind`: a request for an async view goes to Django's ASGI handler, any other to its WSGI handler
  (run whole in one thread of a pool, `WSGIOnThreads`): under the ASGI handler a sync view hops between the
  loop and threads at every middleware hook, which measured at about half the API's throughput
  (bench/http_throughput.py).
- `PooledThreadsASGIHandler`: Django's ASGI handler, but the sync code of a request (its middleware
  hooks, the authentication, the queries) runs on one of a few long-lived threads. Django's own starts a
  thread for each request and keeps it until the response ends, so 200 open event streams held 200
  threads (bench/opencode_event_streams.py), and starts and joins two more threads per request.
- `WSGIOnThreads`: the WSGI handler under ASGI, a request served whole on one thread of a pool, its answer
  handed to the event loop at once.
- `path_router`: exact paths to their own apps (the MCP server, the liveness answer).
"""

import asyncio
import contextvars
import functools
import itertools
from concurrent.futures import ThreadPoolExecutor

from a2wsgi.wsgi import Body, build_environ
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


class WSGIOnThreads:
    """A WSGI application under ASGI: each request runs on one thread of a pool, from the call of the
    application to the close of its answer (Django's request_finished, on the thread whose database
    connection served the request).

    An answer of up to `whole_bytes` is collected on that thread and handed to the event loop once, as the
    thread's result. a2wsgi's own responder hands over the start, each chunk and the end one at a time,
    each a round trip between the thread and the loop, which measured at 0.85 ms of CPU a proxied request
    (bench/opencode_proxy_overhead.py). A longer answer (a file, a stream) goes out a chunk at a time from
    the thread, as a2wsgi sends it. The request body is a2wsgi's: read from the loop as the view reads it.
    """

    def __init__(self, app, *, threads: int, whole_bytes: int = 256 << 10):
        self.app = app
        self.whole_bytes = whole_bytes
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="WSGI")

    async def __call__(self, scope, receive, send):
        loop = asyncio.get_running_loop()
        environ = build_environ(scope, Body(loop, receive))
        context = contextvars.copy_context()
        answer = await loop.run_in_executor(self.executor, context.run, self._serve, environ, loop, send)
        if answer is not None:
            start, body = answer
            await send(start)
            await send({"type": "http.response.body", "body": body})

    def _serve(self, environ, loop, send):
        """On the pool's thread: the whole answer as (start, body), or None once it has been sent."""
        start = {}

        def start_response(status, headers, exc_info=None):
            if exc_info and start.get("sent"):
                raise exc_info[1].with_traceback(exc_info[2])
            # Stripped: Django writes a cookie's header as " name=value", which h11 refuses.
            start["message"] = {"type": "http.response.start", "status": int(status.split(" ", 1)[0]),
                                "headers": [(name.strip().lower().encode("latin1"), value.strip().encode("latin1"))
                                            for name, value in headers]}

        def send_now(message):
            asyncio.run_coroutine_threadsafe(send(message), loop).result()

        iterable = self.app(environ, start_response)
        try:
            chunks, size = [], 0
            iterator = iter(iterable)
            for chunk in iterator:
                chunks.append(chunk)
                size += len(chunk)
                if size > self.whole_bytes:
                    start["sent"] = True
                    send_now(start["message"])
                    for chunk in itertools.chain([b"".join(chunks)], iterator):
                        send_now({"type": "http.response.body", "body": chunk, "more_body": True})
                    send_now({"type": "http.response.body", "body": b""})
                    return None
            return start["message"], b"".join(chunks)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()


@functools.lru_cache(maxsize=4096)
def _is_async_view(path: str) -> bool:
    # Cached by path: resolving runs on the event loop, before every request (a client repeats its
    # paths: a sandbox's, a session's), and the URLconf does not change while the process runs.
    try:
        return iscoroutinefunction(resolve(path).func)
    except Resolver404:
        return False


def by_view_kind(asgi_app, wsgi_app):
    """An ASGI app sending a request to `asgi_app` when its URL resolves to an async view, else to
    `wsgi_app` (unknown paths included: Django answers their 404 either way)."""

    async def app(scope, receive, send):
        return await (asgi_app if _is_async_view(scope["path"]) else wsgi_app)(scope, receive, send)

    return app


def path_router(routes: dict, default, lifespan):
    """An ASGI app: each exact path of `routes` to its app, lifespan to `lifespan`, the rest to `default`."""

    async def router(scope, receive, send):
        if scope["type"] == "lifespan":
            return await lifespan(scope, receive, send)
        return await routes.get(scope.get("path"), default)(scope, receive, send)

    return router
