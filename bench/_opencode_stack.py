"""Shared set-up of the OpenCode benches (bench/opencode_*.py): a throwaway database, a real OpenCode as a
loopback process answering from the tests' model server, a user with a bearer token and a running sandbox
pointing at that OpenCode, and the API served the production way (uvicorn, `config.asgi:application`,
`config.settings.production`) as a child process on 127.0.0.1.

One SECRET_KEY, made here and put in the environment before Django is set up, is shared by this process
and the uvicorn child: the sandbox's OpenCode password is an HMAC of it (sandboxes/credentials.py), so
OpenCode starts with the password the API will send.

    url = django_setup("agentpod_bench_x")          # fresh database, migrated, Django ready here
    with opencode_sandbox() as stack, api_server() as api:
        ...                                           # stack.sandbox, stack.token, stack.opencode, api.url
    drop_database("agentpod_bench_x")
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _admin_url(server_url: str) -> str:
    return (server_url.rsplit("/", 1)[0] + "/postgres").replace("postgres://", "postgresql://")


PRIVATE_POSTGRES_DIR = Path(tempfile.gettempdir()) / "agentpod-bench-postgres"


def django_setup(database: str, *, private_server: bool = False) -> str:
    """A fresh database `database` on DATABASE_URL's server (or the embedded PostgreSQL), migrated, with
    Django set up in this process on the production settings; returns its URL (the child inherits it).

    `private_server`: an embedded PostgreSQL of the benches' own (PRIVATE_POSTGRES_DIR), stopped when this
    process exits, for a bench that may hold many connections: the shared one's 100 connections serve
    everyone's tests."""
    import psycopg

    from core.db.embedded import database_url

    if private_server:
        server_url = database_url(PRIVATE_POSTGRES_DIR)
    else:
        server_url = os.environ.get("DATABASE_URL") or database_url()
    with psycopg.connect(_admin_url(server_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')
    url = server_url.rsplit("/", 1)[0] + "/" + database
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ["SECRET_KEY"] = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def drop_database(database: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(_admin_url(os.environ["DATABASE_URL"]), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def wait_until_settled(pid: int, *, window: float = 1.0, busy_share: float = 0.05, timeout: float = 60) -> float:
    """Wait until process `pid` stays under `busy_share` of one core for a whole `window`; returns the wait.

    OpenCode does about 6 s of CPU work, more than one core, in the background after its first requests
    (it sets up the workspace's instance; measured on 1.18.33). A bench that measures straight away
    measures the API's threads waiting for a core behind that one-time work, not the API."""
    import psutil

    process = psutil.Process(pid)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = process.cpu_times()
        time.sleep(window)
        after = process.cpu_times()
        if (after.user - before.user) + (after.system - before.system) < busy_share * window:
            break
    return time.monotonic() - started


@dataclass
class Stack:
    sandbox: object
    token: str
    opencode: object  # tests.support.opencode_process.OpenCodeProcess
    model: object  # tests.support.model_server.ModelServer


@contextmanager
def opencode_sandbox(*, reply: str | None = None):
    """A user, a bearer token, a running sandbox and its real OpenCode (password derived as the API does)."""
    from sandboxes.credentials import opencode_password
    from sandboxes.models import SandboxStatus
    from tests.factories import SandboxFactory, SessionFactory
    from tests.support.model_server import ModelServer
    from tests.support.opencode_process import OpenCodeProcess, install_opencode

    binary = install_opencode()
    model = ModelServer(**({"reply_for": lambda body: reply} if reply else {})).start()
    process = None
    try:
        sandbox = SandboxFactory(status=SandboxStatus.RUNNING)
        token = SessionFactory(user=sandbox.user).token
        process = OpenCodeProcess(binary, config=model.opencode_config(), password=opencode_password(sandbox.pk))
        process.start()
        sandbox.opencode_url = process.base_url
        sandbox.save(update_fields=["opencode_url"])
        yield Stack(sandbox=sandbox, token=token, opencode=process, model=model)
    finally:
        if process is not None:
            process.cleanup()
        model.stop()


@dataclass
class ApiServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid


@contextmanager
def api_server(*, ready_path: str = "/health", timeout: float = 60, extra_args: tuple[str, ...] = ()):
    """`uvicorn config.asgi:application` on 127.0.0.1 and a free port: the production app as ONE process
    (granian's workers are child processes; one uvicorn process is measured directly), the production
    settings and this process's environment (DATABASE_URL, SECRET_KEY); its output goes to a log file."""
    from tests.support.opencode_process import free_port

    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="agentpod-bench-uvicorn-", suffix=".log")[1])
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn",
             "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
             *extra_args],
            cwd=ROOT, env=os.environ.copy(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    server = ApiServer(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited ({process.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(server.url + ready_path, timeout=1) as response:
                    response.read()
                break
            except urllib.error.HTTPError:
                break  # it answers: ready
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn not ready in {timeout} s:\n{log_path.read_text()[-3000:]}") from None
                time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} CPUs"


def percentile(sorted_samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_samples:
        return float("nan")
    index = max(0, min(len(sorted_samples) - 1, int(round(fraction * len(sorted_samples) + 0.5)) - 1))
    return sorted_samples[index]
