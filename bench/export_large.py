"""Benchmark: `manage.py export_sqlite` of the ~532,000-row legacy file's data.

Imports the large legacy file first (bench/import_large.py builds it with the generator unless given
with --file), into a fresh database, then exports it with `manage.py export_sqlite` run as a
subprocess and prints the export's wall time, rows/s and peak RSS (targets: under 15 s, under 100 MiB).

    .venv/bin/python bench/export_large.py [--generator PATH] [--file big.sqlite]
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_large import GENERATOR, KEY, ROOT, fresh_database, generate, import_once  # noqa: E402

# As import_large's, plus the child's CPU time (user + system): on a machine other jobs share, wall
# time says more about them than about the export.
_MEASURE = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); u = resource.getrusage("
    "resource.RUSAGE_CHILDREN); print(u.ru_utime + u.ru_stime, u.ru_maxrss, file=sys.stderr); "
    "sys.exit(r.returncode)"
)


def export_once(url: str, out: Path, report: Path, owner: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.local",
           "DEBUG": "false"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "manage.py", "export_sqlite", str(out),
         "--force", "--owner", owner, "--legacy-encryption-key", KEY, "--report", str(report)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    wall = time.perf_counter() - started
    cpu_s, peak_kib = result.stderr.strip().splitlines()[-1].split()
    cpu_s, peak_kib = float(cpu_s), int(peak_kib)
    if result.returncode not in (0, 1):
        sys.exit(f"export failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = json.loads(report.read_text())
    tables = [t for app in data["apps"].values() for t in app["tables"].values()]
    return {"wall_s": wall, "read": sum(t["read"] for t in tables),
            "written": sum(t["written"] for t in tables), "peak_rss_mib": peak_kib / 1024, "cpu_s": cpu_s,
            "exit": result.returncode, "summary": result.stdout,
            "size_mib": out.stat().st_size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", type=Path, default=GENERATOR)
    parser.add_argument("--file", type=Path, help="an existing large legacy file (skips generating it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="agentpod-bench-") as tmp:
        large = args.file or generate(args.generator, Path(tmp) / "large.sqlite", 50)
        url = fresh_database("agentpod_bench_export")
        imported = import_once(large, url, Path(tmp) / "import.json")
        print(f"imported {imported['imported']} rows in {imported['wall_s']:.1f} s (exit {imported['exit']})")
        with sqlite3.connect(f"file:{large}?mode=ro&immutable=1", uri=True) as legacy:  # as import_once does
            first = 'SELECT lower(trim(email)) FROM "user" ORDER BY rowid LIMIT 1'
            owner = legacy.execute(first).fetchone()[0]
        r = export_once(url, Path(tmp) / "export.sqlite", Path(tmp) / "export.json", owner)
        load = os.getloadavg()
    print(r["summary"])
    print(
        f"export: {r['read']} rows read, {r['written']} written in {r['wall_s']:.1f} s wall "
        f"({r['written'] / r['wall_s']:,.0f} rows/s; {r['cpu_s']:.1f} s CPU), file {r['size_mib']:.0f} MiB; "
        f"peak RSS {r['peak_rss_mib']:.0f} MiB (exit {r['exit']}); targets: < 15 s, < 100 MiB"
    )
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; cpus: {os.cpu_count()}")


if __name__ == "__main__":
    main()
