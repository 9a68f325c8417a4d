"""Benchmark: 200 concurrent SSE clients on `GET /api/v2/sandboxes/{id}/opencode/event` on one server process
for 60 s (issue 11; targets: every client receives every event; the server's RSS grows under 50 MiB).

The API runs the production way (uvicorn, `config.asgi:application`, `config.settings.production`, one
process on 127.0.0.1) in front of a real OpenCode on loopback (bench/_opencode_stack.py), on an embedded
PostgreSQL of the benches' own (each stream may hold a connection; the shared server's 100 serve everyone's
tests). A reference client reads OpenCode's own `/event` directly. Once every API client has received its
upstream's `server.connected` (so each relay is subscribed), a generator creates OpenCode sessions and sends
messages, straight to OpenCode, for `--duration` seconds. Afterwards every client's sequence of event ids
is compared with the reference's (the per-connection `server.connected` and `server.heartbeat` left out):
missing, out of order, duplicated, or not OpenCode's, and its `event:` line against the JSON's `type`.

The uvicorn process's RSS (psutil) is sampled every second: after start and a warm-up (one proxied call,
one short stream), with all clients connected, its peak, at the end with the clients still connected, and
after they have gone.


    .venv/bin/python bench/opencode_event_streams.py [--clients 200] [--duration 60]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass, field

from _opencode_stack import api_server, django_setup, drop_database, load_average, opencode_sandbox, percentile

BENCH_DB = "agentpod_bench_event_streams"
PER_CONNECTION = ("server.connected", "server.heartbeat")
MiB = 2**20


@dataclass
class Record:
    events: list[tuple[str, float]] = field(default_factory=list)  # (event id, monotonic time received)
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    status: int | None = None
    comments: int = 0
    type_mismatches: int = 0
    unparsed: int = 0
    error: str | None = None
    ended: bool = False


def event_id(data: str) -> str | None:
    # The relay and OpenCode both put the id first: {"id":"evt_...","type":...}
    if data.startswith('{"id":"'):
        end = data.find('"', 7)
        return data[7:end] if end > 0 else None
    return None


def event_type(data: str) -> str | None:
    start = data.find('"type":"')
    if start < 0:
        return None
    start += 8
    return data[start:data.find('"', start)]


async def read_stream(client, url: str, record: Record, **options) -> None:
    """Reads one SSE stream into `record` until cancelled or the server ends it."""
    try:
        async with client.stream("GET", url, **options) as response:
            record.status = response.status_code
            if response.status_code != 200:
                record.error = f"HTTP {response.status_code}: {(await response.aread())[:200]!r}"
                return
            kind, data = None, None
            async for line in response.aiter_lines():
                if not line:
                    if data is not None:
                        ident, typ = event_id(data), event_type(data)
                        if ident is None or typ is None:
                            record.unparsed += 1
                        else:
                            if kind is not None and kind != typ:
                                record.type_mismatches += 1
                            if typ == "server.connected":
                                record.connected.set()
                            elif typ not in PER_CONNECTION:
                                record.events.append((ident, time.monotonic()))
                    kind, data = None, None
                elif line.startswith(":"):
                    record.comments += 1
                elif line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].lstrip(" ")
            record.ended = True
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported per client
        record.error = f"{type(exc).__name__}: {exc}"


async def generate(opencode_url: str, password: str, until: float) -> tuple[int, int]:
    """Sessions created and messages sent (each answered) straight to OpenCode until `until`."""
    import httpx

    sessions = messages = 0
    async with httpx.AsyncClient(base_url=opencode_url, auth=("opencode", password), trust_env=False,
                                 timeout=120) as opencode:
        while time.monotonic() < until:
            session = (await opencode.post("/session", json={"title": f"Stream bench {sessions}"})).json()
            sessions += 1
            for n in range(2):
                if time.monotonic() >= until:
                    break
                response = await opencode.post(f"/session/{session['id']}/message",
                                               json={"parts": [{"type": "text", "text": f"Message {n}"}]})
                response.raise_for_status()
                messages += 1
    return sessions, messages


async def run(args, stack, api) -> None:  # noqa: C901, PLR0915 - one linear scenario
    import httpx
    import psutil
    import psycopg

    server = psutil.Process(api.pid)
    rss: list[tuple[float, int]] = []
    url = f"{api.url}/api/v2/sandboxes/{stack.sandbox.pk}/opencode/event"
    headers = {"Authorization": f"Bearer {stack.token}", "Accept": "text/event-stream"}
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    timeout = httpx.Timeout(60, read=None)

    async def sample_rss(stop: asyncio.Event):
        while not stop.is_set():
            rss.append((time.monotonic(), server.memory_info().rss))
            try:
                await asyncio.wait_for(stop.wait(), 1)
            except TimeoutError:
                pass

    import os

    # Opened before the clients, so it still counts when they have taken every connection the server allows.
    monitor = psycopg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://"), autocommit=True)

    def database_connections() -> str:
        total = monitor.execute("SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = %s",
                                [BENCH_DB]).fetchone()[0]
        return f"{total}"

    async with httpx.AsyncClient(limits=limits, timeout=timeout, trust_env=False) as client:
        # Warm-up: one proxied call and one short stream, so the baseline has the code paths loaded.
        (await client.get(f"{api.url}/api/v2/sandboxes/{stack.sandbox.pk}/opencode/session",
                          headers={"Authorization": f"Bearer {stack.token}"})).raise_for_status()
        warm = Record()
        warm_task = asyncio.create_task(read_stream(client, url, warm, headers=headers))
        await asyncio.wait_for(warm.connected.wait(), 30)
        warm_task.cancel()
        await asyncio.gather(warm_task, return_exceptions=True)
        await asyncio.sleep(2)
        baseline = server.memory_info().rss
        baseline_threads = server.num_threads()
        db_before = await asyncio.to_thread(database_connections)

        stop_sampling = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(stop_sampling))
        reference = Record()
        reference_task = asyncio.create_task(read_stream(
            client, f"{stack.opencode.base_url}/event", reference, auth=("opencode", stack.opencode.password)))
        await asyncio.wait_for(reference.connected.wait(), 30)

        records = [Record() for _ in range(args.clients)]
        started = time.monotonic()
        tasks = [asyncio.create_task(read_stream(client, url, record, headers=headers)) for record in records]
        try:
            await asyncio.wait_for(asyncio.gather(*(r.connected.wait() for r in records)), 120)
        except TimeoutError:
            pass
        connect_seconds = time.monotonic() - started
        subscribed = sum(r.connected.is_set() for r in records)
        connected_rss = server.memory_info().rss
        connected_threads = server.num_threads()
        db_during = await asyncio.to_thread(database_connections)

        mark = len(reference.events)
        run_started = time.monotonic()
        sessions, messages = await generate(stack.opencode.base_url, stack.opencode.password,
                                            run_started + args.duration)
        generated_seconds = time.monotonic() - run_started
        expected = [ident for ident, _ in reference.events[mark:]]
        # Let the last events reach every client (at most --settle seconds).
        deadline = time.monotonic() + args.settle
        last = expected[-1] if expected else None
        while last and time.monotonic() < deadline:
            if all(any(ident == last for ident, _ in r.events[-50:]) for r in records):
                break
            await asyncio.sleep(0.2)
        expected = [ident for ident, _ in reference.events[mark:]]
        end_rss = server.memory_info().rss
        db_end = await asyncio.to_thread(database_connections)

        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(5)
        gone_rss = server.memory_info().rss
        gone_threads = server.num_threads()
        db_gone = await asyncio.to_thread(database_connections)
        stop_sampling.set()
        await sampler
        reference_task.cancel()
        await asyncio.gather(reference_task, return_exceptions=True)
    max_connections = monitor.execute("SHOW max_connections").fetchone()[0]
    monitor.close()

    # -- compare ---------------------------------------------------------------------------------------------
    expected_set = set(expected)
    received_at = dict(reference.events)
    per_client, missing_total, clients_missing, out_of_order, duplicates, foreign, lags = [], 0, 0, 0, 0, 0, []
    for record in records:
        seen = [ident for ident, _ in record.events if ident in expected_set]
        per_client.append(len(seen))
        missing = len(expected_set - set(seen))
        missing_total += missing
        clients_missing += bool(missing)
        duplicates += len(seen) - len(set(seen))
        out_of_order += seen != [ident for ident in expected if ident in set(seen)]
        foreign += sum(1 for ident, _ in record.events if ident not in received_at)
        lags.extend((at - received_at[ident]) * 1000 for ident, at in record.events if ident in expected_set)
    errors = [r.error for r in records if r.error]
    ended = sum(r.ended for r in records)
    peak = max(value for _, value in rss) if rss else end_rss
    lags.sort()

    print(f""
          f"uvicorn pid {api.pid}, one process; {load_average()}")
    print(f"clients: {args.clients}, subscribed (got server.connected) {subscribed} in {connect_seconds:.1f} s; "
          f"errors {len(errors)}{' e.g. ' + errors[0] if errors else ''}; streams ended by the server {ended}")
    print(f"generated for {generated_seconds:.0f} s: {sessions} sessions, {messages} messages answered; "
          f"{len(expected)} events on OpenCode's own stream")
    print(f"events per client: min {min(per_client)}, median {statistics.median(per_client):.0f}, "
          f"max {max(per_client)} of {len(expected)}; missing {missing_total} (clients missing any: "
          f"{clients_missing}); out of order {out_of_order}; duplicates {duplicates}; not OpenCode's {foreign}; "
          f"event:/type mismatches {sum(r.type_mismatches for r in records)}; unparsed "
          f"{sum(r.unparsed for r in records)}; comments (connected/heartbeat) {sum(r.comments for r in records)}")
    if lags:
        print(f"delivery lag behind the direct reference: p50 {percentile(lags, .5):.1f} ms, "
              f"p99 {percentile(lags, .99):.1f} ms, max {lags[-1]:.1f} ms")
    print(f"server RSS: before {baseline / MiB:.1f} MiB, all connected {connected_rss / MiB:.1f} MiB, "
          f"peak {peak / MiB:.1f} MiB, end (clients connected) {end_rss / MiB:.1f} MiB, "
          f"after they left {gone_rss / MiB:.1f} MiB; growth {(end_rss - baseline) / MiB:+.1f} MiB at the end, "
          f"{(peak - baseline) / MiB:+.1f} MiB at the peak")
    print(f"server threads: before {baseline_threads}, all connected {connected_threads}, after they left {gone_threads}")
    print(f"PostgreSQL connections of the bench database: before {db_before}, all connected {db_during}, "
          f"end {db_end}, after they left {db_gone} (server max_connections {max_connections})")
    if errors:
        print("first distinct errors:", "; ".join(sorted(set(errors))[:3]))
    every = missing_total == 0 and not errors and subscribed == args.clients and out_of_order == 0 and bool(expected)
    print(f"target every client receives every event: {'MET' if every else 'MISSED'}; "
          f"target RSS growth < 50 MiB: {'MET' if (peak - baseline) < 50 * MiB else 'MISSED'} (peak - before)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--settle", type=float, default=15, help="seconds for the last events to arrive")
    args = parser.parse_args()

    django_setup(BENCH_DB, private_server=True)
    try:
        print(load_average())
        with opencode_sandbox() as stack, api_server() as api:
            asyncio.run(run(args, stack, api))
    finally:
        drop_database(BENCH_DB)


if __name__ == "__main__":
    main()
