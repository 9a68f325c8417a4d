"""Every model is visible in the admin for support work; secrets never are; activity is read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "sk-ant-api03-never-show-this-secret"


@pytest.fixture
def staff_client(client):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def one_of_each():
    credential = factories.ProviderCredentialFactory(api_key=SECRET, access_token=SECRET + "-access")
    message = factories.ChatMessageFactory()
    objects = [
        credential, message, message.session, message.session.sandbox,
        factories.SessionFactory(token="bearer-token-never-shown-1234567"),
        factories.AccountFactory(access_token=SECRET + "-github", password="salt:hash-never-shown"),
        factories.VerificationFactory(value="verification-secret-value"),
        factories.OAuthStateFactory(device_code="device-code-never-shown"),
        factories.LegacyProviderFactory(api_key=SECRET + "-legacy"),
        factories.SettingFactory(), factories.UserOpencodeConfigFactory(), factories.UserOpencodeFileFactory(),
        factories.UserPreferencesFactory(), factories.ActivityLogFactory(), factories.ActivityLogArchiveFactory(),
        factories.KnowledgeDocumentFactory(), factories.OnboardingSessionFactory(), factories.ContainerTierFactory(),
    ]
    return objects


def test_every_model_of_the_project_is_registered():
    project_apps = {"core", "accounts", "containers", "sandboxes", "chat", "providers", "settings_app", "activity",
                    "knowledge", "onboarding", "repos"}
    from django.apps import apps
    models = [m for m in apps.get_models() if m._meta.app_label in project_apps]
    assert len(models) == 23  # the 22 mirrored tables' models, the settings row, the chat sync state
    assert [m for m in models if m not in admin.site._registry] == []


def test_every_changelist_and_change_page_renders_without_secrets(staff_client, one_of_each):
    secrets = [SECRET, "bearer-token-never-shown", "salt:hash-never-shown", "verification-secret-value",
               "device-code-never-shown"]
    for obj in one_of_each:
        meta = obj._meta
        for url in [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
                    reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])]:
            response = staff_client.get(url)
            assert response.status_code == 200, url
            content = response.content.decode()
            assert [s for s in secrets if s in content] == [], url


def test_the_credential_page_says_a_key_is_stored_without_showing_it(staff_client):
    credential = factories.ProviderCredentialFactory(api_key=SECRET)
    content = staff_client.get(reverse("admin:providers_providercredential_change", args=[credential.pk])).content
    assert b"API key stored" in content
    assert SECRET.encode() not in content


def test_activity_log_is_read_only(staff_client):
    entry = factories.ActivityLogFactory()
    assert staff_client.get(reverse("admin:activity_activitylog_add")).status_code == 403
    change = staff_client.get(reverse("admin:activity_activitylog_change", args=[entry.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content
    response = staff_client.post(reverse("admin:activity_activitylog_change", args=[entry.pk]), {"action": "x"})
    assert response.status_code == 403
    assert staff_client.post(reverse("admin:activity_activitylog_delete", args=[entry.pk]),
                             {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "sandbox.create"


def test_no_two_admin_sections_share_a_name(staff_client):
    """allauth has its own "Accounts" section (e-mail addresses); ours says what it holds."""
    sections = {app["app_label"]: app["name"] for app in staff_client.get("/admin/").context["app_list"]}
    assert len(set(sections.values())) == len(sections), sections
    assert sections["accounts"] == "Users and sessions"
