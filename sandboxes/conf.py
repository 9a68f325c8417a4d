"""Sandbox engine settings with their defaults, read at call time.

Each name can be set in Django settings (`settings.SANDBOX_NETWORK_MODE = "none"`); unset, the default
below applies, which for most names honours the old server's environment variable so a deployment
keeps its configuration (`DOCKER_HOST`, `DOCKER_CONTAINER_PREFIX`, `OPENCODE_REGISTRY_URL`, ...).
Reading at call time (not import time) lets tests change a setting with pytest-django's `settings`.

    from sandboxes.conf import sandbox_settings
    sandbox_settings.SANDBOX_CONTAINER_PREFIX
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings


def _docker_host() -> str:
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"]
    if os.environ.get("DOCKER_SOCKET"):  # the old server's variable: a socket path
        return f"unix://{os.environ['DOCKER_SOCKET']}"
    return "unix:///var/run/docker.sock"


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


DEFAULTS: dict[str, Any] = {
    # Which orchestrator backend `get_orchestrator()` returns (a dotted path to a class).
    "SANDBOX_ORCHESTRATOR": "sandboxes.docker_backend.DockerOrchestrator",
    # -- engine connection ------------------------------------------------------------------------
    "SANDBOX_DOCKER_HOST": _docker_host,
    # "auto" negotiates (works with Engine API 1.41, Debian's dockerd 20.10); pin e.g. "1.41" to save
    # one round trip per operation.
    "SANDBOX_DOCKER_API_VERSION": "auto",
    # Seconds. The connect timeout bounds the first exchange of every operation (version negotiation),
    # so an unreachable or hung engine is a fast EngineUnavailable; the call timeout bounds each later
    # read; exec gets its own, longer bound (a command may run quietly for a while).
    "SANDBOX_ENGINE_CONNECT_TIMEOUT": 3.0,
    "SANDBOX_ENGINE_TIMEOUT": 30.0,
    "SANDBOX_ENGINE_EXEC_TIMEOUT": 300.0,
    # Seconds a stop/restart waits for the container before killing it (the contract's default).
    "SANDBOX_STOP_TIMEOUT": 10,
    # -- images (api-contract 2.11 step 5) ----------------------------------------------------------
    # `<prefix>-<flavor>:<tag>`, or `<registry>/<owner>/<prefix>-<flavor>:<tag>` when a registry is set.
    "SANDBOX_IMAGE_REGISTRY": lambda: _env("OPENCODE_REGISTRY_URL", ""),
    "SANDBOX_IMAGE_OWNER": lambda: _env("OPENCODE_REGISTRY_OWNER", ""),
    "SANDBOX_IMAGE_NAME_PREFIX": "codeopen",
    "SANDBOX_IMAGE_TAG": lambda: _env("OPENCODE_CONTAINER_VERSION", "0.4.0"),
    # -- containers ---------------------------------------------------------------------------------
    "SANDBOX_CONTAINER_PREFIX": lambda: _env("DOCKER_CONTAINER_PREFIX", "agentpod"),
    # Docker network mode or network name. Tests use "none" (no traffic at all).
    "SANDBOX_NETWORK_MODE": lambda: _env("DOCKER_NETWORK", "bridge"),
    # The tier table has no pids column: the limit scales with the tier's CPU cores (the old
    # hard-coded table gave 256 processes per CPU).
    "SANDBOX_PIDS_PER_CPU": 256,
    # When a tier asks for more CPUs than the engine's host has, give the host's count (logged)
    # instead of failing the create.
    "SANDBOX_CLAMP_CPUS": True,
    # Whether the engine's host offers GPUs to containers (a GPU addon is refused otherwise).
    "SANDBOX_GPU_AVAILABLE": False,
    # Labels added to every container (tests add a per-run label to find and remove their containers).
    "SANDBOX_EXTRA_LABELS": dict,
    # None: the image's own command.
    "SANDBOX_CONTAINER_COMMAND": None,
    # The OpenCode server inside the sandbox (api-contract 1.12): exposed, never published.
    "SANDBOX_OPENCODE_PORT": lambda: int(_env("OPENCODE_SERVER_PORT", "4096")),
    # Repositories live under this folder on the engine's host; a sandbox's repository is bind-mounted
    # at SANDBOX_WORKSPACE_PATH when the folder exists. None: no mount.
    "SANDBOX_REPOS_DIR": None,
    "SANDBOX_WORKSPACE_PATH": "/home/workspace",
    # -- config push (api-contract 1.12, config-sync) ----------------------------------------------
    "SANDBOX_OPENCODE_CONFIG_DIR": "/home/developer/.config/opencode",
    "SANDBOX_OPENCODE_AUTH_PATH": "/home/developer/.local/share/opencode/auth.json",
    # The user config files are written as ("" or None: the image's default user).
    "SANDBOX_EXEC_USER": "developer",
}


class _SandboxSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        if hasattr(settings, name):
            return getattr(settings, name)
        default = DEFAULTS[name]
        return default() if callable(default) else default


sandbox_settings = _SandboxSettings()
