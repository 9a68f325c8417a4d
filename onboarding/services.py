"""Onboarding writes: the session's steps, and applying its result to the sandbox (api-contract 2.15).

A session belongs to a user and, at most, one of their sandboxes (sandbox create makes the pending one,
onboarding/receivers.py). Views pass only sessions the caller owns (`selectors.sessions`), and every
sandbox named in a request is looked up among the caller's own, so another user's is a 404 (DECISIONS 1).

`apply` writes the generated OpenCode project config (onboarding/workspace.py) into the running sandbox
as one archive through the orchestrator, then asks OpenCode to re-read it. Its failures are 409 (no
sandbox) and 503 (not running, the engine failing), never the old 500s (DECISIONS 29); a failed write
marks the session `failed` with the message.
"""

from __future__ import annotations

import json
import logging
import posixpath
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.api.errors import ApiError, Conflict, NotFound, ServiceUnavailable
from sandboxes.conf import sandbox_settings
from sandboxes.models import Sandbox, SandboxStatus
from sandboxes.opencode import OpenCodeClient
from sandboxes.orchestrator import (
    ContainerNotFound,
    EngineConflict,
    EngineError,
    EngineUnavailable,
    get_orchestrator,
)
from sandboxes.services import sandbox_opencode_endpoint
from sandboxes.specs import container_ref

from . import workspace
from .models import OnboardingSession, OnboardingStatus

logger = logging.getLogger(__name__)

NO_SANDBOX = "Session has no associated sandbox"
NOT_RUNNING = "Sandbox is not running"
WRITE_FAILED = "Could not write the configuration into the sandbox"
READ_FAILED = "Could not read the configuration from the sandbox"


class SessionHasNoSandbox(Conflict):
    message = NO_SANDBOX


class ApplyFailed(ServiceUnavailable):
    """503 `{"error": <message>, "filesWritten": []}`: nothing was written (the archive is all or nothing)."""

    def __init__(self, message: str):
        super().__init__(message, extra={"filesWritten": []})


def _sandbox_not_found(sandbox_id: str) -> NotFound:
    return NotFound(f"Sandbox not found: {sandbox_id}")


def _own_sandbox(*, user, sandbox_id: str) -> Sandbox:
    sandbox = Sandbox.objects.filter(pk=sandbox_id, user=user).first()
    if sandbox is None:
        raise _sandbox_not_found(sandbox_id)
    return sandbox


def _save(session: OnboardingSession, **changes) -> OnboardingSession:
    for field, value in changes.items():
        setattr(session, field, value)
    session.save(update_fields=[*changes, "updated_at"])
    return session


# -- the steps ---------------------------------------------------------------------------------------------


def session_create(*, user, sandbox_id: str | None = None) -> tuple[OnboardingSession, bool]:
    """A pending session, for one of the caller's sandboxes or none: `(session, created)`. A sandbox that
    already has a session gives that one (at most one per sandbox, a database constraint, so concurrent
    creates agree on the same row)."""
    if sandbox_id is None:
        return OnboardingSession.objects.create(user=user), True
    sandbox = _own_sandbox(user=user, sandbox_id=sandbox_id)
    existing = OnboardingSession.objects.filter(sandbox=sandbox).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return OnboardingSession.objects.create(user=user, sandbox=sandbox), True
    except IntegrityError:  # a concurrent create won
        return OnboardingSession.objects.get(sandbox=sandbox), False


def session_start(*, session: OnboardingSession) -> OnboardingSession:
    return _save(session, status=OnboardingStatus.STARTED)


def session_requirements_save(*, session: OnboardingSession, requirements: dict) -> OnboardingSession:
    """Store the validated requirements and copy the project's type, name and description to their columns
    (the status is left as it is, as the old server did)."""
    return _save(
        session,
        gathered_requirements=requirements,
        project_type=requirements["projectType"],
        project_name=requirements["projectName"],
        project_description=requirements.get("projectDescription"),
    )


def session_models_save(
    *, session: OnboardingSession, primary_model: str, small_model: str | None = None
) -> OnboardingSession:
    """The selected models; the small one changes only when one is given."""
    if small_model is None:
        return _save(session, selected_model=primary_model)
    return _save(session, selected_model=primary_model, selected_small_model=small_model)


def session_complete(*, session: OnboardingSession, config: dict) -> OnboardingSession:
    return _save(
        session, status=OnboardingStatus.COMPLETED, generated_config=config, completed_at=timezone.now()
    )


def session_skip(*, session: OnboardingSession) -> OnboardingSession:
    return _save(session, status=OnboardingStatus.SKIPPED)


def session_reset(*, session: OnboardingSession, preserve_models: bool = False) -> OnboardingSession:
    """Back to pending with the project, requirements, config and error cleared; the models too unless
    `preserve_models`. `completedAt` is kept, as the old server kept it."""
    changes = dict(
        status=OnboardingStatus.PENDING,
        project_type=None,
        project_name=None,
        project_description=None,
        gathered_requirements=None,
        generated_config=None,
        error_message=None,
    )
    if not preserve_models:
        changes.update(selected_model=None, selected_small_model=None)
    return _save(session, **changes)


def session_link(*, session: OnboardingSession, sandbox_id: str) -> OnboardingSession:
    """Attach the session to one of its owner's sandboxes. A sandbox that has another session is a 409
    (the old server answered the unique violation with a 500)."""
    sandbox = _own_sandbox(user=session.user, sandbox_id=sandbox_id)
    if OnboardingSession.objects.filter(sandbox=sandbox).exclude(pk=session.pk).exists():
        raise Conflict("Sandbox already has an onboarding session")
    try:
        with transaction.atomic():
            return _save(session, sandbox=sandbox)
    except IntegrityError:  # linked by a concurrent request meanwhile
        raise Conflict("Sandbox already has an onboarding session") from None


def session_delete(*, session: OnboardingSession) -> None:
    session.delete()


# -- the sandbox -------------------------------------------------------------------------------------------


def _session_sandbox(session: OnboardingSession) -> Sandbox:
    # A deleted sandbox lets go of its session (the foreign key's SET NULL, or `sandbox_deleted` for the
    # soft delete), so a session's sandbox exists or is None.
    if session.sandbox_id is None:
        raise SessionHasNoSandbox()
    return session.sandbox


def _fail(session: OnboardingSession, message: str) -> ApplyFailed:
    _save(session, status=OnboardingStatus.FAILED, error_message=message)
    return ApplyFailed(message)


@dataclass(frozen=True)
class ApplyResult:
    files_written: list[str]
    reloaded: bool
    session: OnboardingSession


def session_apply(*, session: OnboardingSession, reload: bool = True) -> ApplyResult:
    """Write the session's OpenCode project config into its running sandbox's workspace, then (with
    `reload`) have OpenCode re-read it. The session ends `completed`, or `failed` with the message of a
    503 when the sandbox is not running or the engine fails (nothing is written then)."""
    sandbox = _session_sandbox(session)
    try:
        files = workspace.workspace_files(session)
    except workspace.InvalidGeneratedConfig as exc:
        _save(session, status=OnboardingStatus.FAILED, error_message=str(exc))
        raise Conflict("Generated configuration is invalid", details=str(exc)) from None
    if sandbox.status != SandboxStatus.RUNNING or not sandbox.container_id:
        raise _fail(session, NOT_RUNNING)
    _save(session, status=OnboardingStatus.APPLYING, error_message=None)
    root = sandbox_settings.SANDBOX_WORKSPACE_PATH.rstrip("/") or "/"
    try:
        _write(container_ref(sandbox), root, files)
    except (EngineConflict, ContainerNotFound):  # the container stopped, paused or vanished meanwhile
        raise _fail(session, NOT_RUNNING) from None
    except EngineUnavailable:
        raise _fail(session, EngineUnavailable.message) from None
    except EngineError:
        raise _fail(session, WRITE_FAILED) from None
    reloaded = reload and _reload_opencode(sandbox)
    _save(
        session,
        status=OnboardingStatus.COMPLETED,
        error_message=None,
        completed_at=session.completed_at or timezone.now(),
    )
    return ApplyResult([posixpath.join(root, path) for path in files], reloaded, session)


def _write(ref, root: str, files: dict[str, str]) -> None:
    """Folders first, as the user OpenCode runs as (so they are theirs), which also tells the owner to give
    the files; then the files, as one archive."""
    orchestrator, user = get_orchestrator(), sandbox_settings.SANDBOX_EXEC_USER or None
    folders = sorted({posixpath.join(root, posixpath.dirname(path)) for path in files})
    made = orchestrator.exec(
        ref, ["sh", "-c", 'mkdir -p "$@" && id -u && id -g', "mkdir", *folders], user=user
    )
    ids = made.stdout.split()
    if made.exit_code != 0 or len(ids) != 2 or not all(value.isdigit() for value in ids):
        logger.warning("Onboarding apply: preparing %s failed (exit %s)", root, made.exit_code)
        raise EngineError()
    orchestrator.put_archive(ref, root, workspace.tar_archive(files, uid=int(ids[0]), gid=int(ids[1])))


def _reload_opencode(sandbox: Sandbox) -> bool:
    """Ask the sandbox's OpenCode to drop its loaded config (`POST /instance/dispose`), so its next request
    reads the new files. Best effort: an OpenCode that is down or starting reads them when it starts."""
    try:
        with OpenCodeClient(sandbox_opencode_endpoint(sandbox=sandbox)) as opencode:
            opencode.instance_dispose()
    except ApiError as exc:
        logger.info("Onboarding apply: OpenCode of sandbox %s not reloaded (%s)", sandbox.pk, exc.message)
        return False
    return True


def session_applied_config(*, session: OnboardingSession) -> dict | None:
    """What the sandbox's workspace holds now: `{opencodeJson, agentsMd, agents, commands}` (agents and
    commands: file name → content), or None when none of those files exists. 409 without a sandbox,
    503 when it is not running or the engine fails."""
    sandbox = _session_sandbox(session)
    if sandbox.status != SandboxStatus.RUNNING or not sandbox.container_id:
        raise ServiceUnavailable(NOT_RUNNING)
    root = sandbox_settings.SANDBOX_WORKSPACE_PATH.rstrip("/") or "/"
    try:
        result = get_orchestrator().exec(
            container_ref(sandbox),
            ["sh", "-c", workspace.READ_BACK_SCRIPT, "read-back", root],
            user=sandbox_settings.SANDBOX_EXEC_USER or None,
        )
    except (EngineConflict, ContainerNotFound):
        raise ServiceUnavailable(NOT_RUNNING) from None
    except EngineError as exc:
        raise ServiceUnavailable(exc.message if isinstance(exc, EngineUnavailable) else READ_FAILED) from None
    files = workspace.parse_read_back(result.stdout) if result.exit_code == 0 else {}
    if not files:
        return None
    opencode_json = None
    if "opencode.json" in files:
        try:
            opencode_json = json.loads(files["opencode.json"])
        except ValueError:
            opencode_json = None  # edited in the sandbox into something that is not JSON
    return {
        "opencodeJson": opencode_json,
        "agentsMd": files.get("AGENTS.md"),
        "agents": {
            posixpath.basename(p): text for p, text in files.items() if p.startswith(workspace.AGENT_DIR)
        },
        "commands": {
            posixpath.basename(p): text for p, text in files.items() if p.startswith(workspace.COMMAND_DIR)
        },
    }


def session_sandbox_validate(*, session: OnboardingSession) -> dict:
    """`{valid, errors}`: whether `apply` can write into the session's sandbox now, asking the engine."""
    if session.sandbox_id is None:
        return {"valid": False, "errors": [NO_SANDBOX]}
    sandbox = session.sandbox
    errors = []
    if sandbox.status != SandboxStatus.RUNNING:
        errors.append(NOT_RUNNING)
    if not sandbox.container_id:
        errors.append("Sandbox has no container")
    elif not errors:
        try:
            info = get_orchestrator().inspect(container_ref(sandbox))
        except EngineError as exc:
            errors.append(exc.message)
        else:
            if info is None:
                errors.append("Sandbox has no container")
            elif info.status != "running":
                errors.append(NOT_RUNNING)
    return {"valid": not errors, "errors": errors}
