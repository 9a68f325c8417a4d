"""A real OpenCode server as a loopback process, for the tests that talk to OpenCode (spec/opencode.md).

The same binary the test image carries (`scripts/opencode.sh install`), run as `opencode serve` on
127.0.0.1 and a free port, in a temporary workspace, with a temporary HOME (and XDG folders) so nothing
of the machine's own OpenCode is read or written, the offline variables, a password (HTTP Basic, user
`opencode`) and a config that points at the tests' model server.

    process = OpenCodeProcess(binary, config=model.opencode_config()).start()
    process.endpoint       # OpenCodeEndpoint(base_url, password) for sandboxes.opencode clients
    process.kill()         # SIGKILL, e.g. while a message is in flight
    process.stop()

Readiness is polled with a short timeout per attempt: a request that reaches OpenCode while it is still
starting can hang without an answer (measured: a 60 s wait for the first request of a fresh server that
became ready after 2 s), so a long single wait would be a long hang.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "opencode.sh"

# Without these OpenCode tries to install plugins and fetch model lists from the internet, and hangs
# offline (opencode.md).
OFFLINE_ENV = {
    "OPENCODE_DISABLE_DEFAULT_PLUGINS": "1",
    "OPENCODE_DISABLE_MODELS_FETCH": "1",
    "OPENCODE_DISABLE_AUTOUPDATE": "1",
    "OPENCODE_DISABLE_LSP_DOWNLOAD": "1",
}
DEFAULT_PASSWORD = "test-opencode-password"
USERNAME = "opencode"


def pinned_version() -> str:
    """The `opencode-ai` version scripts/opencode.sh installs (its one definition)."""
    match = re.search(r"^VERSION=\$\{OPENCODE_NPM_VERSION:-([^}]+)\}", SCRIPT.read_text(), re.MULTILINE)
    assert match, "scripts/opencode.sh defines no VERSION"
    return os.environ.get("OPENCODE_NPM_VERSION") or match.group(1)


class OpenCodeUnavailableForTests(RuntimeError):
    """No OpenCode binary could be found or installed (the fixtures skip, or fail under CI=true)."""


def install_opencode(timeout: float = 600) -> str:
    """The path of the pinned `opencode` binary: $OPENCODE_BIN, or `scripts/opencode.sh install`."""
    if os.environ.get("OPENCODE_BIN"):
        path = os.environ["OPENCODE_BIN"]
        if not os.access(path, os.X_OK):
            raise OpenCodeUnavailableForTests(f"OPENCODE_BIN={path} is not an executable")
        return path
    try:
        run = subprocess.run(["bash", str(SCRIPT), "install"], capture_output=True, text=True,
                             timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OpenCodeUnavailableForTests(f"scripts/opencode.sh install did not finish: {exc}") from exc
    lines = run.stdout.strip().splitlines()
    if run.returncode != 0 or not lines or not os.access(lines[-1], os.X_OK):
        raise OpenCodeUnavailableForTests(
            f"scripts/opencode.sh install failed ({run.returncode}): {run.stderr.strip()[-800:]}")
    return lines[-1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OpenCodeProcess:
    def __init__(self, binary: str, *, config: dict | None = None, password: str | None = DEFAULT_PASSWORD,
                 workspace: Path | None = None, extra_env: dict[str, str] | None = None):
        self.binary = binary
        self.config = config
        self.password = password
        self.extra_env = extra_env or {}
        self._root = Path(tempfile.mkdtemp(prefix="agentpod-opencode-"))
        self.home = self._root / "home"
        self.workspace = workspace or self._root / "workspace"
        self.log_path = self._root / "opencode.log"
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.startup_seconds: float | None = None

    # -- where it is ----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self):
        from sandboxes.opencode import OpenCodeEndpoint

        return OpenCodeEndpoint(base_url=self.base_url, password=self.password or "")

    # -- life cycle -----------------------------------------------------------------------------------

    def start(self, timeout: float = 60) -> OpenCodeProcess:
        self.home.mkdir(parents=True, exist_ok=True)
        self.workspace.mkdir(parents=True, exist_ok=True)
        # A free port can be taken between probing and binding: try another one then.
        for attempt in range(3):
            self.port = free_port()
            started = time.monotonic()
            self._spawn()
            if self._wait_ready(started + timeout):
                self.startup_seconds = time.monotonic() - started
                return self
            exited = self.process.poll() is not None
            self.stop()
            if not exited or "EADDRINUSE" not in self.log_text() or attempt == 2:
                raise RuntimeError(f"opencode serve did not become healthy within {timeout} s "
                                   f"(exit code {self.process.returncode}); log:\n{self.log_text()[-2000:]}")
        raise AssertionError("unreachable")

    def spawn(self) -> OpenCodeProcess:
        """Launch `opencode serve` on a free port and return at once, without waiting for it to answer
        (as a container's OpenCode is launched): for tests of what reaches OpenCode while it starts."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.workspace.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self._spawn()
        return self

    def _spawn(self) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
            "TMPDIR": str(self._root),
            **OFFLINE_ENV,
        }
        if self.password:
            env["OPENCODE_SERVER_PASSWORD"] = self.password
        if self.config is not None:
            env["OPENCODE_CONFIG_CONTENT"] = json.dumps(self.config)
        env.update(self.extra_env)
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            # Its own session (process group), so stop()/kill() reach anything it started too.
            self.process = subprocess.Popen(
                [self.binary, "serve", "--pure", "--hostname", "127.0.0.1", "--port", str(self.port)],
                cwd=self.workspace, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        finally:
            log.close()

    def _wait_ready(self, deadline: float) -> bool:
        headers = {}
        if self.password:
            token = base64.b64encode(f"{USERNAME}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            request = urllib.request.Request(f"{self.base_url}/global/health", headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=0.5) as response:
                    if response.status == 200 and json.loads(response.read()).get("healthy"):
                        return True
            except (OSError, ValueError, urllib.error.URLError):
                pass
            time.sleep(0.05)
        return False

    def _signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL at once: OpenCode dies as in a crash, connections are cut mid-answer."""
        self._signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self._root, ignore_errors=True)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self) -> OpenCodeProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()
