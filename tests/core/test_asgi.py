"""The ASGI entry's router (config/asgi.py): async views on Django's ASGI handler, everything else on its WSGI
handler in a thread (`WSGIOnThreads`), and the whole API reachable either way."""

import asyncio
import threading

import httpx
import pytest

from core.asgi import WSGIOnThreads, by_view_kind
from accounts.authentication import BearerSessionAuthentication
from core.api.renderers import ORJSONRenderer
from tests.factories import SessionFactory


def route_of(path: str) -> str:
    chosen = []

    def recorder(name):
        async def app(scope, receive, send):
            chosen.append(name)
        return app

    asyncio.run(by_view_kind(recorder("asgi"), recorder("wsgi"))({"type": "http", "path": path}, None, None))
    return chosen[0]


@pytest.mark.parametrize("path", ["/api/v2/sandboxes/sbx-1/opencode/session/ses-1/message",
                                  "/api/v2/sandboxes/sbx-1/opencode/event"])
def test_the_opencode_proxys_async_views_go_to_the_asgi_handler(path):
    assert route_of(path) == "asgi"


@pytest.mark.parametrize("path", ["/api/resource-tiers", "/api/users/me/preferences",
                                  "/api/v2/sandboxes/sbx-1/opencode/session",
                                  "/api/v2/sandboxes/sbx-1/chat/sessions", "/api/no-such-path", "/admin/"])
def test_sync_views_and_unknown_paths_go_to_the_wsgi_handler(path):
    assert route_of(path) == "wsgi"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sync_view_is_served_whole_on_a_wsgi_thread(asgi_server, monkeypatch):
    """The view runs on one of the WSGI pool's threads, not on the event loop's or asgiref's."""
    threads = []
    render = ORJSONRenderer.render

    def recording_render(self, *args, **kwargs):
        threads.append(threading.current_thread().name)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(ORJSONRenderer, "render", recording_render)
    session = SessionFactory()
    response = httpx.get(f"{asgi_server}/api/users/me/preferences",
                         headers={"Authorization": f"Bearer {session.token}"})
    assert response.status_code == 200
    assert threads and all(name.startswith("WSGI") for name in threads)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sync_parts_of_async_views_run_on_a_few_long_lived_threads(asgi_server, monkeypatch, settings):
    """Django's own handler would start (and join) a thread for each request and hold it while the
    response lasts; here the authentication of every request runs on one of ASGI_SYNC_THREADS threads."""
    threads = []
    authenticate = BearerSessionAuthentication.authenticate

    def recording_authenticate(self, request):
        threads.append(threading.current_thread())
        return authenticate(self, request)

    monkeypatch.setattr(BearerSessionAuthentication, "authenticate", recording_authenticate)
    session = SessionFactory()
    for _ in range(12):
        response = httpx.get(f"{asgi_server}/api/v2/sandboxes/sbx-missing/opencode/session/ses-1/message",
                             headers={"Authorization": f"Bearer {session.token}"})
        assert (response.status_code, response.json()) == (404, {"error": "Sandbox not found"})
    assert len(threads) == 12
    assert all(thread.name.startswith("asgi-sync") for thread in threads)
    assert len(set(threads)) <= settings.ASGI_SYNC_THREADS


def serve_wsgi(wsgi_app, *, body_parts=(b"",), whole_bytes=1024, method="GET"):
    """The ASGI messages `WSGIOnThreads` sends for one request whose body arrives in `body_parts`."""
    sent = []
    incoming = [{"type": "http.request", "body": part, "more_body": n < len(body_parts) - 1}
                for n, part in enumerate(body_parts)]

    async def receive():
        return incoming.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": "/x", "query_string": b"", "http_version": "1.1",
             "headers": [(b"content-length", str(sum(map(len, body_parts))).encode())]}
    asyncio.run(WSGIOnThreads(wsgi_app, threads=2, whole_bytes=whole_bytes)(scope, receive, send))
    return sent


class RecordingApp:
    """A WSGI app answering `chunks`, recording the threads it ran and was closed on."""

    def __init__(self, chunks):
        self.chunks, self.threads, self.body = chunks, [], None

    def __call__(self, environ, start_response):
        self.threads.append(threading.current_thread().name)
        self.body = environ["wsgi.input"].read()
        start_response("201 Created", [("Content-Type", "text/plain"), ("Set-Cookie", " a=b; Path=/")])
        app = self

        class Answer:
            def __iter__(self):
                for chunk in app.chunks:
                    app.threads.append(threading.current_thread().name)
                    yield chunk

            def close(self):
                app.threads.append(threading.current_thread().name)

        return Answer()


def test_a_short_answer_is_handed_to_the_loop_whole_once():
    app = RecordingApp([b"ab", b"cd"])
    sent = serve_wsgi(app)
    assert sent == [{"type": "http.response.start", "status": 201,
                     "headers": [(b"content-type", b"text/plain"), (b"set-cookie", b"a=b; Path=/")]},
                    {"type": "http.response.body", "body": b"abcd"}]
    # Called, iterated and closed on one thread of the pool, none of it on the event loop's.
    assert len(set(app.threads)) == 1 and app.threads[0].startswith("WSGI")


def test_a_long_answer_goes_out_a_chunk_at_a_time_from_the_thread_that_closes_it():
    chunks = [b"x" * 600, b"y" * 600, b"z" * 10]
    app = RecordingApp(chunks)
    sent = serve_wsgi(app, whole_bytes=1000)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 201
    bodies = sent[1:]
    assert b"".join(m["body"] for m in bodies) == b"".join(chunks)
    assert [m.get("more_body", False) for m in bodies] == [True] * (len(bodies) - 1) + [False]
    assert len(bodies) > 2  # not collected whole
    assert len(set(app.threads)) == 1


def test_the_request_body_is_read_across_its_asgi_messages():
    app = RecordingApp([b"ok"])
    sent = serve_wsgi(app, body_parts=(b'{"a": ', b"1}"), method="POST")
    assert app.body == b'{"a": 1}'
    assert sent[-1] == {"type": "http.response.body", "body": b"ok"}
