"""Benchmark: `manage.py import_sqlite` on a large legacy file, and its memory at two sizes.

Builds legacy files with the generator (spec section 10) into a temp dir, unless given with --file:

    python make_legacy_db.py --users 200 --sandboxes-per-user 5 --sessions-per-sandbox 10 \
        --messages-per-session 50 --activity 20000 --seed 7          (~532k rows, ~760 MiB)

and a smaller one (--messages-per-session 10), imports each into a fresh database on the embedded
PostgreSQL (or DATABASE_URL's server) with `manage.py import_sqlite` run as a subprocess, and prints
wall time, rows/s (total and chat_messages), and the subprocess's peak RSS (ru_maxrss of children).

    .venv/bin/python bench/import_large.py [--generator PATH] [--file big.sqlite] [--small-file small.sqlite]
"""

import argparse
import json
import os
import resource  # noqa: F401  (used in the measuring child)
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GENERATOR = ROOT.parent / "shared" / "tools" / "make_legacy_db.py"
BASE_ARGS = [
    "--users",
    "200",
    "--sandboxes-per-user",
    "5",
    "--sessions-per-sandbox",
    "10",
    "--activity",
    "20000",
    "--seed",
    "7",
]
KEY = "dev-encryption-key-32-bytes-long!"


def generate(generator: Path, out: Path, messages_per_session: int) -> Path:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(generator),
            "--out",
            str(out),
            *BASE_ARGS,
            "--messages-per-session",
            str(messages_per_session),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(
        f"generated {out.name} ({out.stat().st_size / 2**20:.0f} MiB) "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return out


def fresh_database(name: str) -> str:
    import psycopg

    from core.db.embedded import database_url

    server_url = os.environ.get("BENCH_SERVER_URL") or os.environ.get("DATABASE_URL") or database_url()
    admin_url = server_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = server_url.rsplit("/", 1)[0] + "/" + name
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    return url


# Runs the command as its only child and prints that child's peak RSS (KiB) last on stderr, so each
# import's figure is its own (ru_maxrss of children is a running maximum over all of them).
_MEASURE = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)"
)


def import_once(path: Path, url: str, report: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
    }
    with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as legacy:
        owner = legacy.execute('SELECT lower(trim(email)) FROM "user" ORDER BY rowid LIMIT 1').fetchone()[0]
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _MEASURE,
            sys.executable,
            "manage.py",
            "import_sqlite",
            str(path),
            "--owner",
            owner,
            "--legacy-encryption-key",
            KEY,
            "--report",
            str(report),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    peak_kib = int(result.stderr.strip().splitlines()[-1])
    if result.returncode not in (0, 1):
        sys.exit(f"import failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = json.loads(report.read_text())
    read = sum(t["read"] for app in data["apps"].values() for t in app["tables"].values())
    imported = sum(t["imported"] for app in data["apps"].values() for t in app["tables"].values())
    for label, app in data["apps"].items():
        if app.get("status", "imported") != "imported":
            print(f"{path.name}: app {label}: {app['status']}")
    chat = data["apps"]["chat"]["tables"]["chat_messages"]
    return {
        "wall_s": wall,
        "read": read,
        "imported": imported,
        "chat_messages": chat["imported"],
        "chat_s": chat["elapsed_s"],
        "peak_rss_mib": peak_kib / 1024,
        "exit": result.returncode,
        "summary": result.stdout,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", type=Path, default=GENERATOR)
    parser.add_argument("--file", type=Path, help="an existing large legacy file (skips generating it)")
    parser.add_argument(
        "--small-file", type=Path, help="an existing smaller legacy file (skips generating it)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="agentpod-bench-") as tmp:
        small = args.small_file or generate(args.generator, Path(tmp) / "small.sqlite", 10)
        large = args.file or generate(args.generator, Path(tmp) / "large.sqlite", 50)
        results = {}
        for label, path in (("small", small), ("large", large)):
            url = fresh_database(f"agentpod_bench_import_{label}")
            results[label] = import_once(path, url, Path(tmp) / f"{label}.json")
        load = os.getloadavg()
    print(results["large"]["summary"])
    for label, r in results.items():
        print(
            f"{label}: {r['read']} rows read, {r['imported']} imported in {r['wall_s']:.1f} s wall "
            f"({r['imported'] / r['wall_s']:,.0f} rows/s); "
            f"chat_messages {r['chat_messages']} in {r['chat_s']:.1f} s "
            f"({r['chat_messages'] / max(r['chat_s'], 1e-9):,.0f} rows/s); "
            f"peak RSS {r['peak_rss_mib']:.0f} MiB "
            f"(exit {r['exit']})"
        )
    print(
        f"memory: small {results['small']['peak_rss_mib']:.0f} MiB, "
        f"large {results['large']['peak_rss_mib']:.0f} MiB "
        f"for {results['small']['read']} vs {results['large']['read']} rows"
    )
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; cpus: {os.cpu_count()}")


if __name__ == "__main__":
    main()
