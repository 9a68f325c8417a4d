"""Rate limits of sign-in (DECISIONS 8): the admin's form too, and client addresses behind trusted proxies."""

import pytest
from django.test import Client

from accounts.models import Session
from activity.models import ActivityLog
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_sign_in_is_rate_limited_like_the_api_sign_in():
    staff = UserFactory(email="staff@example.com", is_staff=True)
    client = Client()
    wrong = {"username": staff.email, "password": "wrong-password"}
    assert [client.post("/admin/login/", wrong).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert (limited.status_code, limited.json()) == (429, {
        "error": "Too many requests. Please try again later."})
    assert 1 <= int(limited["Retry-After"]) <= 10
    assert "_auth_user_id" not in client.session
    # Showing the form costs nothing; another address has its own budget.
    assert client.get("/admin/login/").status_code == 200
    other = Client(REMOTE_ADDR="192.0.2.7").post("/admin/login/", {"username": staff.email,
                                                                   "password": DEFAULT_PASSWORD})
    assert other.status_code == 302


def sign_in(remote_addr, **headers):
    # A new client each time: the session cookie of a first sign-in would need an Origin on the next.
    return Client(REMOTE_ADDR=remote_addr).post(
        "/api/auth/sign-in/email", {"email": "someone@example.com", "password": DEFAULT_PASSWORD},
        content_type="application/json", **headers)


def test_with_no_proxy_declared_a_forged_x_forwarded_for_changes_nothing(settings):
    settings.NUM_PROXIES = 0
    UserFactory(email="someone@example.com")
    responses = [sign_in("203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}") for n in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    # The session and the activity log record the address the rate limit counted.
    session = Session.objects.get(token=responses[0].json()["token"])
    assert session.ip_address == "203.0.113.9"
    assert set(ActivityLog.objects.filter(action="auth.login").values_list("ip_address", flat=True)) == {
        "203.0.113.9"}


def test_behind_one_proxy_each_client_has_its_own_budget(settings):
    settings.NUM_PROXIES = 1
    UserFactory(email="someone@example.com")
    first = [sign_in("10.0.0.2", HTTP_X_FORWARDED_FOR=f"{forged}198.51.100.1").status_code
             for forged in ("", "6.6.6.6, ", "7.7.7.7, ", "8.8.8.8, ")]
    assert first == [200, 200, 200, 429]  # what a client writes before the proxy's entry is not trusted
    second = sign_in("10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert second.status_code == 200
    assert Session.objects.get(token=second.json()["token"]).ip_address == "198.51.100.2"
