"""The container engine behind sandboxes, as one interface.

- `Orchestrator`: the lifecycle every backend implements (create, start, stop, restart, pause, unpause,
  remove, inspect, logs, stats, exec) plus the config push, which is shared.
- `get_orchestrator()`: the backend named by `SANDBOX_ORCHESTRATOR` (default: the Docker backend).
- Domain exceptions: engine failures never reach a client as exception text. `EngineUnavailable` is
  503 `{"error": "Container engine unavailable"}`; the others carry a fixed, safe message.
- `container_spec(sandbox)`: what a sandbox's container is made of (image, limits, labels, environment),
  built from the reference data by the image resolver; every backend creates from it.

Backends act on the engine only. Recording the result (container id, `sandbox_status`) is the sandbox
services' job, with the mapping and transitions of `sandboxes.states`.
"""

from __future__ import annotations

import abc
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from core.api.errors import ApiError, InvalidRequest

from .conf import sandbox_settings
from .models import Sandbox, SandboxStatus

logger = logging.getLogger(__name__)


# -- errors --------------------------------------------------------------------------------------------

class EngineError(ApiError):
    """The engine refused or failed an operation. The message is fixed; the engine's text is only logged."""

    status_code = 500
    message = "Container engine error"


class EngineUnavailable(EngineError):
    """The engine cannot be reached, or did not answer in time."""

    status_code = 503
    message = "Container engine unavailable"


class ContainerNotFound(EngineError):
    """The sandbox has no container in the engine."""

    status_code = 404
    message = "Sandbox container not found"


class ImageUnavailable(EngineError):
    """The sandbox's image is not present in the engine (nor pullable)."""

    message = "Sandbox image not available"


class EngineConflict(EngineError):
    """The container's state does not allow the operation (e.g. exec in a paused container)."""

    status_code = 409
    message = "Container state does not allow this operation"


class SandboxSpecInvalid(InvalidRequest):
    """The sandbox's flavor, tier or addons do not resolve (unknown, disabled, rule not met)."""

    message = "Invalid sandbox configuration"


# -- value objects -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ContainerSpec:
    name: str
    image: str
    labels: dict[str, str]
    # Holds decrypted credentials: never in a repr, a log line or an error.
    env: dict[str, str] = field(repr=False)
    memory_bytes: int
    memory_reservation_bytes: int
    nano_cpus: int
    pids_limit: int
    exposed_ports: list[int]
    network_mode: str
    requires_gpu: bool = False
    command: list[str] | None = None
    binds: dict[str, dict] = field(default_factory=dict)


@dataclass(frozen=True)
class ContainerInfo:
    id: str
    name: str
    status: str  # the contract's container vocabulary (sandboxes.states.ContainerStatus)
    sandbox_status: str  # what the sandbox row should say (sandboxes.states.sandbox_status_for)
    image: str
    labels: dict[str, str]
    created_at: str | None = None
    started_at: str | None = None
    health: dict | None = None
    memory_limit: int = 0
    nano_cpus: int = 0
    pids_limit: int | None = None
    network_mode: str = ""


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class SandboxStats:
    cpu_percent: float
    memory_usage: int
    memory_limit: int
    memory_percent: float
    network_rx: int
    network_tx: int
    block_read: int
    block_write: int

    def as_contract(self) -> dict:
        """The `stats` object of `GET /api/v2/sandboxes/:id/stats`."""
        return {"cpuPercent": self.cpu_percent, "memoryUsage": self.memory_usage,
                "memoryLimit": self.memory_limit, "memoryPercent": self.memory_percent,
                "networkRx": self.network_rx, "networkTx": self.network_tx,
                "blockRead": self.block_read, "blockWrite": self.block_write}


@dataclass(frozen=True)
class EngineInfo:
    """What `GET /api/v2/health/docker` reports."""

    version: str
    api_version: str
    os: str
    arch: str
    containers_running: int
    containers_stopped: int
    images: int


# -- the container of a sandbox ------------------------------------------------------------------------

def container_name(sandbox: Sandbox) -> str:
    """`{prefix}-{sandboxId}` (api-contract 1.12), the name the OpenCode proxy reaches it by."""
    return f"{sandbox_settings.SANDBOX_CONTAINER_PREFIX}-{sandbox.pk}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(dt_timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def container_labels(sandbox: Sandbox) -> dict[str, str]:
    """The old server's labels (api-contract 2.11):
    `agentpod.sandbox.{id,name,slug,user,repo,created,github}`, plus `agentpod.managed` and the
    configured extra labels."""
    labels = {
        **sandbox_settings.SANDBOX_EXTRA_LABELS,
        "agentpod.managed": "true",
        "agentpod.sandbox.id": sandbox.pk,
        "agentpod.sandbox.name": sandbox.name,
        "agentpod.sandbox.slug": sandbox.slug,
        "agentpod.sandbox.user": sandbox.user_id,
        "agentpod.sandbox.repo": sandbox.repo_name,
        "agentpod.sandbox.created": _iso(timezone.now()),
    }
    if sandbox.github_url:
        labels["agentpod.sandbox.github"] = sandbox.github_url
    return labels


def opencode_auth_entries(*, user_id: str) -> dict[str, dict]:
    """OpenCode's auth.json for a user (api-contract 4), decrypted: `{provider: {type: api, key}}` or
    `{provider: {type: oauth, refresh, access, expires}}`. Secret: never log or return it."""
    from providers.models import AuthType, ProviderCredential

    entries: dict[str, dict] = {}
    for credential in ProviderCredential.objects.filter(user_id=user_id).order_by("provider_id"):
        if credential.auth_type == AuthType.API_KEY and credential.api_key:
            entries[credential.provider_id] = {"type": "api", "key": credential.api_key}
        elif credential.auth_type in (AuthType.OAUTH, AuthType.DEVICE_FLOW) and credential.access_token:
            expires = credential.token_expires_at
            entries[credential.provider_id] = {
                "type": "oauth", "refresh": credential.access_token, "access": credential.access_token,
                "expires": int(expires.timestamp() * 1000) if expires else 0}
    return entries


def opencode_user_config(*, user_id: str) -> dict | None:
    """`GET /api/users/:userId/opencode/config`'s body for a user, or None when they have neither config
    nor files."""
    from settings_app.selectors import opencode_config_get, opencode_files_list

    config = opencode_config_get(user_id=user_id)
    files = [{"type": file.type, "name": file.name, "extension": file.extension, "content": file.content}
             for file in opencode_files_list(user_id=user_id)]
    if config is None and not files:
        return None
    body: dict = {"settings": config.settings if config else {}}
    if config and config.agents_md is not None:
        body["agents_md"] = config.agents_md
    body["files"] = files
    return body


def _dump(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def container_environment(sandbox: Sandbox, *, addon_env: dict[str, str],
                          extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the old server gave a sandbox (api-contract 2.11 step 5): identity, the management
    API, the addons' switches, the user's OpenCode config, decrypted provider credentials as
    `OPENCODE_AUTH_JSON` (only when there are some), and the onboarding session when there is one."""
    from onboarding.models import OnboardingSession

    env = {
        "SANDBOX_ID": sandbox.pk,
        "SANDBOX_USER_ID": sandbox.user_id,
        "USER_ID": sandbox.user_id,
        "PROJECT_NAME": sandbox.name,
        "MANAGEMENT_API_URL": getattr(settings, "PUBLIC_URL", ""),
        **addon_env,
    }
    if getattr(settings, "API_TOKEN", ""):
        env["AGENTPOD_API_TOKEN"] = settings.API_TOKEN
    auth = opencode_auth_entries(user_id=sandbox.user_id)
    if auth:
        env["OPENCODE_AUTH_JSON"] = _dump(auth)
    user_config = opencode_user_config(user_id=sandbox.user_id)
    if user_config is not None:
        env["OPENCODE_USER_CONFIG"] = _dump(user_config)
    session_id = OnboardingSession.objects.filter(sandbox_id=sandbox.pk).values_list("id", flat=True).first()
    if session_id:
        env.update(ONBOARDING_MODE="true", ONBOARDING_SESSION_ID=session_id)
    env.update(extra_env or {})
    return env


def container_spec(sandbox: Sandbox, *, extra_env: dict[str, str] | None = None) -> ContainerSpec:
    """Resolve the sandbox's flavor, addons and tier (the tiers table drives the limits, DECISIONS 16) into
    a container spec. A configuration that does not resolve raises SandboxSpecInvalid (400)."""
    from containers.services import image_resolve

    resolution = image_resolve(flavor_id=sandbox.flavor_id, addon_ids=list(sandbox.addon_ids or []),
                               resource_tier_id=sandbox.resource_tier_id,
                               has_gpu=bool(sandbox_settings.SANDBOX_GPU_AVAILABLE))
    if not resolution.valid:
        raise SandboxSpecInvalid(details="; ".join(resolution.errors))
    limits = resolution.limits
    binds = {}
    repos_dir = sandbox_settings.SANDBOX_REPOS_DIR
    if repos_dir:
        repo_path = Path(repos_dir) / sandbox.repo_name
        if repo_path.is_dir():
            binds[str(repo_path)] = {"bind": sandbox_settings.SANDBOX_WORKSPACE_PATH, "mode": "rw"}
    return ContainerSpec(
        name=container_name(sandbox),
        image=resolution.image_ref,
        labels=container_labels(sandbox),
        env=container_environment(sandbox, addon_env=resolution.addon_env, extra_env=extra_env),
        memory_bytes=limits.memory_bytes,
        memory_reservation_bytes=limits.memory_reservation_bytes,
        nano_cpus=limits.nano_cpus,
        pids_limit=limits.pids_limit,
        exposed_ports=[sandbox_settings.SANDBOX_OPENCODE_PORT, *resolution.exposed_ports],
        network_mode=sandbox_settings.SANDBOX_NETWORK_MODE,
        requires_gpu=resolution.requires_gpu,
        command=sandbox_settings.SANDBOX_CONTAINER_COMMAND,
        binds=binds,
    )


# -- the interface -------------------------------------------------------------------------------------

class Orchestrator(abc.ABC):
    """A container engine. Every method raises only the errors above (EngineUnavailable when the engine
    is unreachable or too slow, ContainerNotFound when the sandbox has no container), except
    `push_config`, which never raises."""

    @abc.abstractmethod
    def create(self, sandbox: Sandbox, *, extra_env: dict[str, str] | None = None) -> ContainerInfo:
        """Create (not start) the sandbox's container from `container_spec(sandbox)`."""

    @abc.abstractmethod
    def start(self, sandbox: Sandbox) -> None:
        """Start; starting a running container is not an error."""

    @abc.abstractmethod
    def stop(self, sandbox: Sandbox, *, timeout: int | None = None) -> None:
        """Stop, killing after `timeout` seconds (default SANDBOX_STOP_TIMEOUT); stopping a stopped one is
        not an error."""

    @abc.abstractmethod
    def restart(self, sandbox: Sandbox, *, timeout: int | None = None) -> None: ...

    @abc.abstractmethod
    def pause(self, sandbox: Sandbox) -> None: ...

    @abc.abstractmethod
    def unpause(self, sandbox: Sandbox) -> None: ...

    @abc.abstractmethod
    def remove(self, sandbox: Sandbox, *, remove_volumes: bool = False) -> None:
        """Remove the container, running or not. A container that is already gone is not an error."""

    @abc.abstractmethod
    def inspect(self, sandbox: Sandbox) -> ContainerInfo | None:
        """The container's live state, or None when the sandbox has no container."""

    @abc.abstractmethod
    def logs(self, sandbox: Sandbox, *, tail: int = 100, since: datetime | None = None,
             timestamps: bool = False) -> str: ...

    @abc.abstractmethod
    def stats(self, sandbox: Sandbox) -> SandboxStats: ...

    @abc.abstractmethod
    def exec(self, sandbox: Sandbox, command: list[str], *, working_dir: str | None = None,
             env: dict[str, str] | None = None, user: str | None = None) -> ExecResult: ...

    @abc.abstractmethod
    def engine_info(self) -> EngineInfo: ...

    # -- shared behaviour ------------------------------------------------------------------------------

    def status(self, sandbox: Sandbox) -> str:
        """The contract's container status (`GET /:id/status`): `unknown` when the engine is down or the
        container is missing."""
        from .states import ContainerStatus

        try:
            info = self.inspect(sandbox)
        except EngineError:
            return ContainerStatus.UNKNOWN
        return info.status if info else ContainerStatus.UNKNOWN

    def write_file(self, sandbox: Sandbox, *, path: str, content: str, mode: str = "644",
                   user: str | None = None) -> None:
        """Write a file in the container (parents created). The content travels in the exec's environment,
        never in its command line."""
        result = self.exec(
            sandbox,
            ["sh", "-c", 'mkdir -p "$(dirname "$1")" && umask 077 && printf %s "$AGENTPOD_FILE" > "$1" '
                         '&& chmod "$2" "$1"', "write-file", path, mode],
            env={"AGENTPOD_FILE": content}, user=user)
        if result.exit_code != 0:
            raise EngineError(details=f"Could not write {path} in the container")

    def push_config(self, *, user_id: str | None = None, user=None) -> int:
        """Push a user's OpenCode config, files and provider credentials into their running sandboxes
        (the old config-sync). Best effort: every failure is logged (never a secret) and swallowed;
        it never raises. Returns the number of sandboxes fully updated.

        `sandboxes.services.sandboxes_push_config` runs it in a background thread, so a response never
        waits for it; engine calls are bounded by the engine timeouts.
        """
        user_id = user_id or getattr(user, "pk", None)
        try:
            sandboxes = list(Sandbox.objects.filter(user_id=user_id, status=SandboxStatus.RUNNING)
                             .exclude(container_id__isnull=True))
            if not sandboxes:
                return 0
            files = self._config_files(user_id=user_id)
        except Exception:  # noqa: BLE001 - a push must never fail its caller
            logger.warning("Config push for user %s: could not read the config", user_id, exc_info=True)
            return 0
        pushed = 0
        for sandbox in sandboxes:
            try:
                exec_user = sandbox_settings.SANDBOX_EXEC_USER or None
                for path, (content, mode) in files.items():
                    self.write_file(sandbox, path=path, content=content, mode=mode, user=exec_user)
                # OpenCode re-reads its config and credentials when told to (the old server restarted it).
                self.exec(sandbox, ["sh", "-c", "pkill -HUP -x opencode || true"], user=exec_user)
                pushed += 1
            except EngineError as exc:
                logger.warning("Config push to sandbox %s failed: %s", sandbox.pk, type(exc).__name__)
            except Exception:  # noqa: BLE001
                logger.warning("Config push to sandbox %s failed unexpectedly", sandbox.pk, exc_info=True)
        return pushed

    def _config_files(self, *, user_id: str) -> dict[str, tuple[str, str]]:
        """path → (content, mode) of everything a push writes, as the old config-sync laid it out."""
        config_dir = sandbox_settings.SANDBOX_OPENCODE_CONFIG_DIR.rstrip("/")
        files: dict[str, tuple[str, str]] = {}
        user_config = opencode_user_config(user_id=user_id) or {"settings": {}, "files": []}
        if user_config["settings"]:
            files[f"{config_dir}/opencode.json"] = (json.dumps(user_config["settings"], indent=2), "644")
        if user_config.get("agents_md"):
            files[f"{config_dir}/AGENTS.md"] = (user_config["agents_md"], "644")
        for file in user_config["files"]:
            path = f"{config_dir}/{file['type']}/{file['name']}.{file['extension']}"
            files[path] = (file["content"], "644")
        auth = opencode_auth_entries(user_id=user_id)
        # Always written, even empty: a credential the user removed must leave the running sandboxes too.
        files[sandbox_settings.SANDBOX_OPENCODE_AUTH_PATH] = (_dump(auth), "600")
        return files


@lru_cache(maxsize=8)
def _backend(path: str) -> Orchestrator:
    return import_string(path)()


def get_orchestrator() -> Orchestrator:
    """The configured backend (`SANDBOX_ORCHESTRATOR`); one instance per backend class."""
    return _backend(sandbox_settings.SANDBOX_ORCHESTRATOR)
