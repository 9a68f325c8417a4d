"""Sandbox engine settings with their defaults (see `core.conf`), read at call time.

    from sandboxes.conf import sandbox_settings
    sandbox_settings.SANDBOX_CONTAINER_PREFIX

The old server's environment variables (`DOCKER_HOST`, `DOCKER_SOCKET`, `DOCKER_CONTAINER_PREFIX`,
`DOCKER_NETWORK`, `OPENCODE_SERVER_PORT`) keep working: `config/settings/base.py` reads them into these
names, so a deployment keeps its configuration.
"""

from core.conf import AppSettings

sandbox_settings = AppSettings({
    # Which orchestrator backend `get_orchestrator()` returns (a dotted path to a class).
    "SANDBOX_ORCHESTRATOR": "sandboxes.docker_backend.DockerOrchestrator",
    # -- engine connection ------------------------------------------------------------------------
    "SANDBOX_DOCKER_HOST": "unix:///var/run/docker.sock",
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
    # -- containers ---------------------------------------------------------------------------------
    "SANDBOX_CONTAINER_PREFIX": "agentpod",
    # Docker network mode or network name. Tests use "none" (no traffic at all).
    "SANDBOX_NETWORK_MODE": "bridge",
    # When a tier asks for more CPUs than the engine's host has, give the host's count (logged)
    # instead of failing the create.
    "SANDBOX_CLAMP_CPUS": True,
    # Whether the engine's host offers GPUs to containers (a GPU addon is refused otherwise).
    "SANDBOX_GPU_AVAILABLE": False,
    # Labels added to every container (tests add a per-run label to find and remove their containers).
    "SANDBOX_EXTRA_LABELS": dict,
    # None: the image's own command.
    "SANDBOX_CONTAINER_COMMAND": None,
    # A sandbox runs commands nobody reviewed (the agent's shell) beside other users' sandboxes: every
    # capability is dropped, then only these are given back (Docker's default adds nine more, among them
    # NET_RAW for forged packets on the shared network, MKNOD for device nodes, SYS_CHROOT, SETFCAP and
    # SETPCAP). Privilege escalation (setuid binaries such as sudo) is off as well ("no-new-privileges").
    "SANDBOX_CAPABILITIES": [
        "CHOWN",         # root in the image's entrypoint hands the home and workspace to the developer user
        "DAC_OVERRIDE",  # ... and installs packages (apt, npm -g) into directories it does not own
        "FOWNER",        # ... and changes modes and times of files owned by the developer user
        "SETUID",        # the entrypoint switches from root to the developer user (su/gosu)
        "SETGID",        # ... and to that user's groups
        "KILL",          # the init process (root) forwards stop signals to the developer user's processes
    ],
    # The OpenCode server inside the sandbox (api-contract 1.12): exposed, never published.
    "SANDBOX_OPENCODE_PORT": 4096,
    # A sandbox's repository (REPOS_DIR/<user id>/<repo name>, the repos app) is bind-mounted here.
    "SANDBOX_WORKSPACE_PATH": "/home/developer/workspace",
    # The engine's host folder behind REPOS_DIR, when the API sees it under another path (the API in a
    # container with REPOS_DIR mounted from the host). None: the engine's host is the API's.
    "SANDBOX_REPOS_HOST_DIR": None,
    # -- config push (api-contract 1.12, config-sync) ----------------------------------------------
    "SANDBOX_OPENCODE_CONFIG_DIR": "/home/developer/.config/opencode",
    "SANDBOX_OPENCODE_AUTH_PATH": "/home/developer/.local/share/opencode/auth.json",
    # The user config files are written as ("" or None: the image's default user).
    "SANDBOX_EXEC_USER": "developer",
    # Push in the request's thread (tests: the push has finished when the response arrives) instead of a
    # background thread.
    "SANDBOX_CONFIG_PUSH_INLINE": False,
})
