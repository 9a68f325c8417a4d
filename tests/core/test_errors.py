"""Unexpected exceptions answer the one error shape, without exception text, logged with a request id."""

import logging

import pytest

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
