"""Benchmark: knowledge search over 10,000 documents, full-text (GIN) and vector (HNSW), through Django.

Builds a throwaway database on the embedded PostgreSQL (or DATABASE_URL's server), generates 10,000
documents of ~200 words from a fixed vocabulary, each with a random unit vector of 1536 dimensions, loads
them by COPY, builds the indexes, then times `POST /api/knowledge/search` through the whole Django stack
(authentication, query, serialisation of up to 10 full documents):
- full-text: `{"query": ...}` with no embeddings API configured (ts_rank_cd over the GIN index);
- vector: `{"query": ..., "useSemanticSearch": true}` (HNSW, cosine); the query's embedding comes from a
  loopback embeddings API and is cached after the warm-up, so the API's latency is not in the figures;
- hybrid: `{"query": ...}` with embeddings (both rankings fused).

    .venv/bin/python bench/knowledge_search.py [--documents 10000] [--requests 200] [--keep]
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "agentpod_bench_knowledge"
CATEGORIES = ["project_template", "agent_pattern", "command_template", "tool_template", "plugin_template",
              "mcp_template", "workflow_pattern", "best_practice", "provider_guide"]
FULL_TEXT_QUERIES = ["docker deployment", "testing", "react hooks", "database migrations", "review agent",
                     "kubernetes", "python tests", '"continuous integration"', "cache -redis", "api service"]


def vocabulary(rng: random.Random) -> list[str]:
    known = ("docker deployment testing tests react hooks database migrations review agent kubernetes python "
             "continuous integration cache redis api service frontend backend template command plugin workflow "
             "provider model prompt schema index query vector search review lint build release").split()
    made = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10)))
            for _ in range(3000)]
    return known + made


def percentile(samples: list[float], fraction: float) -> float:
    return samples[min(len(samples) - 1, int(len(samples) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help=f"Keep the database {BENCH_DB} afterwards.")
    args = parser.parse_args()

    import psycopg

    from core.db.embedded import database_url

    server_url = os.environ.get("DATABASE_URL") or database_url()
    admin_url = server_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    os.environ["DATABASE_URL"] = server_url.rsplit("/", 1)[0] + "/" + BENCH_DB
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DEBUG"] = "false"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.factories import SessionFactory, UserFactory
    from tests.knowledge.embeddings_server import EmbeddingsServer

    setup_test_environment()
    call_command("migrate", verbosity=0)
    token = SessionFactory(user=UserFactory()).token

    rng = random.Random(13)
    words = vocabulary(rng)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX knowledge_embedding_hnsw_idx")  # built once after the load: much faster
        columns = "id, category, title, description, content, tags, embedding, embedding_status"
        with cursor.copy(f"COPY knowledge_documents ({columns}) FROM STDIN") as copy:
            for n in range(args.documents):
                vector = [rng.gauss(0, 1) for _ in range(1536)]
                norm = sum(x * x for x in vector) ** 0.5
                copy.write_row((
                    f"bench-{n:05d}", CATEGORIES[n % len(CATEGORIES)], " ".join(rng.choices(words, k=4)),
                    " ".join(rng.choices(words, k=12)), " ".join(rng.choices(words, k=200)),
                    '["%s","%s"]' % tuple(rng.choices(words[:40], k=2)),
                    "[" + ",".join(f"{x / norm:.5f}" for x in vector) + "]", "completed"))
        loaded = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("CREATE INDEX knowledge_embedding_hnsw_idx ON knowledge_documents "
                       "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)")
        cursor.execute("ANALYZE knowledge_documents")
    print(f"loaded {args.documents} documents in {loaded - started:.1f} s, "
          f"HNSW index built in {time.perf_counter() - loaded:.1f} s")

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def run(label: str, bodies: list[dict]) -> None:
        for body in bodies:  # warm-up: connections, caches, the query embeddings
            client.post("/api/knowledge/search", body, content_type="application/json")
        samples, found = [], 0
        for n in range(args.requests):
            body = bodies[n % len(bodies)]
            start = time.perf_counter()
            response = client.post("/api/knowledge/search", body, content_type="application/json")
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.content
            found += len(response.json()["documents"])
        mode = response.json()["searchMode"]
        samples.sort()
        print(f"{label:>10} ({mode}): p50 {statistics.median(samples):6.1f} ms  p99 {percentile(samples, .99):6.1f} ms"
              f"  max {samples[-1]:6.1f} ms  ({len(samples)} requests, {found / len(samples):.1f} documents each)")

    settings.KNOWLEDGE_EMBEDDINGS_URL = ""
    run("full-text", [{"query": query} for query in FULL_TEXT_QUERIES])
    with EmbeddingsServer() as embeddings_api:
        settings.KNOWLEDGE_EMBEDDINGS_URL = embeddings_api.url
        run("vector", [{"query": query, "useSemanticSearch": True} for query in FULL_TEXT_QUERIES])
        run("hybrid", [{"query": query} for query in FULL_TEXT_QUERIES])
    connection.close()
    if not args.keep:
        with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')


if __name__ == "__main__":
    main()
