"""`/api/account`: account page, deletion that leaves nothing but anonymised activity, data export."""

import json

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from activity.models import ActivityLog
from chat.models import ChatMessage, ChatSession
from core.serializers import iso_datetime
from repos.services import repository_init
from sandboxes.models import Sandbox
from sandboxes.services import sandbox_delete
from tests.conftest import bearer_client
from tests.factories import (
    AccountFactory,
    ActivityLogFactory,
    ChatMessageFactory,
    ChatSessionFactory,
    OAuthStateFactory,
    OnboardingSessionFactory,
    ProviderCredentialFactory,
    SandboxFactory,
    SessionFactory,
    UserOpencodeConfigFactory,
    UserOpencodeFileFactory,
    UserPreferencesFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "sk-ant-api03-account-export-secret"


def delete(client, body):
    return client.delete("/api/account", json.dumps(body), content_type="application/json")


def everything_of(user):
    sandbox = SandboxFactory(user=user)
    ChatMessageFactory(session=ChatSessionFactory(sandbox=sandbox))
    UserPreferencesFactory(user=user)
    UserOpencodeConfigFactory(user=user, agents_md="# mine")
    UserOpencodeFileFactory(user=user)
    ProviderCredentialFactory(user=user, api_key=SECRET)
    OAuthStateFactory(user=user)
    OnboardingSessionFactory(user=user, sandbox=sandbox)
    AccountFactory(user=user)
    ActivityLogFactory(user=user, ip_address="10.1.1.1", user_agent="ua", metadata={"email": user.email, "k": 1})
    return sandbox


def rows_mentioning(user_id: str) -> dict[str, int]:
    """Every table with a column holding this user's id, and how many rows still hold it."""
    found = {}
    with connection.cursor() as cursor:
        cursor.execute("""SELECT table_name, column_name FROM information_schema.columns
                          WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')""")
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" = %s', [user_id])
            count = cursor.fetchone()[0]
            if count:
                found[f"{table}.{column}"] = count
    return found


def test_account_info_counts_sandboxes_and_chat_sessions(api, user):
    sandbox = SandboxFactory(user=user)
    ChatSessionFactory(sandbox=sandbox, status="archived")
    ChatSessionFactory(sandbox=sandbox)
    SandboxFactory()
    assert api.get("/api/account").json() == {
        "user": {"id": user.id, "email": user.email, "name": user.name},
        "stats": {"sandboxCount": 1, "chatSessionCount": 2}}


@pytest.mark.parametrize("body", [{}, {"confirmPhrase": "delete my account"}, {"confirmPhrase": "DELETE"}])
def test_deletion_needs_the_exact_phrase(api, user, body):
    response = delete(api, body)
    assert response.status_code == 400
    assert response.json()["details"].startswith("confirmPhrase:")
    assert User.objects.filter(pk=user.pk).exists()


def test_deletion_leaves_no_row_of_the_user_but_anonymised_activity(api, user, other_user):
    SandboxFactory(user=other_user)
    SessionFactory(user=user)
    UserPreferencesFactory(user=user)
    UserOpencodeConfigFactory(user=user)
    UserOpencodeFileFactory(user=user)
    ProviderCredentialFactory(user=user, api_key=SECRET)
    OAuthStateFactory(user=user)
    AccountFactory(user=user)
    entry = ActivityLogFactory(user=user, ip_address="10.1.1.1", user_agent="ua",
                               metadata={"email": user.email, "params": {"id": "x"}})
    user_id = user.id
    response = delete(api, {"confirmPhrase": "DELETE MY ACCOUNT"})
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Account successfully deleted", "results": {
        "sandboxesDeleted": 0, "chatSessionsArchived": 0, "activityLogsAnonymized": 1, "preferencesDeleted": True,
        "userDeleted": True, "errors": []}}
    assert rows_mentioning(user_id) == {}
    entry.refresh_from_db()
    assert (entry.user_id, entry.anonymized, entry.ip_address, entry.user_agent, entry.metadata) == (
        None, True, None, None, {"params": {"id": "x"}})
    assert User.objects.filter(pk=other_user.pk).exists()
    assert api.get("/api/account").status_code == 401  # the token went with the account


def test_deletion_removes_deleted_sandboxes_and_their_archived_history(api, user):
    sandbox = everything_of(user)
    session = ChatSessionFactory(sandbox=sandbox)
    message = ChatMessageFactory(session=session)
    sandbox_delete(sandbox=sandbox, delete_repo=False)
    assert ChatSession.objects.get(pk=session.pk).status == "archived"
    user_id = user.id
    response = delete(api, {"confirmPhrase": "DELETE MY ACCOUNT"})
    assert response.json()["results"]["sandboxesDeleted"] == 0  # it was deleted already
    assert response.json()["results"]["userDeleted"] is True
    assert rows_mentioning(user_id) == {}
    assert not Sandbox.all_objects.filter(pk=sandbox.pk).exists()
    assert not ChatSession.objects.filter(sandbox_id=sandbox.pk).exists()
    assert not ChatMessage.objects.filter(pk=message.pk).exists()


def test_data_export_has_everything_and_no_secret(api, user):
    sandbox = everything_of(user)
    response = api.get("/api/account/data-export")
    assert response["Content-Disposition"] == f'attachment; filename="user-data-{user.id}.json"'
    body = response.json()
    assert body["user"]["id"] == user.id
    assert [s["id"] for s in body["sandboxes"]] == [sandbox.id]
    assert body["chatHistory"][0]["sandboxId"] == sandbox.id
    assert len(body["chatHistory"][0]["sessions"]) == 1
    assert body["opencodeConfig"]["agentsMd"] == "# mine"
    assert len(body["opencodeFiles"]) == 1
    assert body["providers"][0]["authType"] == "api_key"
    assert body["preferences"]["themeMode"] == "system"
    assert SECRET not in response.content.decode()


def test_data_export_keeps_a_deleted_sandboxs_archived_history(api, user):
    kept = SandboxFactory(user=user, name="Kept")
    gone = SandboxFactory(user=user, name="Gone")
    session = ChatSessionFactory(sandbox=gone, message_count=3)
    SandboxFactory(user=user, name="Gone, no history")
    for sandbox in Sandbox.objects.filter(user=user, name__startswith="Gone"):
        sandbox_delete(sandbox=sandbox, delete_repo=False)
    body = api.get("/api/account/data-export").json()
    assert [s["id"] for s in body["sandboxes"]] == [kept.id]
    assert body["chatHistory"] == [
        {"sandboxId": kept.id, "sandboxName": "Kept", "deletedAt": None, "sessions": []},
        {"sandboxId": gone.id, "sandboxName": "Gone",
         "deletedAt": iso_datetime(Sandbox.all_objects.get(pk=gone.pk).deleted_at),
         "sessions": [{"id": session.id, "title": session.title, "messageCount": 3,
                       "createdAt": iso_datetime(session.created_at)}]},
    ]


def test_a_user_export_contains_nothing_of_another_user(other_api, user):
    everything_of(user)
    body = other_api.get("/api/account/data-export").json()
    assert (body["sandboxes"], body["chatHistory"], body["opencodeFiles"], body["providers"]) == ([], [], [], [])
    assert body["opencodeConfig"] is None and "preferences" not in body


def test_service_token_and_anonymous_are_refused(service_api, client):
    assert service_api.get("/api/account").status_code == 403
    assert client.get("/api/account").status_code == 401
    assert ActivityLog.objects.count() == 0


def test_every_project_table_is_checked_by_the_leftover_scan():
    project_tables = {m._meta.db_table for m in apps.get_models()
                      if m._meta.app_label in {"accounts", "sandboxes", "chat", "providers", "settings_app"}}
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public'")
        scanned = {row[0] for row in cursor.fetchall()}
    assert project_tables <= scanned


def queries_for(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def a_user_with(count: int) -> tuple[User, object]:
    """A user with `count` sandboxes (each with a chat session and an onboarding session) and `count`
    activity entries."""
    user = User.objects.create_user(email=f"sized-{count}@example.com", password="x-password-1")
    for _ in range(count):
        sandbox = SandboxFactory(user=user)
        ChatMessageFactory(session=ChatSessionFactory(sandbox=sandbox))
        OnboardingSessionFactory(user=user, sandbox=sandbox)
        ActivityLogFactory(user=user, metadata={"email": user.email, "params": {"id": sandbox.pk}})
    return user, bearer_client(user)


def test_the_data_export_costs_the_same_queries_for_2_or_50_rows():
    small, large = a_user_with(2), a_user_with(50)
    assert queries_for(lambda: small[1].get("/api/account/data-export")) == queries_for(
        lambda: large[1].get("/api/account/data-export"))


def test_account_deletion_costs_the_same_queries_for_2_or_20_sandboxes():
    small, large = a_user_with(2), a_user_with(20)
    body = {"confirmPhrase": "DELETE MY ACCOUNT", "deleteContainers": False}
    counts = [queries_for(lambda client=client: delete(client, body)) for _, client in (small, large)]
    assert counts[0] == counts[1]
    assert not User.objects.filter(pk__in=[small[0].pk, large[0].pk]).exists()
    assert ActivityLog.objects.filter(anonymized=True).count() == 22


@pytest.mark.parametrize("delete_repositories, kept", [(True, False), (False, True)])
def test_deletion_removes_the_users_repositories_unless_asked_to_keep_them(api, user, other_user, settings,
                                                                            tmp_path, delete_repositories, kept):
    settings.REPOS_DIR = tmp_path / "repos"
    repository_init(user=user, name="mine", files={"README.md": "# mine\n"})
    repository_init(user=other_user, name="theirs", files={"README.md": "# theirs\n"})
    response = delete(api, {"confirmPhrase": "DELETE MY ACCOUNT", "deleteRepositories": delete_repositories})
    assert response.status_code == 200 and response.json()["results"]["errors"] == []
    assert (settings.REPOS_DIR / user.pk / "mine").exists() is kept
    assert (settings.REPOS_DIR / other_user.pk / "theirs" / "README.md").exists()
