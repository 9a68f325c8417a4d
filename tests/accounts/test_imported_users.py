"""Users imported from the old SQLite server keep signing in (issue: sign-in, migrated users)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from tests.legacy.conftest import import_sample, manifest, manifest_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_import():
    import_sample("clean")
    return manifest("clean")


def a_user_with_a_password(data):
    return next(u for u in data["users"] if u["password"])


def test_an_imported_user_signs_in_with_allauths_own_login_and_the_hash_is_upgraded(clean_import):
    entry = a_user_with_a_password(clean_import)
    assert User.objects.get(id=entry["id"]).password.startswith("better_auth_scrypt$")
    client = Client()
    response = client.post("/accounts/login/", {"login": entry["email"], "password": entry["password"]})
    assert response.status_code == 302
    assert client.get("/api/resource-tiers").status_code == 200
    user = User.objects.get(id=entry["id"])
    assert not user.password.startswith("better_auth_scrypt$")
    assert user.check_password(entry["password"])


def test_an_imported_user_with_a_wrong_password_is_refused(clean_import):
    entry = a_user_with_a_password(clean_import)
    response = Client().post("/api/auth/sign-in/email", {"email": entry["email"], "password": "not-it-at-all"},
                             content_type="application/json")
    assert response.status_code == 401
    assert User.objects.get(id=entry["id"]).password.startswith("better_auth_scrypt$")


def test_an_imported_unexpired_session_authenticates_raw_and_signed(clean_import, settings, monkeypatch):
    # The sample's sessions are unexpired at the moment it was generated; the clock is set to then.
    moment = manifest_now("clean") + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    settings.BETTER_AUTH_SECRET = clean_import["arguments"]["auth_secret"]
    live = [s for s in clean_import["sessions"] if not s["expired_at_generation_now"]]
    assert live
    session = live[0]
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {session['token']}").get("/api/auth/get-session").json()
    assert bearer["user"]["id"] == session["user_id"]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {session['token']}").get("/api/resource-tiers").status_code == 200
    cookie_client = Client()
    cookie_client.cookies["agentpod.session_token"] = session["signed_cookie_value"]
    assert cookie_client.get("/api/resource-tiers").status_code == 200


def test_the_old_global_default_provider_becomes_the_owners(clean_import):
    from core.models import Setting
    from providers.selectors import default_provider_id
    from tests.legacy.conftest import owner_email

    owner = User.objects.get(email=owner_email("clean"))
    assert default_provider_id(user=owner) == "anthropic"
    assert not Setting.objects.filter(key="default_provider").exists()
