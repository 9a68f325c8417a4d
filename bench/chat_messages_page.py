"""Benchmark: one page of messages of a chat session holding 100,000 messages.

Builds a throwaway database on the embedded PostgreSQL (or DATABASE_URL's server), fills one session
with 100,000 messages by COPY, then times `GET /api/v2/sandboxes/{id}/chat/sessions/{sid}/messages`
through the whole Django stack (authentication, query, serialisation) for several pages.

    .venv/bin/python bench/chat_messages_page.py [--messages 100000] [--requests 50]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "agentpod_bench_chat"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    import psycopg

    from core.db.embedded import database_url

    server_url = os.environ.get("DATABASE_URL") or database_url()
    admin_url = server_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        connection.execute(f'CREATE DATABASE "{BENCH_DB}"')
    os.environ["DATABASE_URL"] = server_url.rsplit("/", 1)[0] + "/" + BENCH_DB
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DEBUG"] = "false"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.factories import ChatSessionFactory, SessionFactory

    setup_test_environment()
    call_command("migrate", verbosity=0)
    session = ChatSessionFactory()
    token = SessionFactory(user=session.user).token

    started = time.perf_counter()
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with connection.cursor() as cursor:
        with cursor.copy("COPY chat_messages (id, session_id, role, content, created_at) FROM STDIN") as copy:
            for n in range(args.messages):
                copy.write_row((f"m{n:07d}", session.id, "user" if n % 2 else "assistant",
                                '{"parts":[{"type":"text","text":"message %d"}]}' % n,
                                base + timedelta(seconds=n)))
        cursor.execute("ANALYZE chat_messages")
    print(f"loaded {args.messages} messages in {time.perf_counter() - started:.1f} s")

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v2/sandboxes/{session.sandbox_id}/chat/sessions/{session.id}/messages"
    client.get(url)  # warm up connections and caches
    timings = {}
    for label, query in [("first page", "?limit=50"), ("middle page", f"?limit=50&offset={args.messages // 2}"),
                         ("last page, desc", "?limit=100&order=desc")]:
        samples = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(url + query)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.content
        timings[label] = samples
    for label, samples in timings.items():
        samples.sort()
        print(f"{label:>16}: median {statistics.median(samples):6.1f} ms  p95 {samples[int(len(samples) * .95) - 1]:6.1f} ms"
              f"  max {samples[-1]:6.1f} ms  ({len(samples)} requests)")
    connection.close()
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')


if __name__ == "__main__":
    main()
