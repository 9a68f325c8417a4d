"""Unexpected exceptions answer the one error shape, without exception text, logged with a request id."""

import logging

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_unexpected_exception_is_a_500_without_details_and_is_logged_with_a_request_id(api, monkeypatch,
                                                                                       caplog):
    def broken(**kwargs):
        raise RuntimeError("SELECT secret FROM somewhere failed")

    monkeypatch.setattr("activity.api.views.selectors.activity_stats", broken)
    with caplog.at_level(logging.ERROR, logger="agentpod.api"):
        response = api.get("/api/users/me/activity/stats", HTTP_X_REQUEST_ID="req-123")
    assert (response.status_code, response.json()) == (500, {"error": "Internal server error"})
    assert response["X-Request-ID"] == "req-123"
    assert "SELECT secret" not in response.content.decode()
    assert any("req-123" in record.getMessage() and record.exc_info for record in caplog.records)


@pytest.mark.parametrize("path", ["/api/users/me/opencode/files/agent/a%00b", "/api/v2/sandboxes/x%00y",
                                  "/api/users/me/activity/entity/sandbox/a%00"])
def test_a_nul_byte_in_the_path_is_a_404_not_a_500(api, path):
    response = api.get(path)
    assert (response.status_code, response.json()) == (404, {"error": "Not found"})


def test_a_nul_byte_in_a_query_or_body_is_a_400(api):
    assert api.get("/api/users/me/activity?action=a%00b").status_code == 400
    response = api.put("/api/users/me/opencode/agents-md", {"content": "a\x00b"}, content_type="application/json")
    assert response.status_code == 400


# -- requests Django refuses before any view: every answer is JSON (issue 10, items 2, 3 and 9) ----------------

DEEP_JSON = "[" * 1100 + "]" * 1100


@pytest.mark.parametrize("path", ["/api/users/me/preferences", "/api/auth/sign-in/email",
                                  "/_allauth/app/v1/auth/login"])
def test_deeply_nested_json_is_a_400_in_the_error_shape(path):
    # Anonymous: the body is refused before anyone is authenticated.
    response = Client().post(path, DEEP_JSON, content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"error": "Invalid request",
                                                             "details": "JSON nested too deeply"})


def test_json_nested_as_deep_as_real_documents_is_accepted(api):
    nested = {"a": [[[[{"b": "x"}]]]]}
    for _ in range(40):  # about 85 levels: deeper than any real settings document
        nested = {"level": [nested]}
    response = api.put("/api/users/me/opencode/settings", {"settings": nested}, content_type="application/json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", ["/api/auth/sign-in/email", "/api/users/me/opencode/agents-md",
                                  "/_allauth/app/v1/auth/login"])
def test_a_body_over_the_upload_limit_is_a_413(api, path, settings):
    body = '{"email": "' + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + '"}'
    send = api.put if "opencode" in path else api.post
    response = send(path, body, content_type="application/json")
    assert (response.status_code, response.json()) == (413, {"error": "Request body too large"})


def test_a_host_that_is_not_allowed_is_a_json_400():
    response = Client().get("/api/info", HTTP_HOST="evil.example")
    assert (response.status_code, response.json()) == (400, {"error": "Invalid request",
                                                             "details": "Host not allowed"})


def test_an_over_long_path_is_a_json_answer():
    # The admin sends an anonymous visitor to its login page with the path as `next`: a path this long
    # makes that redirect unsafe (DisallowedRedirect), which Django answers with its 400 page.
    response = Client().get("/admin/" + "a" * 20000)
    assert (response.status_code, response.json()) == (400, {"error": "Invalid request"})


def test_a_csrf_failure_is_a_json_403():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "a@example.com",
                                                                          "password": "x"})
    assert (response.status_code, response.json()) == (403, {"error": "Forbidden",
                                                             "details": "CSRF verification failed"})


def test_permission_denied_outside_the_api_is_a_json_403():
    # A staff member without the permission to see users: the admin raises PermissionDenied.
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/admin/accounts/user/")
    assert (response.status_code, response.json()) == (403, {"error": "Forbidden"})
