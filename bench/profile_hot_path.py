"""Profile: where the CPU time of one authenticated GET goes, in process (no server, no network).

Builds a throwaway database on the embedded PostgreSQL, signs a user in, then serves `--requests` requests
of each endpoint through Django's WSGI handler, the one production runs the sync views on (the request
signals, the connection pool, the whole middleware stack, DRF, the credential lookup, the query, the
renderer) under cProfile, and prints per endpoint: CPU time per request, queries per request,
and the functions that cost the most (own time and cumulative). Production settings, DEBUG off.

    .venv/bin/python bench/profile_hot_path.py [--requests 500] [--top 25]
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "agentpod_bench_profile"
ENDPOINTS = ["/api/resource-tiers", "/api/users/me/preferences", "/api/flavors", "/health"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    import psycopg

    from core.db.embedded import database_url

    server_url = os.environ.get("DATABASE_URL") or database_url()
    admin_url = server_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        connection.execute(f'CREATE DATABASE "{BENCH_DB}"')
    os.environ["DATABASE_URL"] = server_url.rsplit("/", 1)[0] + "/" + BENCH_DB
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from core.db.notifications import listener

    from accounts.models import Session, User
    from core.ids import session_token

    call_command("migrate", verbosity=0)
    user = User.objects.create_user(email="bench@example.com", password="bench-password-1")
    from datetime import timedelta

    from django.utils import timezone

    token = Session.objects.create(user=user, token=session_token(), expires_at=timezone.now() + timedelta(days=7)).token
    handler = get_wsgi_application()
    deadline = time.monotonic() + 10
    while not listener.listening and time.monotonic() < deadline:  # as a server does once it has started
        time.sleep(0.05)

    def get(url: str) -> str:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": url, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "HTTP_AUTHORIZATION": f"Bearer {token}",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}
        status = []
        b"".join(handler(environ, lambda code, headers: status.append(code)))
        return status[0]

    for url in ENDPOINTS:
        for _ in range(20):  # warm: imports, caches, the pool
            assert get(url).startswith("200"), url
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
            get(url)
        profiler = cProfile.Profile()
        started = time.process_time()
        profiler.enable()
        for _ in range(args.requests):
            get(url)
        profiler.disable()
        cpu = (time.process_time() - started) / args.requests * 1000
        print(f"\n== GET {url}: {cpu:.2f} ms CPU per request (under the profiler), "
              f"{len(queries)} queries")
        for sort in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort).print_stats(args.top)
            lines = [line for line in out.getvalue().splitlines() if line.strip()]
            start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
            print(f"-- by {sort}")
            print("\n".join(lines[start:start + args.top + 1]))
    connection.close()
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
