"""The proxy's sandbox lookup from memory (sandboxes/endpoint_cache.py), against a real OpenCode: no query
while the sandbox is unchanged, and a stop, a deletion or another owner is seen by the next call, in this
process or from another connection."""

import pytest

from sandboxes import endpoint_cache
from tests.support.chat_worker import wait_for
from tests.support.database import other_connection


def sessions_url(sandbox) -> str:
    return f"/api/v2/sandboxes/{sandbox.pk}/opencode/session"


@pytest.mark.django_db
def test_a_running_sandboxs_calls_cost_no_query(api, agent_sandbox, django_assert_num_queries):
    assert api.get(sessions_url(agent_sandbox)).status_code == 200
    with django_assert_num_queries(0):  # the session and where the sandbox's OpenCode is, both kept
        assert api.get(sessions_url(agent_sandbox)).status_code == 200


@pytest.mark.django_db
def test_a_stop_is_seen_by_the_next_call(api, agent_sandbox):
    assert api.get(sessions_url(agent_sandbox)).status_code == 200
    agent_sandbox.status = "stopped"
    agent_sandbox.save()  # every status change is a save() (sandboxes.services._set_status)
    response = api.get(sessions_url(agent_sandbox))
    assert (response.status_code, response.json()) == (503, {"error": "Sandbox is not running (status: stopped)"})


@pytest.mark.django_db
def test_another_user_gets_404_even_while_it_is_kept(api, other_api, agent_sandbox):
    assert api.get(sessions_url(agent_sandbox)).status_code == 200
    assert agent_sandbox.pk in endpoint_cache.running
    response = other_api.get(sessions_url(agent_sandbox))
    assert (response.status_code, response.json()) == (404, {"error": "Sandbox not found"})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("change", ["UPDATE sandboxes SET status = 'stopped' WHERE id = %s",
                                    "UPDATE sandboxes SET deleted_at = now() WHERE id = %s",
                                    "DELETE FROM sandboxes WHERE id = %s"])
def test_a_change_by_another_process_is_seen_once_it_commits(api, agent_sandbox, change):
    assert api.get(sessions_url(agent_sandbox)).status_code == 200
    with other_connection() as other:
        other.execute(change, [agent_sandbox.pk])
    assert wait_for(lambda: agent_sandbox.pk not in endpoint_cache.running, timeout=2, interval=0.01)
    assert api.get(sessions_url(agent_sandbox)).status_code in (404, 503)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_touch_of_another_column_keeps_it(api, agent_sandbox):
    assert api.get(sessions_url(agent_sandbox)).status_code == 200
    with other_connection() as other:
        other.execute("UPDATE sandboxes SET last_accessed_at = now(), name = 'Renamed' WHERE id = %s",
                      [agent_sandbox.pk])
    assert not wait_for(lambda: agent_sandbox.pk not in endpoint_cache.running, timeout=0.5, interval=0.01)
