"""Benchmark: authenticated GETs and /health under load, this checkout against an earlier commit, in one run.

Each target is a checkout served the production way (its command below) on 127.0.0.1, with a database of
its own on the embedded PostgreSQL (migrated, one user, one Better Auth session token). wrk (Debian's,
installed by this script when missing) drives each endpoint with `-t2 -c10` and a bearer token; the
targets take turns endpoint by endpoint, so a noisy machine slows both alike. Printed per endpoint and
target: requests/s, p50 and p99 latency, and the ratio of the current checkout to the baseline.

    .venv/bin/python bench/http_throughput.py [--baseline COMMIT] [--duration 10] [--rounds 2]
        [--servers granian uvicorn gunicorn-sync]  (the current checkout under each of these)

The baseline runs as the project was served before this bench existed: gunicorn with 2 sync workers on
config.wsgi (its README: "serve config.wsgi:application with any WSGI server").
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
DEFAULT_BASELINE = "d9695ee"  # main before the hot-path work of issue 15
ENDPOINTS = ["/api/resource-tiers", "/api/users/me/preferences", "/api/flavors", "/health"]
SECRET_KEY = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"

# The production command of each server, 2 worker processes on a 2-core machine.
SERVERS = {
    "gunicorn-sync": ["{bin}/gunicorn", "--workers", "2", "--bind", "127.0.0.1:{port}", "--log-level", "warning",
                      "config.wsgi:application"],
    "uvicorn": ["{bin}/uvicorn", "config.asgi:application", "--workers", "2", "--host", "127.0.0.1",
                "--port", "{port}", "--loop", "uvloop", "--http", "httptools", "--no-access-log",
                "--log-level", "warning"],
    "granian": ["{bin}/granian", "--interface", "asgi", "--workers", "2", "--host", "127.0.0.1", "--port", "{port}",
                "--loop", "uvloop", "--no-ws", "--log-level", "warning", "config.asgi:application"],
}


@dataclass
class Target:
    name: str
    checkout: Path
    server: str
    database: str
    port: int = 0
    token: str = ""
    process: subprocess.Popen | None = None
    results: dict[str, list[dict]] = field(default_factory=dict)

    def env(self, database_url: str) -> dict:
        return {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.production",
                "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1,localhost", "DEBUG": "false",
                "PYTHONPATH": str(self.checkout), "AUTH_RATE_LIMIT": "100000/1s", "LOG_LEVEL": "WARNING"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_wrk() -> str:
    if shutil.which("wrk"):
        return shutil.which("wrk")
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


def ensure_checkout(commit: str) -> Path:
    path = Path(tempfile.gettempdir()) / f"agentpod-bench-{commit}"
    if not (path / "manage.py").exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(path), commit],
                       check=True, capture_output=True)
    return path


def prepare(target: Target, server_url: str) -> None:
    """A fresh migrated database with one signed-in user, for this target's code."""
    import psycopg

    admin = server_url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{target.database}"')
    url = server_url.rsplit("/", 1)[0] + "/" + target.database
    env = target.env(url)
    manage = [str(VENV_BIN / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=target.checkout, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=target.checkout, env=env,
                   check=False, capture_output=True)
    script = ("from datetime import timedelta; from django.utils import timezone; "
              "from accounts.models import Session, User; from core.ids import session_token; "
              "u = User.objects.create_user(email='bench@example.com', password='bench-password-1'); "
              "print(Session.objects.create(user=u, token=session_token(), "
              "expires_at=timezone.now() + timedelta(days=7)).token)")
    run = subprocess.run([*manage, "shell", "-c", script], cwd=target.checkout, env=env, check=True,
                         capture_output=True, text=True)
    target.token = run.stdout.strip().splitlines()[-1]
    target.port = free_port()
    command = [part.format(bin=VENV_BIN, port=target.port) for part in SERVERS[target.server]]
    target.process = subprocess.Popen(command, cwd=target.checkout, env=env, start_new_session=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{target.port}/api/resource-tiers",
                                             headers={"Authorization": f"Bearer {target.token}"})
            if urllib.request.urlopen(request, timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{target.name} did not start: {target.process.stderr.read(2000) if target.process else ''}")


def stop(target: Target) -> None:
    if target.process and target.process.poll() is None:
        os.killpg(target.process.pid, signal.SIGTERM)
        try:
            target.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(target.process.pid, signal.SIGKILL)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(binary: str, target: Target, path: str, duration: int) -> dict:
    command = [binary, "-t2", "-c10", f"-d{duration}s", "--latency",
               "-H", f"Authorization: Bearer {target.token}", f"http://127.0.0.1:{target.port}{path}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {"rps": rate, "p50": p50, "p99": p99, "errors": int(non_2xx.group(1)) if non_2xx else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="measurements per endpoint and target")
    parser.add_argument("--servers", nargs="+", default=["granian"], choices=sorted(SERVERS),
                        help="serve the current checkout under each of these")
    args = parser.parse_args()

    from core.db.embedded import database_url

    server_url = os.environ.get("DATABASE_URL") or database_url()
    binary = ensure_wrk()
    targets = [Target("baseline", ensure_checkout(args.baseline), "gunicorn-sync", "agentpod_bench_http_base")]
    targets += [Target(f"current ({name})", ROOT, name, f"agentpod_bench_http_{name.replace('-', '_')}")
                for name in args.servers]
    try:
        for target in targets:
            prepare(target, server_url)
        for path in ENDPOINTS:
            for target in targets:
                wrk(binary, target, path, 2)  # warm: connections, caches
            for _ in range(args.rounds):
                for target in targets:
                    target.results.setdefault(path, []).append(wrk(binary, target, path, args.duration))
    finally:
        for target in targets:
            stop(target)

    print(f"\nwrk -t2 -c10 -d{args.duration}s, {args.rounds} rounds (median shown); baseline {args.baseline} "
          f"under gunicorn sync x2, cores: {os.cpu_count()}")
    header = f"{'endpoint':<28}" + "".join(f"{t.name:>34}" for t in targets)
    print(header + f"{'ratio':>10}")
    for path in ENDPOINTS:
        cells, rates = [], []
        for target in targets:
            runs = target.results[path]
            rps = statistics.median(r["rps"] for r in runs)
            p50 = statistics.median(r["p50"] for r in runs)
            p99 = statistics.median(r["p99"] for r in runs)
            errors = sum(r["errors"] for r in runs)
            rates.append(rps)
            cells.append(f"{rps:>9.0f} req/s {p50:>6.2f} {p99:>7.2f} ms" + (f" ({errors} err)" if errors else ""))
        ratio = max(rates[1:]) / rates[0] if rates[0] else float("nan")
        print(f"{path:<28}" + "".join(f"{cell:>34}" for cell in cells) + f"{ratio:>9.2f}x")
    print("(columns: requests/s, p50, p99; ratio: best current server / baseline)")


if __name__ == "__main__":
    main()
