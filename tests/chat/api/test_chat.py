"""`/api/v2/sandboxes/{id}/chat/*`: a sandbox's chat history, for its owner only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activity.models import ActivityLog
from chat.models import ChatSession
from core.serializers import iso_datetime
from tests.factories import ChatMessageFactory, ChatSessionFactory, SandboxFactory

pytestmark = pytest.mark.django_db

OPENCODE_CONTENT = {"parts": [{"type": "text", "text": "Add a README"}], "model": {"providerID": "anthropic"},
                    "time": {"created": 1765700000000}}


@pytest.fixture
def sandbox(user):
    return SandboxFactory(user=user)


def at(minutes_ago: int):
    return timezone.now() - timedelta(minutes=minutes_ago)


def test_sessions_list_with_stats_and_every_key(api, sandbox):
    quiet = ChatSessionFactory(sandbox=sandbox, last_message_at=None, created_at=at(30))
    busy = ChatSessionFactory(sandbox=sandbox, last_message_at=at(1), message_count=4, total_input_tokens=100,
                              total_output_tokens=50, created_at=at(60))
    ChatSessionFactory(sandbox=sandbox, status="archived", last_message_at=at(10), message_count=2)
    ChatSessionFactory()  # another user's sandbox
    body = api.get(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions").json()
    assert [s["id"] for s in body["sessions"]][:2] == [quiet.id, busy.id]  # no messages first, then newest
    assert body["pagination"] == {"total": 3, "limit": 50, "offset": 0}
    assert body["stats"] == {"total": 3, "active": 2, "archived": 1, "totalMessages": 6, "totalTokens": 150}
    assert body["sessions"][1] == {
        "id": busy.id, "sandboxId": sandbox.id, "userId": sandbox.user_id, "source": "opencode",
        "opencodeSessionId": busy.opencode_session_id, "acpSessionId": None, "acpAgentId": None, "title": busy.title,
        "status": "active", "messageCount": 4, "userMessageCount": 0, "assistantMessageCount": 0,
        "totalInputTokens": 100, "totalOutputTokens": 50, "lastMessageAt": iso_datetime(busy.last_message_at),
        "lastSyncedAt": None, "createdAt": iso_datetime(busy.created_at), "updatedAt": iso_datetime(busy.updated_at)}


def test_sessions_status_filter_and_total_counts_the_filter(api, sandbox):
    ChatSessionFactory.create_batch(2, sandbox=sandbox)
    ChatSessionFactory(sandbox=sandbox, status="archived")
    body = api.get(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions?status=archived&limit=1").json()
    assert [s["status"] for s in body["sessions"]] == ["archived"]
    assert body["pagination"] == {"total": 1, "limit": 1, "offset": 0}
    assert body["stats"]["total"] == 3


@pytest.mark.parametrize("query, field", [("status=gone", "status"), ("limit=0", "limit"),
                                          ("offset=-2", "offset"), ("offset=9223372036854775808", "offset")])
def test_sessions_query_validation(api, sandbox, query, field):
    response = api.get(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions?{query}")
    assert response.status_code == 400 and response.json()["details"].startswith(f"{field}:")


@pytest.mark.parametrize("query, field", [("order=up", "order"), ("offset=9223372036854775808", "offset"),
                                          ("limit=101", "limit")])
def test_messages_query_validation(api, sandbox, query, field):
    session = ChatSessionFactory(sandbox=sandbox)
    response = api.get(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions/{session.id}/messages?{query}")
    assert response.status_code == 400 and response.json()["details"].startswith(f"{field}:")


def test_the_largest_offset_postgresql_takes_is_an_empty_page(api, sandbox):
    session = ChatSessionFactory(sandbox=sandbox)
    ChatMessageFactory(session=session)
    response = api.get(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions/{session.id}/messages"
                       "?offset=9223372036854775807")
    assert response.status_code == 200
    assert response.json() == {"messages": [], "pagination": {"total": 1, "limit": 50,
                                                               "offset": 9223372036854775807}}


def test_session_detail_has_the_last_50_messages_in_order_with_parsed_content(api, sandbox):
    session = ChatSessionFactory(sandbox=sandbox)
    messages = [ChatMessageFactory(session=session, created_at=at(100 - i), content={"n": i}) for i in range(55)]
    last = ChatMessageFactory(session=session, created_at=at(0), role="assistant", content=OPENCODE_CONTENT,
                              tool_calls=[{"tool": "bash"}], model_id="claude", input_tokens=10)
    body = api.get(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions/{session.id}").json()
    assert body["session"]["id"] == session.id
    assert body["messageCount"] == 50
    assert [m["id"] for m in body["messages"]] == [m.id for m in messages[6:]] + [last.id]
    assert body["messages"][-1] == {
        "id": last.id, "sessionId": session.id, "externalMessageId": None, "role": "assistant",
        "content": OPENCODE_CONTENT, "toolCalls": [{"tool": "bash"}], "toolResults": None, "thinking": None,
        "modelProvider": None, "modelId": "claude", "agentId": None, "inputTokens": 10, "outputTokens": None,
        "status": "complete", "errorMessage": None, "createdAt": iso_datetime(last.created_at), "completedAt": None}


def test_messages_pagination_and_order(api, sandbox):
    session = ChatSessionFactory(sandbox=sandbox)
    ids = [ChatMessageFactory(session=session, created_at=at(10 - i)).id for i in range(5)]
    url = f"/api/v2/sandboxes/{sandbox.id}/chat/sessions/{session.id}/messages"
    page = api.get(f"{url}?limit=2&offset=1").json()
    assert [m["id"] for m in page["messages"]] == ids[1:3]
    assert page["pagination"] == {"total": 5, "limit": 2, "offset": 1}
    assert [m["id"] for m in api.get(f"{url}?order=desc&limit=2").json()["messages"]] == [ids[4], ids[3]]
    assert api.get(f"{url}?order=sideways").status_code == 400


def test_archive_is_a_soft_delete_idempotent_and_logged(api, sandbox, user):
    session = ChatSessionFactory(sandbox=sandbox)
    url = f"/api/v2/sandboxes/{sandbox.id}/chat/sessions/{session.id}"
    for _ in range(2):
        response = api.delete(url)
        assert response.json() == {"success": True, "message": "Session archived"}
    session.refresh_from_db()
    assert session.status == "archived"
    assert api.get(url).json()["session"]["status"] == "archived"
    entry = ActivityLog.objects.filter(action="chat.session_archive").first()
    assert (entry.user_id, entry.entity_type, entry.entity_id) == (user.id, "chat_session", session.id)


def test_not_found_cases(api, sandbox):
    other_sandbox_session = ChatSessionFactory(sandbox=SandboxFactory(user=sandbox.user))
    assert api.get("/api/v2/sandboxes/nope/chat/sessions").json() == {"error": "Sandbox not found"}
    response = api.get(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions/{other_sandbox_session.id}")
    assert (response.status_code, response.json()) == (404, {"error": "Session not found"})
    assert api.delete(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions/missing").status_code == 404


def test_another_users_sandbox_is_not_found_before_anything_else(other_api, sandbox):
    session = ChatSessionFactory(sandbox=sandbox)
    base = f"/api/v2/sandboxes/{sandbox.id}/chat"
    for method, path in [("get", "/sessions?status=bogus"), ("get", f"/sessions/{session.id}"),
                         ("get", f"/sessions/{session.id}/messages"), ("delete", f"/sessions/{session.id}"),
                         ("get", "/sync/status"), ("post", "/sync"), ("post", f"/sessions/{session.id}/sync")]:
        response = getattr(other_api, method)(base + path)
        assert (response.status_code, response.json()) == (404, {"error": "Sandbox not found"}), path
    assert ChatSession.objects.get(pk=session.pk).status == "active"


def test_sync_endpoints_without_an_active_sync(api, sandbox):
    opencode = ChatSessionFactory(sandbox=sandbox)
    acp = ChatSessionFactory(sandbox=sandbox, source="acp_gateway", opencode_session_id=None, acp_session_id="a1")
    status = api.get(f"/api/v2/sandboxes/{sandbox.id}/chat/sync/status").json()
    assert status == {"sync": {"active": False}, "stats": {"total": 2, "active": 2, "archived": 0, "totalMessages": 0,
                                                           "totalTokens": 0}, "sandboxStatus": "created"}
    assert api.post(f"/api/v2/sandboxes/{sandbox.id}/chat/sync").json() == {"error": "Sandbox is not running"}
    synced = api.post(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions/{opencode.id}/sync").json()
    assert synced["message"] == "Sync completed"
    assert api.post(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions/{acp.id}/sync").status_code == 400


@pytest.mark.parametrize("count", [1, 200])
def test_list_session_and_messages_run_a_constant_number_of_queries(api, sandbox, count,
                                                                    django_assert_num_queries):
    session = ChatSessionFactory(sandbox=sandbox)
    ChatMessageFactory.create_batch(count, session=session)
    ChatSessionFactory.create_batch(min(count, 60) - 1 if count > 1 else 0, sandbox=sandbox)
    base = f"/api/v2/sandboxes/{sandbox.id}/chat/sessions"
    api.get("/api/resource-tiers")  # from here on the caller's session is kept (accounts/session_cache.py)
    with django_assert_num_queries(3):  # sandbox, page, stats
        api.get(base)
    with django_assert_num_queries(3):  # sandbox, session, messages
        api.get(f"{base}/{session.id}")
    with django_assert_num_queries(4):  # sandbox, session, page, count
        api.get(f"{base}/{session.id}/messages?limit=100")


def test_service_token_and_anonymous_are_refused(service_api, client, sandbox):
    assert service_api.get(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions").status_code == 403
    assert client.get(f"/api/v2/sandboxes/{sandbox.id}/chat/sessions").status_code == 401
