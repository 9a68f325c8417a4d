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
