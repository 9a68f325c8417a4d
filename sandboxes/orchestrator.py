"""The container engine behind sandboxes, as one interface (STYLE 13, like Django's mail backends).

- `Orchestrator`: the lifecycle every backend implements (create, start, stop, restart, pause, unpause,
  remove, inspect, logs, stats, exec, put_archive), plus `status` and `write_file`, shared on top of them.
- `get_orchestrator()`: the backend named by `SANDBOX_ORCHESTRATOR` (default: the Docker backend).
- Value types: a backend creates from a finished `ContainerSpec` and addresses a container by its
  `ContainerRef`; it answers `ContainerInfo`, `ExecResult`, `SandboxStats`, `EngineInfo`.
- Domain exceptions: engine failures never reach a client as exception text. `EngineUnavailable` is
  503 `{"error": "Container engine unavailable"}`; the others carry a fixed, safe message.

Backends act on the engine only: they import no model and read no database. What a sandbox's container
is made of (`sandboxes.specs`) and what its row records (`sandboxes.services`, `sandboxes.states`) is
decided above them.
"""

from __future__ import annotations

import abc
import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.utils.module_loading import import_string

from core.api.errors import ApiError

from .conf import sandbox_settings

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


# -- value objects -------------------------------------------------------------------------------------

class ContainerStatus:
    """The contract's container vocabulary (`GET /api/v2/sandboxes/:id/status`, api-contract 2.11)."""

    CREATING = "creating"
    RUNNING = "running"
    STOPPED = "stopped"
    PAUSED = "paused"
    RESTARTING = "restarting"
    REMOVING = "removing"
    EXITED = "exited"
    DEAD = "dead"
    ERROR = "error"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ContainerRef:
    """How a backend finds a sandbox's container: by its name, else by the id the engine gave it."""

    name: str
    id: str | None = None


@dataclass(frozen=True)
class ContainerSpec:
    """Everything a backend needs to create a sandbox's container, resolved from the database above it."""

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
    # The port the sandbox's OpenCode server listens on inside the container (`OPENCODE_PORT`). With host
    # networking a backend allocates a free one instead and passes it to the container.
    opencode_port: int
    network_mode: str
    # The tier's disk: the container's writable layer, where the storage driver can limit it (0: no limit).
    storage_bytes: int = 0
    requires_gpu: bool = False
    command: list[str] | None = None
    binds: dict[str, dict] = field(default_factory=dict)


@dataclass(frozen=True)
class ContainerInfo:
    id: str
    name: str
    status: str  # a ContainerStatus value
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


# -- the interface -------------------------------------------------------------------------------------

class Orchestrator(abc.ABC):
    """A container engine. Every method raises only the errors above (EngineUnavailable when the engine
    is unreachable or too slow, ContainerNotFound when the sandbox has no container), except
    `status`, which answers `unknown` instead."""

    @abc.abstractmethod
    def create(self, spec: ContainerSpec) -> ContainerInfo:
        """Create (not start) a container from `spec`."""

    @abc.abstractmethod
    def start(self, ref: ContainerRef) -> None:
        """Start; starting a running container is not an error."""

    @abc.abstractmethod
    def stop(self, ref: ContainerRef, *, timeout: int | None = None) -> None:
        """Stop, killing after `timeout` seconds (default SANDBOX_STOP_TIMEOUT); stopping a stopped one is
        not an error."""

    @abc.abstractmethod
    def restart(self, ref: ContainerRef, *, timeout: int | None = None) -> None: ...

    @abc.abstractmethod
    def pause(self, ref: ContainerRef) -> None: ...

    @abc.abstractmethod
    def unpause(self, ref: ContainerRef) -> None: ...

    @abc.abstractmethod
    def remove(self, ref: ContainerRef, *, remove_volumes: bool = False) -> None:
        """Remove the container, running or not. A container that is already gone is not an error."""

    @abc.abstractmethod
    def inspect(self, ref: ContainerRef) -> ContainerInfo | None:
        """The container's live state, or None when the sandbox has no container."""

    @abc.abstractmethod
    def logs(self, ref: ContainerRef, *, tail: int = 100, since: datetime | None = None,
             timestamps: bool = False) -> str: ...

    @abc.abstractmethod
    def stats(self, ref: ContainerRef) -> SandboxStats: ...

    @abc.abstractmethod
    def exec(self, ref: ContainerRef, command: list[str], *, working_dir: str | None = None,
             env: dict[str, str] | None = None, user: str | None = None) -> ExecResult: ...

    @abc.abstractmethod
    def put_archive(self, ref: ContainerRef, path: str, data: bytes) -> None:
        """Unpack the tar archive `data` into the container's directory `path`, which must exist. Files keep
        the modes and owners their headers give; the container may be running or stopped."""

    @abc.abstractmethod
    def engine_info(self) -> EngineInfo: ...

    @abc.abstractmethod
    def opencode_url(self, ref: ContainerRef) -> str | None:
        """The base URL at which this API reaches the container's OpenCode server (`http://host:port`), or
        None while the container does not run: on a container network, the container's address and its
        OpenCode port; with host networking, loopback and the port allocated at create."""

    # -- shared behaviour ------------------------------------------------------------------------------

    def status(self, ref: ContainerRef) -> str:
        """The contract's container status (`GET /:id/status`): `unknown` when the engine is down or the
        container is missing."""
        try:
            info = self.inspect(ref)
        except EngineError:
            return ContainerStatus.UNKNOWN
        return info.status if info else ContainerStatus.UNKNOWN

    def write_file(self, ref: ContainerRef, *, path: str, content: str, mode: str = "644",
                   user: str | None = None) -> None:
        """Write a file in the container (parents created). The content travels in the exec's environment,
        never in its command line."""
        result = self.exec(
            ref,
            ["sh", "-c", 'mkdir -p "$(dirname "$1")" && umask 077 && printf %s "$AGENTPOD_FILE" > "$1" '
                         '&& chmod "$2" "$1"', "write-file", path, mode],
            env={"AGENTPOD_FILE": content}, user=user)
        if result.exit_code != 0:
            raise EngineError(details=f"Could not write {path} in the container")


@lru_cache(maxsize=8)
def _backend(path: str) -> Orchestrator:
    return import_string(path)()


def get_orchestrator() -> Orchestrator:
    """The configured backend (`SANDBOX_ORCHESTRATOR`); one instance per backend class."""
    return _backend(sandbox_settings.SANDBOX_ORCHESTRATOR)
