"""Benchmark: `manage.py import_sqlite` against pgloader on the large legacy file, in one run, and our
peak RSS on files 1×, 2× and 4× as large (issue 15, goal 3: ratio ≤ 0.5, ≤ 100 MiB, flat).

1. Installs pgloader from Debian when it is missing (`apt-get install -y pgloader`, after
   `apt-get update` if that fails; needs root).
2. Builds the legacy files with the generator (spec section 10), unless --files-dir already holds them:

       make_legacy_db.py --users 200×N --sandboxes-per-user 5 --sessions-per-sandbox 10 \
           --messages-per-session 50 --activity 20000×N --seed 7        (N = 1: ~532k rows, ~760 MiB)

3. For each round: pgloader loads the 1× file into a fresh database the plain sqlite → postgresql way
   (`--with "prefetch rows = 10000" --dynamic-space-size 4096`: its defaults crash on this file), then
   `manage.py import_sqlite` loads it into a fresh, migrated database; wall time of both, the ratio
   ours/pgloader, and the peak RSS of both processes (ru_maxrss of the child).
4. Then `import_sqlite` alone on the 2× and 4× files: wall time and peak RSS.

Everything runs against an embedded PostgreSQL of the bench's own on 127.0.0.1 (its data directory
<tmp>/agentpod-import-bench-postgres), or the server of BENCH_SERVER_URL.

    .venv/bin/python bench/import_vs_pgloader.py [--files-dir DIR] [--rounds 2] [--sizes 1,2,4]
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GENERATOR = ROOT.parent / "shared" / "tools" / "make_legacy_db.py"
KEY = "dev-encryption-key-32-bytes-long!"
PGLOADER_OPTIONS = ["--with", "prefetch rows = 10000", "--dynamic-space-size", "4096"]

# Runs the command as its only child and prints that child's peak RSS (KiB) last on stderr.
_MEASURE = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)"
)


def ensure_pgloader() -> str:
    found = shutil.which("pgloader")
    if found:
        return found
    print("installing pgloader from Debian…", flush=True)
    install = ["apt-get", "install", "-y", "-q", "pgloader"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(install, env=env, check=True, stdout=subprocess.DEVNULL)
    return shutil.which("pgloader") or sys.exit("pgloader is not installed")


def generate(generator: Path, out: Path, scale: int) -> Path:
    if out.exists():
        return out
    started = time.perf_counter()
    partial = out.with_name(out.name + ".partial")
    for leftover in out.parent.glob(partial.name + "*"):
        leftover.unlink()
    subprocess.run(
        [
            sys.executable,
            str(generator),
            "--out",
            str(partial),
            "--users",
            str(200 * scale),
            "--sandboxes-per-user",
            "5",
            "--sessions-per-sandbox",
            "10",
            "--messages-per-session",
            "50",
            "--activity",
            str(20000 * scale),
            "--seed",
            "7",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    partial.rename(out)
    print(
        f"generated {out.name} ({out.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - started:.0f} s"
    )
    return out


def server_url() -> str:
    """BENCH_SERVER_URL, else an embedded PostgreSQL of its own (no other session's clients on it)."""
    from core.db.embedded import database_url

    url = os.environ.get("BENCH_SERVER_URL") or database_url(
        Path(tempfile.gettempdir()) / "agentpod-import-bench-postgres"
    )
    return url.replace("postgres://", "postgresql://", 1)


def fresh_database(server: str, name: str, *, migrate: bool) -> str:
    import psycopg

    admin_url = server.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    if migrate:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=django_env(url),
            check=True,
        )
    return url


def drop_database(server: str, name: str) -> None:
    import psycopg

    admin_url = server.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def checkpoint(server: str) -> None:
    """Write out what the previous load left dirty, so that neither tool pays for the other's writes."""
    import psycopg

    admin_url = server.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute("CHECKPOINT")


def django_env(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
    }


def measured(command: list[str], **kwargs) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, peak RSS (MiB) and the result of `command` run as the measuring child's only child."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, **kwargs
    )
    wall = time.perf_counter() - started
    peak_kib = int(result.stderr.strip().splitlines()[-1])
    return wall, peak_kib / 1024, result


def run_pgloader(pgloader: str, path: Path, server: str) -> dict:
    name = "agentpod_bench_pgloader"
    url = fresh_database(server, name, migrate=False)
    checkpoint(server)
    wall, peak, result = measured([pgloader, *PGLOADER_OPTIONS, f"sqlite://{path}", url])
    if result.returncode != 0:
        sys.exit(f"pgloader failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    rows = 0
    for line in result.stdout.splitlines():  # the summary's "Total import time" line: rows read
        if line.strip().startswith("Total import time"):
            rows = next(int(word) for word in line.split() if word.isdigit())
    drop_database(server, name)
    return {"wall_s": wall, "peak_rss_mib": peak, "rows": rows, "summary": result.stdout}


def run_ours(path: Path, server: str, label: str, report: Path) -> dict:
    name = f"agentpod_bench_import_{label}"
    url = fresh_database(server, name, migrate=True)
    with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as legacy:
        owner = legacy.execute('SELECT lower(trim(email)) FROM "user" ORDER BY rowid LIMIT 1').fetchone()[0]
    command = [
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
        "-v",
        "0",
    ]
    checkpoint(server)
    wall, peak, result = measured(command, cwd=ROOT, env=django_env(url))
    if result.returncode not in (0, 1):
        sys.exit(f"import failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    data = json.loads(report.read_text())
    tables = [t for app in data["apps"].values() for t in app.get("tables", {}).values()]
    failed = [label for label, app in data["apps"].items() if app.get("status", "imported") != "imported"]
    drop_database(server, name)
    return {
        "wall_s": wall,
        "peak_rss_mib": peak,
        "read": sum(t["read"] for t in tables),
        "imported": sum(t["imported"] for t in tables),
        "exit": result.returncode,
        "failed_apps": failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", type=Path, default=GENERATOR)
    parser.add_argument(
        "--files-dir", type=Path, help="keep the generated files here and reuse them (default: a temp dir)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="pgloader/ours pairs on the 1× file")
    parser.add_argument("--sizes", default="1,2,4", help="file sizes our import runs on (multiples of 1×)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    pgloader = ensure_pgloader()
    version = subprocess.run([pgloader, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    server = server_url()
    with tempfile.TemporaryDirectory(prefix="agentpod-bench-") as tmp:
        files_dir = args.files_dir or Path(tmp)
        files_dir.mkdir(parents=True, exist_ok=True)
        files = {
            n: generate(args.generator, files_dir / f"legacy-x{n}.sqlite", n) for n in sorted({1, *sizes})
        }
        print(f"{version}; server {server.rsplit('@', 1)[-1].rsplit('/', 1)[0]}", flush=True)
        pairs = []
        for round_ in range(1, args.rounds + 1):
            theirs = run_pgloader(pgloader, files[1], server)
            print(
                f"round {round_}: pgloader 1×: {theirs['wall_s']:.1f} s, {theirs['rows']} rows, "
                f"peak RSS {theirs['peak_rss_mib']:.0f} MiB",
                flush=True,
            )
            ours = run_ours(files[1], server, "x1", Path(tmp) / "report.json")
            print(
                f"round {round_}: ours 1×:     {ours['wall_s']:.1f} s, {ours['imported']}/{ours['read']} rows, "
                f"peak RSS {ours['peak_rss_mib']:.0f} MiB (exit {ours['exit']})",
                flush=True,
            )
            pairs.append((theirs, ours))
            print(
                f"round {round_}: ratio ours/pgloader = {ours['wall_s'] / theirs['wall_s']:.2f}", flush=True
            )
        results = {1: pairs[-1][1]}
        for n in sizes:
            if n == 1:
                continue
            results[n] = run_ours(files[n], server, f"x{n}", Path(tmp) / "report.json")
            r = results[n]
            print(
                f"ours {n}×: {r['wall_s']:.1f} s, {r['imported']}/{r['read']} rows, "
                f"peak RSS {r['peak_rss_mib']:.0f} MiB (exit {r['exit']})",
                flush=True,
            )
        load = os.getloadavg()

    print()
    for round_, (theirs, ours) in enumerate(pairs, 1):
        print(
            f"round {round_}: pgloader {theirs['wall_s']:.1f} s, ours {ours['wall_s']:.1f} s, "
            f"ratio {ours['wall_s'] / theirs['wall_s']:.2f} (goal ≤ 0.50)"
        )
    for n, r in sorted(results.items()):
        failed = f"; apps not imported: {', '.join(r['failed_apps'])}" if r["failed_apps"] else ""
        print(
            f"ours {n}×: {r['read']:,} rows in {r['wall_s']:.1f} s ({r['imported'] / r['wall_s']:,.0f} rows/s), "
            f"peak RSS {r['peak_rss_mib']:.0f} MiB (goal ≤ 100){failed}"
        )
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; cpus: {os.cpu_count()}")


if __name__ == "__main__":
    main()
