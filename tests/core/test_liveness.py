"""`/health` answered by the ASGI app itself (core/liveness.py), as the Django view answers it."""

import asyncio
from datetime import datetime

import httpx
import pytest

from config.asgi import build_application


def call(method: str, path: str, **headers) -> httpx.Response:
    async def run():
        transport = httpx.ASGITransport(app=build_application())
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.request(method, path, headers=headers)

    return asyncio.run(run())


def test_health_is_the_contracts_body_without_the_django_stack():
    response = call("GET", "/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "timestamp"} and body["status"] == "ok"
    assert datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
    assert "access-control-allow-origin" not in response.headers
    assert call("HEAD", "/health").content == b""


def test_an_allowed_origin_gets_the_cors_headers_and_another_none(settings):
    allowed = settings.CORS_ALLOWED_ORIGINS[0]
    response = call("GET", "/health", origin=allowed)
    assert (response.headers["access-control-allow-origin"], response.headers["access-control-allow-credentials"]) == (
        allowed, "true")
    assert "access-control-allow-origin" not in call("GET", "/health", origin="https://evil.example").headers


@pytest.mark.django_db
def test_other_methods_still_reach_django():
    response = call("POST", "/health")
    assert (response.status_code, response.json()) == (405, {"error": "Method not allowed"})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sign_in_through_the_asgi_entry_sets_its_cookie(asgi_server):
    """The sync views run through Django's WSGI handler inside the ASGI app: its responses, cookies
    included, must be valid HTTP for an ASGI server."""
    email, password = "asgi-cookie@example.com", "asgi-cookie-password-1"
    signed_up = httpx.post(f"{asgi_server}/api/auth/sign-up/email", timeout=10,
                           json={"email": email, "password": password, "name": "Cookie"})
    assert signed_up.status_code == 200, signed_up.text
    assert "agentpod.session_token" in signed_up.headers["set-cookie"]
    token = signed_up.json()["token"]
    account = httpx.get(f"{asgi_server}/api/account", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert account.status_code == 200 and account.json()["user"]["email"] == email
