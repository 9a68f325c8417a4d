"""`/api/auth/*` behaves as Better Auth did for the desktop and web clients (reference-responses 5-20)."""

from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone

from accounts import tokens
from accounts.models import Account, Session, User
from activity.models import ActivityLog
from tests.factories import DEFAULT_PASSWORD, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {"error": "Unauthorized", "message": "Valid session or API key required"}
ORIGIN = "http://localhost:1420"


def post(client, path, body, **headers):
    return client.post(path, body, content_type="application/json", **headers)


def sign_up(client=None, email="new.user@example.com", password="ref-password-123", name="New User"):
    return post(client or Client(), "/api/auth/sign-up/email", {"email": email, "password": password, "name": name})


def test_sign_up_returns_token_user_header_and_cookie():
    response = sign_up(email="  New.User@Example.com ")
    assert response.status_code == 200
    body = response.json()
    user = User.objects.get()
    assert body == {"token": body["token"], "user": {
        "id": user.id, "name": "New User", "email": "new.user@example.com", "emailVerified": False, "image": None,
        "createdAt": body["user"]["createdAt"], "updatedAt": body["user"]["updatedAt"]}}
    assert len(body["token"]) == 32 and body["token"].isalnum()
    assert unquote(response["set-auth-token"]).startswith(body["token"] + ".")
    cookie = response.cookies["agentpod.session_token"]
    assert cookie.value == response["set-auth-token"]
    assert (cookie["max-age"], cookie["httponly"], cookie["samesite"], cookie["path"]) == (604800, True, "Lax", "/")
    session = Session.objects.get(token=body["token"])
    assert session.user == user
    assert timedelta(days=6, hours=23) < session.expires_at - timezone.now() <= timedelta(days=7)
    assert Account.objects.filter(user=user, provider_id="credential", account_id=user.id).exists()
    assert user.check_password("ref-password-123")


@pytest.mark.parametrize("email, password, status, code", [
    ("not-an-email", "ref-password-123", 400, "INVALID_EMAIL"),
    ("short@example.com", "short", 400, "PASSWORD_TOO_SHORT"),
    ("long@example.com", "x" * 129, 400, "PASSWORD_TOO_LONG"),
])
def test_sign_up_validation_errors_use_better_auth_codes(email, password, status, code):
    response = sign_up(email=email, password=password)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message"}
    assert not User.objects.exists()


def test_sign_up_twice_with_the_same_email_is_422():
    sign_up()
    response = sign_up(email="NEW.user@example.com")
    assert response.status_code == 422
    assert response.json() == {"code": "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
                               "message": "User already exists. Use another email."}
    assert User.objects.count() == 1


def test_sign_in_with_the_right_password_issues_a_new_session():
    user = UserFactory(email="someone@example.com")
    response = post(Client(), "/api/auth/sign-in/email", {"email": "Someone@example.com", "password": DEFAULT_PASSWORD},
                    HTTP_USER_AGENT="AgentPod-Desktop/1.0")
    assert response.status_code == 200
    body = response.json()
    assert body["redirect"] is False
    assert body["user"]["id"] == user.id
    session = Session.objects.get(token=body["token"])
    assert (session.user_id, session.user_agent, session.ip_address) == (user.id, "AgentPod-Desktop/1.0", "127.0.0.1")
    assert ActivityLog.objects.filter(action="auth.login", user=user).count() == 1


def test_sign_in_with_a_wrong_password_is_401_with_the_better_auth_code():
    UserFactory(email="someone@example.com")
    response = post(Client(), "/api/auth/sign-in/email", {"email": "someone@example.com", "password": "wrong-pass"})
    assert response.status_code == 401
    assert response.json() == {"code": "INVALID_EMAIL_OR_PASSWORD", "message": "Invalid email or password"}
    assert not Session.objects.exists()


def test_the_token_the_set_auth_token_header_and_the_cookie_all_authenticate_the_api():
    body = sign_up().json()
    token = body["token"]
    for credentials in [{"HTTP_AUTHORIZATION": f"Bearer {token}"},
                        {"HTTP_AUTHORIZATION": f"Bearer {tokens.signed_value(token)}"}]:
        response = Client(**credentials).get("/api/resource-tiers")
        assert response.status_code == 200, credentials
    cookie_client = Client()
    cookie_client.cookies["agentpod.session_token"] = tokens.signed_value(token)
    assert cookie_client.get("/api/resource-tiers").status_code == 200


def test_a_raw_token_in_the_cookie_is_refused():
    token = sign_up().json()["token"]
    client = Client()
    client.cookies["agentpod.session_token"] = token
    response = client.get("/api/resource-tiers")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_get_session_answers_the_session_and_user_or_null():
    token = sign_up().json()["token"]
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/auth/get-session")
    body = response.json()
    assert body["session"]["token"] == token
    assert body["user"]["email"] == "new.user@example.com"
    assert set(body["session"]) == {"id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress",
                                    "userAgent"}
    assert Client().get("/api/auth/get-session").json() is None


def test_sign_out_revokes_the_token_and_clears_the_cookie():
    user = UserFactory()
    session = SessionFactory(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {session.token}")
    assert client.get("/api/resource-tiers").status_code == 200
    response = post(client, "/api/auth/sign-out", {})
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert response.cookies["agentpod.session_token"].value == ""
    assert not Session.objects.filter(pk=session.pk).exists()
    assert client.get("/api/resource-tiers").status_code == 401
    assert ActivityLog.objects.filter(action="auth.logout", user=user).count() == 1


def test_an_expired_token_is_refused():
    session = SessionFactory(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client(HTTP_AUTHORIZATION=f"Bearer {session.token}").get("/api/resource-tiers")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_a_tampered_signed_token_is_refused():
    session = SessionFactory()
    signed = unquote(tokens.signed_value(session.token))
    token, signature = signed.rsplit(".", 1)
    tampered_signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    for value in [f"{token}.{tampered_signature}", f"{token[:-1]}X.{signature}"]:
        response = Client(HTTP_AUTHORIZATION=f"Bearer {value}").get("/api/resource-tiers")
        assert response.status_code == 401, value


def test_a_token_signed_with_the_old_servers_secret_stays_valid(settings):
    settings.BETTER_AUTH_SECRET = "the-old-better-auth-secret-0123456789"
    session = SessionFactory(token="QJtOJbaNVkT9iXvjUH84WVzc8nwGwgFS")
    # Signed as better-call does: base64(HMAC-SHA256(secret, token)), URL-encoded.
    import base64
    import hashlib
    import hmac
    signature = base64.b64encode(hmac.new(settings.BETTER_AUTH_SECRET.encode(), session.token.encode(),
                                          hashlib.sha256).digest()).decode()
    client = Client()
    client.cookies["agentpod.session_token"] = f"{session.token}.{signature}"
    assert client.get("/api/resource-tiers").status_code == 200


def test_a_session_is_refreshed_at_most_once_a_day():
    session = SessionFactory(expires_at=timezone.now() + timedelta(days=5))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {session.token}")
    client.get("/api/resource-tiers")
    session.refresh_from_db()
    assert session.expires_at > timezone.now() + timedelta(days=6, hours=23)
    fresh = SessionFactory(expires_at=timezone.now() + timedelta(days=6, hours=12))
    before = fresh.expires_at
    Client(HTTP_AUTHORIZATION=f"Bearer {fresh.token}").get("/api/resource-tiers")
    fresh.refresh_from_db()
    assert fresh.expires_at == before


def test_an_authenticated_request_costs_one_indexed_query(django_assert_num_queries):
    session = SessionFactory()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {session.token}")
    with django_assert_num_queries(2):  # the session with its user, then the tiers themselves
        assert client.get("/api/resource-tiers").status_code == 200


def test_cookie_writes_need_a_trusted_origin():
    token = sign_up().json()["token"]
    client = Client()
    client.cookies["agentpod.session_token"] = tokens.signed_value(token)
    missing = post(client, "/api/auth/sign-out", {})
    assert missing.status_code == 403
    assert missing.json() == {"code": "MISSING_OR_NULL_ORIGIN", "message": "Missing or null Origin"}
    evil = post(client, "/api/auth/sign-out", {}, HTTP_ORIGIN="http://evil.example")
    assert evil.json() == {"code": "INVALID_ORIGIN", "message": "Invalid origin"}
    assert post(client, "/api/auth/sign-out", {}, HTTP_ORIGIN=ORIGIN).status_code == 200


def test_ok_answers_ok():
    assert Client().get("/api/auth/ok").json() == {"ok": True}


def test_sign_in_is_rate_limited_per_ip_and_path_with_retry_after():
    UserFactory(email="someone@example.com")
    client = Client()
    statuses = [post(client, "/api/auth/sign-in/email", {"email": "someone@example.com", "password": "bad-pass1"}
                     ).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    limited = post(client, "/api/auth/sign-in/email", {"email": "someone@example.com", "password": DEFAULT_PASSWORD})
    assert limited.status_code == 429
    assert limited.json() == {"message": "Too many requests. Please try again later."}
    assert 1 <= int(limited["Retry-After"]) <= 10
    # Another path has its own budget.
    assert sign_up(client).status_code == 200
