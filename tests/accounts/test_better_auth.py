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
    tampered_token = token[:-1] + ("X" if token[-1] != "X" else "Y")
    for value in [f"{token}.{tampered_signature}", f"{tampered_token}.{signature}"]:
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


# -- every credential, the same everywhere (issue 10, items 1, 10, 11, 12) ------------------------------

def allauth_app_token(email="app.user@example.com") -> str:
    UserFactory(email=email)
    login = post(Client(), "/_allauth/app/v1/auth/login", {"email": email, "password": DEFAULT_PASSWORD})
    return login.json()["meta"]["session_token"]


def test_sign_out_ends_the_django_session_of_the_sessionid_cookie():
    user = UserFactory()
    browser = Client()
    browser.force_login(user)  # as allauth's sign-in form, GitHub or the admin leave it
    sessionid = browser.cookies["sessionid"].value
    assert browser.get("/api/account").status_code == 200
    response = post(browser, "/api/auth/sign-out", {}, HTTP_ORIGIN=ORIGIN)
    assert (response.status_code, response.json()) == (200, {"success": True})
    replay = Client()  # the cookie as it was before sign-out, kept by someone
    replay.cookies["sessionid"] = sessionid
    assert replay.get("/api/account").status_code == 401
    assert ActivityLog.objects.filter(action="auth.logout", user=user).count() == 1


def test_sign_out_ends_every_credential_a_browser_holds():
    # After a GitHub sign-in the browser holds the Better Auth cookie and the Django session together.
    user = UserFactory()
    session = SessionFactory(user=user)
    browser = Client()
    browser.force_login(user)
    browser.cookies["agentpod.session_token"] = tokens.signed_value(session.token)
    held = {name: browser.cookies[name].value for name in ("sessionid", "agentpod.session_token")}
    assert post(browser, "/api/auth/sign-out", {}, HTTP_ORIGIN=ORIGIN).status_code == 200
    for name, value in held.items():
        replay = Client()
        replay.cookies[name] = value
        assert replay.get("/api/account").status_code == 401, name
    assert not Session.objects.filter(pk=session.pk).exists()
    assert ActivityLog.objects.filter(action="auth.logout", user=user).count() == 1


def test_sign_out_ends_the_allauth_app_session_of_an_x_session_token():
    app = Client(HTTP_X_SESSION_TOKEN=allauth_app_token())
    assert app.get("/api/account").status_code == 200
    assert post(app, "/api/auth/sign-out", {}).json() == {"success": True}
    assert app.get("/api/account").status_code == 401


@pytest.mark.parametrize("callback", [
    "/\\evil.example/", "//evil.example/", "/\t/evil.example", "\\\\evil.example", "https://evil.example/x",
    "javascript:alert(1)", "http://localhost:1420@evil.example/", "http://localhost:1420\\@evil.example"])
def test_a_callback_url_that_leaves_the_site_is_refused(callback):
    UserFactory(email="someone@example.com")
    response = post(Client(), "/api/auth/sign-in/email",
                    {"email": "someone@example.com", "password": DEFAULT_PASSWORD, "callbackURL": callback})
    assert (response.status_code, response.json()) == (403, {"code": "INVALID_CALLBACKURL",
                                                             "message": "Invalid callbackURL"})
    assert not Session.objects.exists()


@pytest.mark.parametrize("callback", ["/", "/dashboard?tab=1#top", "http://localhost:1420/auth/done",
                                      "tauri://localhost/done"])
def test_a_same_site_path_or_a_configured_origin_is_a_callback(callback):
    UserFactory(email="someone@example.com")
    response = post(Client(), "/api/auth/sign-in/email",
                    {"email": "someone@example.com", "password": DEFAULT_PASSWORD, "callbackURL": callback})
    assert response.status_code == 200
    assert (response.json()["redirect"], response.json()["url"]) == (True, callback)


def test_list_sessions_names_sessions_without_their_tokens():
    user = UserFactory()
    mine = SessionFactory(user=user, user_agent="AgentPod-Desktop/1.0", ip_address="198.51.100.1")
    other = SessionFactory(user=user, user_agent="Firefox", ip_address="198.51.100.2")
    SessionFactory()  # another user's
    response = Client(HTTP_AUTHORIZATION=f"Bearer {mine.token}").get("/api/auth/list-sessions")
    assert response.status_code == 200
    body = response.json()
    assert [(s["id"], s["userAgent"], s["ipAddress"]) for s in body] == [
        (mine.id, "AgentPod-Desktop/1.0", "198.51.100.1"), (other.id, "Firefox", "198.51.100.2")]
    assert all(set(s) == {"id", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent"}
               for s in body)
    assert mine.token not in response.content.decode() and other.token not in response.content.decode()


def test_get_session_accepts_the_django_session_that_the_api_accepts():
    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    assert browser.get("/api/account").status_code == 200
    body = browser.get("/api/auth/get-session").json()
    assert body is not None
    assert body["user"] == {**body["user"], "id": user.id, "email": user.email}
    session = body["session"]
    assert (session["userId"], session["token"]) == (user.id, None)  # a session key is never echoed
    assert browser.cookies["sessionid"].value not in str(body)
    assert session["expiresAt"].endswith("Z")


def test_get_session_accepts_an_allauth_app_x_session_token():
    token = allauth_app_token()
    body = Client(HTTP_X_SESSION_TOKEN=token).get("/api/auth/get-session").json()
    assert body["user"]["email"] == "app.user@example.com"
    assert token not in str(body)
