"""Benchmark: what the OpenCode proxy adds to a call, `GET /api/v2/sandboxes/{id}/opencode/session` through the
API minus the same `GET /session` straight to OpenCode (issue 11; target: p50 overhead under 5 ms).

A real OpenCode runs as a loopback process (tests/support/opencode_process.py) with the password the API
derives for the sandbox; the API is served the production way, `uvicorn config.asgi:application` with
`config.settings.production`, one process on 127.0.0.1, on an embedded PostgreSQL of the benches' own
(bench/_opencode_stack.py). The bench creates
`--sessions` OpenCode sessions so the listing has a body, then sends `--requests` sequential requests to
each side, interleaved (API, direct, API, direct...) so that noise from other work on the machine falls on
both alike, each side on one keep-alive httpx connection. It starts once OpenCode has finished the start-up
work its first requests set off (`wait_until_settled`): a long-running sandbox has long finished it.

Each request starts `--think-ms` after the previous answer, as a client's do. Back to back (`--think-ms 0`)
the comparison is unfair to the API: OpenCode answers a request that arrives within half a millisecond of
its previous answer faster than one that arrives a few milliseconds later (measured on 1.18.33: p50 1.0 ms
back to back, 1.5-4 ms after a 2-4 ms pause, from a bare socket), so a back-to-back direct loop always
finds it in its fast state while a proxied request, which reaches it after the API's own work, often does
not. With a pause before every request, both kinds find OpenCode equally idle. Two references show where
the API's own time goes: `/health` (uvicorn + Django, no authentication, no database) and
`GET /api/v2/sandboxes/{id}/chat/sessions` (a sync view: bearer authentication, the sandbox lookup and one
query, no OpenCode).

The machine may be shared, so wall times carry other work's waiting: the bench also prints the CPU time
the uvicorn process spends per request (psutil, over a block of requests of one kind), which other load
hardly changes, and the load average.

`--profile OUT` records the uvicorn process with py-spy (`PY_SPY` or `py-spy` on PATH; not a project
dependency) during the block of proxied requests of the CPU figures, as collapsed stacks in OUT.

    .venv/bin/python bench/opencode_proxy_overhead.py [--requests 1000] [--sessions 10] [--think-ms 10]
        [--profile /tmp/proxy.folded]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import time

from _opencode_stack import (api_server, django_setup, drop_database, load_average, opencode_sandbox, percentile,
                             wait_until_settled)

BENCH_DB = "agentpod_bench_opencode_proxy"


def timed_get(client, path: str, think: float = 0) -> tuple[float, object]:
    if think:
        time.sleep(think)
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return elapsed, response


def start_py_spy(pid: int, out: str) -> subprocess.Popen:
    binary = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if not binary:
        raise SystemExit("--profile needs py-spy: set PY_SPY or put it on PATH")
    spy = subprocess.Popen([binary, "record", "--pid", str(pid), "--rate", "250", "--format", "raw",
                            "--output", out, "--threads", "--nonblocking"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # attached
    return spy


def summary(label: str, samples: list[float]) -> dict:
    ordered = sorted(samples)
    figures = {"p50": percentile(ordered, .50), "p90": percentile(ordered, .90), "p99": percentile(ordered, .99),
               "mean": statistics.fmean(ordered), "max": ordered[-1]}
    print(f"{label:>34}: p50 {figures['p50']:6.2f} ms  p90 {figures['p90']:6.2f} ms  p99 {figures['p99']:6.2f} ms"
          f"  mean {figures['mean']:6.2f} ms  max {figures['max']:7.2f} ms  (n={len(ordered)})")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=10, help="OpenCode sessions in the listing")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--think-ms", type=float, default=10, help="pause before each measured request")
    parser.add_argument("--cpu-requests", type=int, default=200, help="requests per block of the CPU figures")
    parser.add_argument("--profile", metavar="OUT", help="py-spy the proxied block into OUT (collapsed stacks)")
    args = parser.parse_args()

    django_setup(BENCH_DB, private_server=True)
    import httpx
    import psutil

    try:
        print(load_average())
        with opencode_sandbox() as stack, api_server() as api:
            direct = httpx.Client(base_url=stack.opencode.base_url, auth=("opencode", stack.opencode.password),
                                  trust_env=False, timeout=30)
            proxied = httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {stack.token}"},
                                   trust_env=False, timeout=30)
            with direct, proxied:
                for n in range(args.sessions):
                    direct.post("/session", json={"title": f"Bench session {n}"}).raise_for_status()
                settled = wait_until_settled(stack.opencode.process.pid)
                api_path = f"/api/v2/sandboxes/{stack.sandbox.pk}/opencode/session"
                chat_path = f"/api/v2/sandboxes/{stack.sandbox.pk}/chat/sessions"
                for _ in range(args.warmup):
                    timed_get(proxied, api_path)
                    timed_get(direct, "/session")
                    timed_get(proxied, "/health")
                    timed_get(proxied, chat_path)

                _, through_api = timed_get(proxied, api_path)
                _, straight = timed_get(direct, "/session")
                assert through_api.json() == straight.json(), "the proxy changed the body"
                body_bytes = len(straight.content)

                think = args.think_ms / 1000
                samples: dict[str, list[float]] = {"api": [], "direct": [], "health": [], "chat": []}
                for n in range(args.requests):
                    pairs = [("api", proxied, api_path), ("direct", direct, "/session")]
                    for key, client, path in (pairs if n % 2 else pairs[::-1]):
                        samples[key].append(timed_get(client, path, think)[0])
                    if n % 4 == 0:  # the references, less often: they only explain the figure
                        samples["health"].append(timed_get(proxied, "/health", think)[0])
                        samples["chat"].append(timed_get(proxied, chat_path, think)[0])

                # CPU per request, one kind of request per block, of the uvicorn process and of OpenCode.
                cpu: dict[str, float] = {}
                server, agent = psutil.Process(api.pid), psutil.Process(stack.opencode.process.pid)
                for key, client, path, process in [("api", proxied, api_path, server),
                                                   ("health", proxied, "/health", server),
                                                   ("chat", proxied, chat_path, server),
                                                   ("direct", direct, "/session", agent),
                                                   ("api-opencode", proxied, api_path, agent)]:
                    spy = start_py_spy(api.pid, args.profile) if args.profile and key == "api" else None
                    before = process.cpu_times()
                    for _ in range(args.cpu_requests):
                        timed_get(client, path)
                    after = process.cpu_times()
                    if spy is not None:
                        spy.send_signal(signal.SIGINT)
                        spy.wait(timeout=60)
                    cpu[key] = ((after.user - before.user) + (after.system - before.system)) * 1000 / args.cpu_requests

            print(f""
                  f"{load_average()}")
            print(f"OpenCode {stack.opencode.base_url}, API {api.url} (uvicorn pid {api.pid}), "
                  f"{args.sessions} sessions, {body_bytes} bytes per answer, {args.requests} requests per side, "
                  f"{args.think_ms:g} ms before each; "
                  f"OpenCode's start-up work settled after {settled:.1f} s")
            api_figures = summary("API /opencode/session", samples["api"])
            direct_figures = summary("OpenCode /session (direct)", samples["direct"])
            summary("reference: API /health", samples["health"])
            summary("reference: API /chat/sessions (sync)", samples["chat"])
            overhead_p50 = api_figures["p50"] - direct_figures["p50"]
            overhead_p99 = api_figures["p99"] - direct_figures["p99"]
            paired = sorted(a - d for a, d in zip(samples["api"], samples["direct"], strict=True))
            print(f"overhead: p50 {overhead_p50:.2f} ms, p99 {overhead_p99:.2f} ms (difference of the percentiles); "
                  f"median of paired differences {percentile(paired, .5):.2f} ms")
            print(f"CPU per request: uvicorn {cpu['api']:.2f} ms for /opencode/session, {cpu['health']:.2f} ms for "
                  f"/health, {cpu['chat']:.2f} ms for /chat/sessions; OpenCode {cpu['direct']:.2f} ms per direct "
                  f"/session, {cpu['api-opencode']:.2f} ms per proxied one")
            print(f"target p50 overhead < 5 ms: {'MET' if overhead_p50 < 5 else 'MISSED'}")
    finally:
        drop_database(BENCH_DB)


if __name__ == "__main__":
    main()
