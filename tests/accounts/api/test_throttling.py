"""Rate limits of the sign-in forms outside `/api/auth/*` (DECISIONS 8, issue 10 item 8)."""

import pytest
from django.test import Client

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
