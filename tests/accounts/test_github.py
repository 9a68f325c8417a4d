"""GitHub sign-in through allauth, with GitHub's HTTP endpoints mocked at the HTTP layer."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.test import Client

from accounts import tokens
from accounts.models import Account, Session, User
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

CALLBACK = "http://localhost:1420/auth/done"


@pytest.fixture(autouse=True)
def github_app(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"github": {
        "SCOPE": ["read:user", "user:email"],
        "APPS": [{"client_id": "test-client-id", "secret": "test-client-secret", "key": ""}],
    }}


def mock_github(*, uid: int, login: str, name: str | None, email: str):
    responses.add(responses.POST, "https://github.com/login/oauth/access_token",
                  json={"access_token": "gho_testtoken123", "token_type": "bearer", "scope": "read:user,user:email"})
    responses.add(responses.GET, "https://api.github.com/user", json={
        "id": uid, "login": login, "name": name, "email": None,
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4"})
    responses.add(responses.GET, "https://api.github.com/user/emails", json=[
        {"email": email, "primary": True, "verified": True}])


def github_sign_in(client: Client) -> str:
    """The browser's journey: /api/auth/sign-in/social → allauth → GitHub (mocked) → back, signed in."""
    start = client.post("/api/auth/sign-in/social", {"provider": "github", "callbackURL": CALLBACK},
                        content_type="application/json")
    assert start.status_code == 200 and start.json()["redirect"] is True
    to_allauth = client.get(start.json()["url"])
    to_github = client.get(to_allauth["Location"])
    assert to_github["Location"].startswith("https://github.com/login/oauth/authorize")
    state = parse_qs(urlsplit(to_github["Location"]).query)["state"][0]
    back = client.get("/accounts/github/login/callback/", {"code": "test-code", "state": state})
    assert back.status_code == 302, back.content
    done = client.get(back["Location"])
    assert done.status_code == 302 and done["Location"] == CALLBACK
    return done.cookies["agentpod.session_token"].value


@responses.activate
def test_a_new_github_user_is_created_as_better_auth_did():
    mock_github(uid=4242, login="octo", name="Octo Cat", email="Octo@Example.com")
    cookie = github_sign_in(Client())
    user = User.objects.get()
    assert (user.email, user.name, user.image, user.email_verified) == (
        "octo@example.com", "Octo Cat", "https://avatars.githubusercontent.com/u/4242?v=4", True)
    account = Account.objects.get(provider_id="github")
    assert (account.user_id, account.account_id, account.access_token) == (user.id, "4242", "gho_testtoken123")
    assert Session.objects.filter(user=user, token=tokens.unsign(cookie)).exists()


@responses.activate
def test_a_github_user_without_a_name_gets_the_login():
    mock_github(uid=7, login="nameless", name=None, email="nameless@example.com")
    github_sign_in(Client())
    assert User.objects.get().name == "nameless"


@responses.activate
def test_github_sign_in_with_an_existing_email_lands_on_that_user():
    existing = UserFactory(email="dev@example.com")
    mock_github(uid=99, login="dev", name="Dev", email="dev@example.com")
    github_sign_in(Client())
    assert User.objects.count() == 1
    assert Account.objects.get(provider_id="github").user == existing


@responses.activate
def test_a_github_account_imported_from_the_old_system_keeps_its_user():
    # The GitHub e-mail differs from the user's: only the imported account row links them.
    imported = UserFactory(email="legacy.user@example.com")
    AccountFactory(user=imported, provider_id="github", account_id="31337", access_token="gho_old")
    mock_github(uid=31337, login="legacy", name="Legacy", email="another.address@example.com")
    github_sign_in(Client())
    assert User.objects.count() == 1
    assert list(Account.objects.filter(provider_id="github").values_list("user_id", "account_id")) == [
        (imported.id, "31337")]


def test_an_unknown_social_provider_is_404():
    response = Client().post("/api/auth/sign-in/social", {"provider": "myspace"}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"code": "PROVIDER_NOT_FOUND", "message": "Provider not found"}


def test_an_untrusted_callback_url_is_refused():
    response = Client().post("/api/auth/sign-in/social", {"provider": "github", "callbackURL": "https://evil.example/x"},
                             content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "INVALID_CALLBACKURL"


def test_github_sign_in_without_a_configured_app_says_so_in_json(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"github": {"SCOPE": ["read:user", "user:email"]}}
    response = Client().get("/accounts/github/login/")
    assert (response.status_code, response.json()) == (404, {
        "error": "GitHub sign-in is not configured",
        "details": "The server has no GitHub OAuth app (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET)"})
    start = Client().post("/api/auth/sign-in/social", {"provider": "github", "callbackURL": CALLBACK},
                          content_type="application/json")
    assert (start.status_code, start.json()) == (404, {"code": "PROVIDER_NOT_FOUND",
                                                       "message": "Provider not found"})
