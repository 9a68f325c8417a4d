"""Sandbox states in one place: the engine's container states, how they map to `sandbox_status`, and
which lifecycle action is allowed from which status.

Three vocabularies meet here (the first two are the engine's, `sandboxes.orchestrator`):
- the engine's raw `State.Status` (Docker: created, running, paused, restarting, removing, exited, dead);
- the contract's container status, answered by `GET /api/v2/sandboxes/:id/status` (api-contract 2.11):
  creating, running, stopped, paused, restarting, removing, exited, dead, error, unknown;
- the database's `sandbox_status` (created, starting, running, stopping, stopped, error).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.api.errors import Conflict

from .models import SandboxStatus
from .orchestrator import ContainerStatus

# The contract's mapping (api-contract 2.11, peer sandbox-manager-01), with one deliberate change:
# `creating` (a container that exists but was never started) is `stopped`, not `starting`. The old
# orchestrator started every container it created, so `creating` was a passing moment there; this
# backend creates without starting, and a never-started container is what the old server reported
# after a create without autoStart: `stopped`, ready to be started.
SANDBOX_STATUS_FOR_CONTAINER = {
    ContainerStatus.CREATING: SandboxStatus.STOPPED,
    ContainerStatus.RUNNING: SandboxStatus.RUNNING,
    ContainerStatus.STOPPED: SandboxStatus.STOPPED,
    ContainerStatus.PAUSED: SandboxStatus.STOPPED,  # there is no `paused` sandbox status
    ContainerStatus.EXITED: SandboxStatus.STOPPED,
    ContainerStatus.RESTARTING: SandboxStatus.STARTING,
    ContainerStatus.REMOVING: SandboxStatus.STOPPING,
    ContainerStatus.DEAD: SandboxStatus.ERROR,
    ContainerStatus.ERROR: SandboxStatus.ERROR,
    ContainerStatus.UNKNOWN: SandboxStatus.ERROR,
}


def sandbox_status_for(container_status_value: str) -> str:
    return SANDBOX_STATUS_FOR_CONTAINER.get(container_status_value, SandboxStatus.ERROR)


# -- lifecycle actions --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    """A lifecycle action: the statuses it may start from, the status while it runs (if any), the status
    after it succeeds, and the status after it fails (None: unchanged)."""

    action: str
    allowed_from: frozenset[str]
    during: str | None
    success: str | None
    failure: str | None


_ALL = frozenset(SandboxStatus.values)
S = SandboxStatus

# Starting and stopping are idempotent on the engine, and the transient statuses are allowed as
# sources so a sandbox left `starting`/`stopping` by a crash can be recovered. Start, stop and restart
# failures set `error`, as the old server did (api-contract 1.12); pause/unpause failures change nothing.
TRANSITIONS: dict[str, Transition] = {
    "start": Transition("start", frozenset({S.CREATED, S.STOPPED, S.ERROR, S.STARTING, S.RUNNING}),
                        during=S.STARTING, success=S.RUNNING, failure=S.ERROR),
    "stop": Transition("stop", frozenset({S.RUNNING, S.STARTING, S.STOPPING, S.STOPPED, S.ERROR}),
                       during=S.STOPPING, success=S.STOPPED, failure=S.ERROR),
    "restart": Transition("restart", frozenset({S.CREATED, S.RUNNING, S.STOPPED, S.ERROR, S.STARTING}),
                          during=S.STARTING, success=S.RUNNING, failure=S.ERROR),
    "pause": Transition("pause", frozenset({S.RUNNING}), during=None, success=S.STOPPED, failure=None),
    "unpause": Transition("unpause", frozenset({S.STOPPED, S.RUNNING}), during=None, success=S.RUNNING,
                          failure=None),
    "remove": Transition("remove", _ALL, during=None, success=None, failure=None),
}


class InvalidTransition(Conflict):
    """409: the action is not possible from the sandbox's current status."""

    message = "Invalid sandbox state"


def transition_check(*, action: str, status: str | None) -> Transition:
    """The action's transition, or InvalidTransition when `status` is not a source it allows."""
    transition = TRANSITIONS[action]
    current = status or SandboxStatus.CREATED
    if current not in transition.allowed_from:
        raise InvalidTransition(details=f"Cannot {action} a sandbox that is {current}")
    return transition
