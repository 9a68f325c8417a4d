"""How `/api/*` authenticates: every credential kind, the service token's limits, CORS, error shapes."""

import pytest
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {"error": "Unauthorized", "message": "Valid session or API key required"}


@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Bearer wrong-token"},
                                     {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
                                     {"HTTP_X_API_KEY": "anything"}])
def test_unauthenticated_api_requests_get_the_contract_401(headers):
    response = Client(**headers).get("/api/resource-tiers")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_django_session_of_a_browser_authenticates(client):
    client.force_login(UserFactory())
    assert client.get("/api/resource-tiers").status_code == 200


def test_allauth_login_page_and_x_session_token_of_the_headless_app_api():
    user = UserFactory(email="app.user@example.com")
    assert Client().get("/accounts/login/").status_code == 200
    login = Client().post("/_allauth/app/v1/auth/login", {"email": "app.user@example.com",
                                                          "password": DEFAULT_PASSWORD},
                          content_type="application/json")
    assert login.status_code == 200, login.content
    token = login.json()["meta"]["session_token"]
    response = Client(HTTP_X_SESSION_TOKEN=token).get("/api/resource-tiers")
    assert response.status_code == 200
    assert login.json()["data"]["user"]["email"] == user.email


def test_allauth_browser_login_form_signs_in():
    UserFactory(email="browser.user@example.com")
    client = Client()
    response = client.post("/accounts/login/", {"login": "browser.user@example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/resource-tiers").status_code == 200


def test_no_service_token_exists_unless_configured(settings):
    settings.API_TOKEN = ""
    for value in ["", "dev-token-change-in-production"]:
        response = Client(HTTP_AUTHORIZATION=f"Bearer {value}").get("/api/resource-tiers")
        assert response.status_code == 401


def test_the_service_token_reads_reference_data(service_api):
    assert service_api.get("/api/resource-tiers").status_code == 200
    assert service_api.get("/api/flavors/default").status_code == 200


def test_the_service_token_is_refused_on_user_endpoints(service_api):
    response = service_api.get("/api/auth/get-session")
    assert response.json() is None  # it is not a Better Auth session
    response = service_api.get("/api/users/me/preferences")
    assert (response.status_code, response.json()) == (403, {"error": "Forbidden"})


def test_a_token_that_is_almost_the_service_token_is_refused(service_api, settings):
    response = Client(HTTP_AUTHORIZATION=f"Bearer {settings.API_TOKEN[:-1]}x").get("/api/resource-tiers")
    assert response.status_code == 401


@pytest.mark.parametrize("origin, allowed", [
    ("http://localhost:1420", True), ("http://localhost:5173", True), ("tauri://localhost", True),
    ("http://localhost:3001", True), ("http://evil.example", False),
])
def test_cors_answers_only_configured_origins(origin, allowed):
    preflight = Client().options("/api/users/me/preferences", HTTP_ORIGIN=origin,
                                 HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
                                 HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type")
    assert preflight.status_code == 200
    if allowed:
        assert preflight["Access-Control-Allow-Origin"] == origin
        assert preflight["Access-Control-Allow-Credentials"] == "true"
        assert "PATCH" in preflight["Access-Control-Allow-Methods"]
        assert "authorization" in preflight["Access-Control-Allow-Headers"]
    else:
        assert "Access-Control-Allow-Origin" not in preflight
    simple = Client(HTTP_AUTHORIZATION=f"Bearer {SessionFactory().token}").get("/api/resource-tiers",
                                                                               HTTP_ORIGIN=origin)
    assert ("Access-Control-Allow-Origin" in simple) is allowed


def test_unknown_paths_and_wrong_methods_answer_json(api):
    assert api.get("/api/nope").json() == {"error": "Not found"}
    assert api.get("/api/nope").status_code == 404
    assert api.get("/api/flavors/").status_code == 404  # no trailing slash, no redirect
    response = api.delete("/api/resource-tiers")
    assert (response.status_code, response.json()) == (405, {"error": "Method not allowed"})
