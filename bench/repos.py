"""Benchmark: the file listing of a 10,000-file repository and the log of a 5,000-commit history.

Builds both repositories with `git fast-import` in a temp dir used as REPOS_DIR, a throwaway database on
the embedded PostgreSQL (or DATABASE_URL's server) for the user and their session, then times
`GET /api/v2/repos/{name}/files` and `GET /api/v2/repos/{name}/log` through the whole Django stack
(authentication, pygit2, serialisation). Targets: listing p99 under 100 ms, log p99 under 50 ms. The
listing is timed as served (repos.git keeps recent listings by tree id) and uncached (a first read).

    .venv/bin/python bench/repos.py [--files 10000] [--commits 5000] [--requests 200]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "agentpod_bench_repos"


def fast_import(path: Path, stream: bytes) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=stream, check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, check=True)


def many_files(count: int) -> bytes:
    """One commit holding `count` files in the root folder (the worst case for one listing)."""
    lines = [b"commit refs/heads/main", b"committer Bench <bench@example.com> 1767225600 +0000", b"data 5",
             b"Files"]
    for n in range(count):
        content = f"file {n}\n".encode()
        lines += [f"M 100644 inline src_{n:05d}.py".encode(), f"data {len(content)}".encode(), content]
    return b"\n".join(lines) + b"\n"


def long_history(count: int) -> bytes:
    """`count` commits, each changing one file."""
    lines = []
    for n in range(count):
        message, content = f"Commit {n}".encode(), f"version {n}\n".encode()
        lines += [b"commit refs/heads/main", f"mark :{n + 1}".encode(),
                  f"committer Bench <bench@example.com> {1767225600 + n * 60} +0000".encode(),
                  f"data {len(message)}".encode(), message]
        if n:
            lines.append(f"from :{n}".encode())
        lines += [b"M 100644 inline history.txt", f"data {len(content)}".encode(), content]
    return b"\n".join(lines) + b"\n"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import psycopg

    from core.db.embedded import database_url

    server_url = os.environ.get("DATABASE_URL") or database_url()
    admin_url = server_url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    repos_dir = Path(tempfile.mkdtemp(prefix="agentpod-bench-repos-"))
    os.environ.update(DATABASE_URL=server_url.rsplit("/", 1)[0] + "/" + BENCH_DB, REPOS_DIR=str(repos_dir),
                      DJANGO_SETTINGS_MODULE="config.settings.local", DEBUG="false")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.factories import SessionFactory

    setup_test_environment()
    call_command("migrate", verbosity=0)
    session = SessionFactory()
    user_dir = repos_dir / str(session.user_id)

    started = time.perf_counter()
    fast_import(user_dir / "wide", many_files(args.files))
    fast_import(user_dir / "long", long_history(args.commits))
    print(f"built a {args.files}-file repository and a {args.commits}-commit history in "
          f"{time.perf_counter() - started:.1f} s")

    from repos import git

    client = Client(HTTP_AUTHORIZATION=f"Bearer {session.token}")
    # (label, url, entries expected, target p99 in ms, whether each request starts without cached listings)
    cases = [("files, 10k-entry root", "/api/v2/repos/wide/files", args.files, 100, False),
             ("files, uncached", "/api/v2/repos/wide/files", args.files, 100, True),
             ("log, limit 20", "/api/v2/repos/long/log", 20, 50, False),
             ("log, limit 100", "/api/v2/repos/long/log?limit=100", 100, 50, False)]
    try:
        for label, url, expected, target, uncached in cases:
            client.get(url)  # warm up the connection, the session lookup and libgit2's caches
            samples = []
            for _ in range(args.requests):
                if uncached:
                    git._listings.clear()  # the listing cache of repos.git, emptied to time a first read
                start = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.content
            body = response.json()
            assert len(body.get("files", body.get("commits", []))) == expected
            p50, p99 = percentile(samples, 0.50), percentile(samples, 0.99)
            verdict = "ok" if p99 < target else "OVER TARGET"
            print(f"{label:>22}: p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  (target < {target} ms: {verdict}; "
                  f"{len(samples)} requests)")
    finally:
        connection.close()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        subprocess.run(["rm", "-rf", str(repos_dir)], check=True)


if __name__ == "__main__":
    main()
