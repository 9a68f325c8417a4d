"""The ASGI entry's router (config/asgi.py): async views on Django's ASGI handler, everything else on its WSGI
handler in a thread, and the whole API reachable either way."""

import asyncio
import threading

import httpx
import pytest

from core.asgi import by_view_kind
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
