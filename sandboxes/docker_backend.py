"""The Docker Engine backend (docker-py against `SANDBOX_DOCKER_HOST`, default `DOCKER_HOST`).

Every operation opens a short-lived client: its first exchange (API version negotiation, or a ping when
the version is pinned) is bounded by `SANDBOX_ENGINE_CONNECT_TIMEOUT`, so an engine that is gone or hung
is an `EngineUnavailable` within seconds, never a hang; later reads are bounded by
`SANDBOX_ENGINE_TIMEOUT` (stop/restart add their own grace period; exec has
`SANDBOX_ENGINE_EXEC_TIMEOUT`). The API version is negotiated, so Engine API 1.41 (Debian's dockerd
20.10) works. Engine error texts are logged (scrubbed of the container's environment values), never
returned.
"""

from __future__ import annotations

import json
import logging
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import docker
import requests
import urllib3
from docker import errors as docker_errors
from docker.types import DeviceRequest

from .conf import sandbox_settings
from .orchestrator import (
    ContainerInfo,
    ContainerNotFound,
    ContainerRef,
    ContainerSpec,
    ContainerStatus,
    EngineConflict,
    EngineError,
    EngineInfo,
    EngineUnavailable,
    ExecResult,
    ImageUnavailable,
    Orchestrator,
    SandboxStats,
)

logger = logging.getLogger(__name__)

# Where a container's OpenCode listens, recorded on the container itself at create.
OPENCODE_PORT_LABEL = "agentpod.opencode.port"

_NO_SUCH_IMAGE = re.compile(r"no such image|pull access denied|repository does not exist", re.IGNORECASE)
# Engines whose storage driver refused a size limit (overlay2 on anything but xfs with pquota, vfs...):
# later creates on them skip the attempt. Per process, keyed by the engine's address.
_STORAGE_OPT_UNSUPPORTED = re.compile(r"storage-opt|storage opt", re.IGNORECASE)
_NO_STORAGE_LIMIT: set[str] = set()


class DockerOrchestrator(Orchestrator):

    # -- connection -----------------------------------------------------------------------------------

    @contextmanager
    def _engine(self, operation: str, *, timeout: float | None = None,
                secrets: tuple[str, ...] = ()) -> Iterator[docker.APIClient]:
        """A client for one operation; every engine failure leaves as a domain exception."""
        connect_timeout = float(sandbox_settings.SANDBOX_ENGINE_CONNECT_TIMEOUT)
        version = sandbox_settings.SANDBOX_DOCKER_API_VERSION
        api = None
        try:
            api = docker.APIClient(base_url=sandbox_settings.SANDBOX_DOCKER_HOST, version=version,
                                   timeout=connect_timeout)
            if version not in (None, "auto"):
                api.ping()  # the negotiation did not touch the engine: check it answers, quickly
            api.timeout = float(timeout or sandbox_settings.SANDBOX_ENGINE_TIMEOUT)
            yield api
        except EngineError:
            raise
        except docker_errors.NotFound as exc:
            _log(operation, exc, secrets)
            if isinstance(exc, docker_errors.ImageNotFound) or _NO_SUCH_IMAGE.search(_explanation(exc)):
                raise ImageUnavailable() from None
            if operation == "create":  # e.g. the configured network does not exist
                raise EngineError() from None
            raise ContainerNotFound() from None  # it vanished between the lookup and the call
        except docker_errors.APIError as exc:
            _log(operation, exc, secrets)
            if exc.status_code == 409:
                raise EngineConflict() from None
            raise EngineError() from None
        except (docker_errors.DockerException, requests.RequestException, urllib3.exceptions.HTTPError,
                OSError) as exc:
            # Includes a refused or missing socket, a timeout and a connection dropped mid-answer.
            logger.warning("Container engine unavailable during %s: %s", operation, type(exc).__name__)
            raise EngineUnavailable() from None
        finally:
            if api is not None:
                api.close()

    def _container(self, api: docker.APIClient, ref: ContainerRef) -> str:
        """The container's id: by its name, else by the id the engine gave it."""
        for key in (ref.name, ref.id):
            if not key:
                continue
            try:
                return api.inspect_container(key)["Id"]
            except docker_errors.NotFound:
                continue
        raise ContainerNotFound()

    # -- lifecycle ------------------------------------------------------------------------------------

    def create(self, spec: ContainerSpec) -> ContainerInfo:
        secrets = _secret_strings(spec.env)
        env, labels, port = dict(spec.env), dict(spec.labels), spec.opencode_port
        if spec.network_mode == "host":
            # Every container shares the host's ports: each OpenCode gets a free one of its own.
            port = _free_loopback_port()
        env["OPENCODE_PORT"] = str(port)
        labels[OPENCODE_PORT_LABEL] = str(port)
        with self._engine("create", secrets=secrets) as api:
            nano_cpus = spec.nano_cpus
            if sandbox_settings.SANDBOX_CLAMP_CPUS:
                host_cpus = api.info().get("NCPU") or 0
                if host_cpus and nano_cpus > host_cpus * 10**9:
                    logger.warning("Container %s: its tier asks for %s CPUs, the engine's host has %s; "
                                   "giving it %s", spec.name, nano_cpus / 10**9, host_cpus, host_cpus)
                    nano_cpus = host_cpus * 10**9
            limit_storage = bool(spec.storage_bytes) and api.base_url not in _NO_STORAGE_LIMIT
            try:
                created = self._create(api, spec, env=env, labels=labels, nano_cpus=nano_cpus,
                                       limit_storage=limit_storage)
            except docker_errors.APIError as exc:
                if not (limit_storage and _STORAGE_OPT_UNSUPPORTED.search(_explanation(exc))):
                    raise
                _NO_STORAGE_LIMIT.add(api.base_url)
                limit_storage = False
                created = self._create(api, spec, env=env, labels=labels, nano_cpus=nano_cpus,
                                       limit_storage=False)
            if spec.storage_bytes and not limit_storage:
                logger.warning("Container %s created without its storage limit (%s bytes): the engine's "
                               "storage driver cannot limit a container's size (overlay2 needs xfs with "
                               "pquota)", spec.name, spec.storage_bytes)
            return _info(api.inspect_container(created["Id"]))

    @staticmethod
    def _create(api: docker.APIClient, spec: ContainerSpec, *, env: dict[str, str], labels: dict[str, str],
                nano_cpus: int, limit_storage: bool) -> dict:
        host_config = api.create_host_config(
            init=True,
            network_mode=spec.network_mode,
            mem_limit=spec.memory_bytes,
            mem_reservation=spec.memory_reservation_bytes or None,
            nano_cpus=nano_cpus,
            pids_limit=spec.pids_limit,
            binds=spec.binds or None,
            device_requests=[DeviceRequest(count=-1, capabilities=[["gpu"]])] if spec.requires_gpu else None,
            # Hardening (sandboxes/conf.py says why each capability is kept): the agent's commands run here.
            security_opt=["no-new-privileges"],
            cap_drop=["ALL"],
            cap_add=list(sandbox_settings.SANDBOX_CAPABILITIES),
            storage_opt={"size": str(spec.storage_bytes)} if limit_storage else None,
        )
        return api.create_container(
            image=spec.image, name=spec.name, command=spec.command, environment=env,
            labels=labels, ports=list(spec.exposed_ports), host_config=host_config)

    def start(self, ref: ContainerRef) -> None:
        with self._engine("start") as api:
            api.start(self._container(api, ref))

    def stop(self, ref: ContainerRef, *, timeout: int | None = None) -> None:
        grace = sandbox_settings.SANDBOX_STOP_TIMEOUT if timeout is None else timeout
        with self._engine("stop") as api:
            # docker-py adds the grace period to the read bound
            api.stop(self._container(api, ref), timeout=grace)

    def restart(self, ref: ContainerRef, *, timeout: int | None = None) -> None:
        grace = sandbox_settings.SANDBOX_STOP_TIMEOUT if timeout is None else timeout
        with self._engine("restart") as api:
            api.restart(self._container(api, ref), timeout=grace)

    def pause(self, ref: ContainerRef) -> None:
        with self._engine("pause") as api:
            api.pause(self._container(api, ref))

    def unpause(self, ref: ContainerRef) -> None:
        with self._engine("unpause") as api:
            api.unpause(self._container(api, ref))

    def remove(self, ref: ContainerRef, *, remove_volumes: bool = False) -> None:
        with self._engine("remove") as api:
            try:
                container = self._container(api, ref)
            except ContainerNotFound:
                return
            try:
                api.remove_container(container, v=remove_volumes, force=True)
            except docker_errors.NotFound:
                return  # removed meanwhile
            except docker_errors.APIError as exc:
                if exc.status_code == 409 and "already in progress" in _explanation(exc):
                    return
                raise

    # -- reads ----------------------------------------------------------------------------------------

    def inspect(self, ref: ContainerRef) -> ContainerInfo | None:
        with self._engine("inspect") as api:
            try:
                container = self._container(api, ref)
            except ContainerNotFound:
                return None
            return _info(api.inspect_container(container))

    def logs(self, ref: ContainerRef, *, tail: int = 100, since: datetime | None = None,
             timestamps: bool = False) -> str:
        with self._engine("logs") as api:
            output = api.logs(self._container(api, ref), stdout=True, stderr=True, tail=tail,
                              since=since, timestamps=timestamps)
            return output.decode("utf-8", errors="replace")

    def stats(self, ref: ContainerRef) -> SandboxStats:
        with self._engine("stats") as api:
            return _stats(api.stats(self._container(api, ref), stream=False))

    def exec(self, ref: ContainerRef, command: list[str], *, working_dir: str | None = None,
             env: dict[str, str] | None = None, user: str | None = None) -> ExecResult:
        secrets = _secret_strings(env or {})
        exec_timeout = sandbox_settings.SANDBOX_ENGINE_EXEC_TIMEOUT
        with self._engine("exec", timeout=exec_timeout, secrets=secrets) as api:
            created = api.exec_create(self._container(api, ref), list(command), stdout=True, stderr=True,
                                      workdir=working_dir, environment=env or None, user=user or "")
            stdout, stderr = api.exec_start(created["Id"], demux=True)
            exit_code = api.exec_inspect(created["Id"]).get("ExitCode")
            return ExecResult(exit_code=exit_code if exit_code is not None else -1,
                              stdout=(stdout or b"").decode("utf-8", errors="replace"),
                              stderr=(stderr or b"").decode("utf-8", errors="replace"))

    def put_archive(self, ref: ContainerRef, path: str, data: bytes) -> None:
        with self._engine("put_archive") as api:
            # docker-py answers False instead of raising for a refused upload it did not map to an error.
            if not api.put_archive(self._container(api, ref), path, data):
                raise EngineError()

    def opencode_url(self, ref: ContainerRef) -> str | None:
        with self._engine("inspect") as api:
            attrs = api.inspect_container(self._container(api, ref))
        if not (attrs.get("State") or {}).get("Running"):
            return None
        port = ((attrs.get("Config") or {}).get("Labels") or {}).get(OPENCODE_PORT_LABEL)
        network_mode = (attrs.get("HostConfig") or {}).get("NetworkMode", "")
        if not port:
            return None
        if network_mode == "host":
            return f"http://127.0.0.1:{port}"
        networks = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
        address = next((net.get("IPAddress") for net in networks.values() if net.get("IPAddress")), None)
        return f"http://{address}:{port}" if address else None

    def engine_info(self) -> EngineInfo:
        with self._engine("info") as api:
            version, info = api.version(), api.info()
            return EngineInfo(version=version.get("Version", ""), api_version=version.get("ApiVersion", ""),
                              os=info.get("OperatingSystem", ""), arch=info.get("Architecture", ""),
                              containers_running=info.get("ContainersRunning", 0),
                              containers_stopped=info.get("ContainersStopped", 0),
                              images=info.get("Images", 0))


# -- helpers -------------------------------------------------------------------------------------------

def _free_loopback_port() -> int:
    """A port nothing listens on now (the engine's host is this host when networking is `host`)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _explanation(exc: docker_errors.APIError) -> str:
    return str(exc.explanation or "")


def _secret_strings(env: dict[str, str]) -> tuple[str, ...]:
    """Every value of an environment as an engine error could quote it: as is, JSON-escaped, and each
    string inside a JSON value (the credentials in OPENCODE_AUTH_JSON). Longest first."""
    found: set[str] = set()

    def leaves(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        elif isinstance(value, str):
            yield value

    for value in env.values():
        found.update({value, json.dumps(value)[1:-1]})
        try:
            found.update(leaves(json.loads(value)))
        except ValueError:
            pass
    return tuple(sorted((text for text in found if len(text) >= 6), key=len, reverse=True))


def _log(operation: str, exc: docker_errors.APIError, secrets: tuple[str, ...]) -> None:
    text = _explanation(exc)
    for secret in secrets:
        text = text.replace(secret, "***")
    logger.warning("Container engine refused %s (%s): %s", operation, exc.status_code, text[:500])


def container_status(state: dict | None) -> str:
    """The contract's status for an engine's `State` object (docker inspect), as the old server read it."""
    if not state:
        return ContainerStatus.UNKNOWN
    if state.get("Running"):
        if state.get("Paused"):
            return ContainerStatus.PAUSED
        if state.get("Restarting"):
            return ContainerStatus.RESTARTING
        return ContainerStatus.RUNNING
    if state.get("Dead"):
        return ContainerStatus.DEAD
    return {
        "created": ContainerStatus.CREATING,
        "exited": ContainerStatus.EXITED,
        "removing": ContainerStatus.REMOVING,
    }.get(state.get("Status"), ContainerStatus.STOPPED)


def _info(attrs: dict) -> ContainerInfo:
    state = attrs.get("State") or {}
    host = attrs.get("HostConfig") or {}
    config = attrs.get("Config") or {}
    health = state.get("Health")
    started = state.get("StartedAt") or ""  # "0001-01-01T00:00:00Z" when never started
    return ContainerInfo(
        id=attrs["Id"],
        name=(attrs.get("Name") or "").lstrip("/"),
        status=container_status(state),
        image=config.get("Image", ""),
        labels=config.get("Labels") or {},
        created_at=attrs.get("Created"),
        started_at=None if started.startswith("0001") else started or None,
        health={"status": health.get("Status"), "failingStreak": health.get("FailingStreak", 0),
                "lastCheck": (health.get("Log") or [{}])[-1].get("End")} if health else None,
        memory_limit=host.get("Memory") or 0,
        nano_cpus=host.get("NanoCpus") or 0,
        pids_limit=host.get("PidsLimit"),
        network_mode=host.get("NetworkMode", ""),
    )


def _stats(raw: dict) -> SandboxStats:
    """The old server's arithmetic (CPU share of the host across online CPUs, memory as reported)."""
    cpu, precpu = raw.get("cpu_stats") or {}, raw.get("precpu_stats") or {}
    cpu_delta = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (precpu.get("cpu_usage") or {}).get(
        "total_usage", 0)
    system_delta = (cpu.get("system_cpu_usage") or 0) - (precpu.get("system_cpu_usage") or 0)
    online = cpu.get("online_cpus") or 1
    memory = raw.get("memory_stats") or {}
    usage, limit = memory.get("usage") or 0, memory.get("limit") or 0
    networks = list((raw.get("networks") or {}).values())
    blkio = (raw.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []
    return SandboxStats(
        cpu_percent=(cpu_delta / system_delta) * online * 100 if system_delta > 0 else 0.0,
        memory_usage=usage,
        memory_limit=limit,
        memory_percent=(usage / limit) * 100 if limit else 0.0,
        network_rx=sum(net.get("rx_bytes", 0) for net in networks),
        network_tx=sum(net.get("tx_bytes", 0) for net in networks),
        block_read=sum(entry.get("value", 0) for entry in blkio if entry.get("op") == "Read"),
        block_write=sum(entry.get("value", 0) for entry in blkio if entry.get("op") == "Write"),
    )
