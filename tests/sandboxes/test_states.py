"""Container state → sandbox status, and which lifecycle action is allowed from which status."""

import pytest

from sandboxes.docker_backend import container_status
from sandboxes.models import SandboxStatus as S
from sandboxes.orchestrator import ContainerStatus
from sandboxes.states import (
    SANDBOX_STATUS_FOR_CONTAINER,
    TRANSITIONS,
    InvalidTransition,
    sandbox_status_for,
    transition_check,
)


@pytest.mark.parametrize(("state", "expected"), [
    ({"Status": "running", "Running": True}, "running"),
    ({"Status": "paused", "Running": True, "Paused": True}, "paused"),
    ({"Status": "restarting", "Running": True, "Restarting": True}, "restarting"),
    ({"Status": "created"}, "creating"),
    ({"Status": "exited"}, "exited"),
    ({"Status": "removing"}, "removing"),
    ({"Status": "dead", "Dead": True}, "dead"),
    ({"Status": "something-new"}, "stopped"),
    ({}, "unknown"),
    (None, "unknown"),
])
def test_engine_states_in_the_contract_vocabulary(state, expected):
    assert container_status(state) == expected


def test_the_sandbox_status_of_every_container_status():
    """sandbox-manager-01, except `creating` (never started here, so stopped; see states.py)."""
    assert SANDBOX_STATUS_FOR_CONTAINER == {
        "creating": S.STOPPED, "running": S.RUNNING, "stopped": S.STOPPED, "paused": S.STOPPED,
        "exited": S.STOPPED, "restarting": S.STARTING, "removing": S.STOPPING, "dead": S.ERROR,
        "error": S.ERROR, "unknown": S.ERROR,
    }
    assert sandbox_status_for("never-heard-of") == S.ERROR
    assert set(SANDBOX_STATUS_FOR_CONTAINER.values()) <= set(S.values)
    vocabulary = {value for key, value in vars(ContainerStatus).items() if key.isupper()}
    assert vocabulary == set(SANDBOX_STATUS_FOR_CONTAINER)


@pytest.mark.parametrize(("action", "during", "success", "failure"), [
    ("start", S.STARTING, S.RUNNING, S.ERROR),
    ("stop", S.STOPPING, S.STOPPED, S.ERROR),
    ("restart", S.STARTING, S.RUNNING, S.ERROR),
    ("pause", None, S.STOPPED, None),
    ("unpause", None, S.RUNNING, None),
])
def test_lifecycle_outcomes(action, during, success, failure):
    """The old server's statuses: pause reads as stopped, start/stop/restart failures set error."""
    transition = TRANSITIONS[action]
    assert (transition.during, transition.success, transition.failure) == (during, success, failure)


@pytest.mark.parametrize(("action", "status"), [
    ("start", S.STOPPED), ("start", S.CREATED), ("start", S.ERROR), ("start", S.RUNNING),
    ("stop", S.RUNNING), ("stop", S.STOPPED), ("restart", S.RUNNING), ("restart", S.ERROR),
    ("pause", S.RUNNING), ("unpause", S.STOPPED), ("remove", S.STOPPING), ("start", None),
])
def test_allowed_transitions(action, status):
    assert transition_check(action=action, status=status) is TRANSITIONS[action]


@pytest.mark.parametrize(("action", "status"), [
    ("pause", S.STOPPED), ("pause", S.CREATED), ("unpause", S.ERROR), ("start", S.STOPPING),
    ("stop", S.CREATED), ("restart", S.STOPPING),
])
def test_refused_transitions_are_a_409(action, status):
    with pytest.raises(InvalidTransition) as caught:
        transition_check(action=action, status=status)
    assert caught.value.status_code == 409
    assert caught.value.body() == {"error": "Invalid sandbox state",
                                   "details": f"Cannot {action} a sandbox that is {status}"}
