"""`make bench`: every benchmark, printed, and written to docs/benchmarks.md (on PostgreSQL, with
DATABASE_URL set: docs/benchmarks-postgresql.md).

Sections: the hair-cycle simulator against its day-by-day oracle and the personal forecast; the
PDF progress report; page latency and throughput under load (wrk) against the real server on a
scaled database, and where the three most expensive pages spend their time (an in-process profile).
BENCH_PATIENTS (default 10000) sets the scale; the seeded data folder is kept in var/bench-<N> so
the (slow) seeding happens once per machine.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")


def run(title: str, argv: list[str]) -> str:
    print(f"== {title}", flush=True)
    completed = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    output = completed.stdout.strip()
    print(output, flush=True)
    if completed.returncode != 0:
        print(completed.stderr[-3000:], file=sys.stderr)
        output += f"\n\n(failed with exit status {completed.returncode}; see the console for the error)"
    return output


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}; Python {platform.python_version()}; {platform.system()} {platform.release()}"


def cpu_times() -> list[int]:
    """The machine's cumulative CPU times (/proc/stat: user nice system idle iowait irq softirq steal)."""
    try:
        return [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError):
        return []


def steal_note(before: list[int], after: list[int]) -> str:
    """On a virtual machine the hypervisor may run other guests on our cores ("steal"): every
    figure is slower by about that share, so it is printed beside them."""
    if len(before) < 8 or len(after) < 8:
        return ""
    delta = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(delta)
    return f"- CPU time taken by the hypervisor from this virtual machine during the run (steal): {100 * delta[7] / total:.0f}%" if total else ""


def main() -> int:
    patients = int(os.environ.get("BENCH_PATIENTS", "10000"))
    # One seeded folder per database: its marker says the database behind it was seeded.
    vendor = "-postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else ""
    data_dir = str(ROOT / "var" / f"bench-{patients}{vendor}")
    sections = [
        ("Hair-cycle model and personal forecast", [PY, "benchmarks/haircycle_bench.py"]),
        ("PDF progress report", [PY, "benchmarks/report_bench.py"]),
        (f"Pages under load ({patients} patients, wrk at 8 connections, gunicorn 2 workers)",
         [PY, "benchmarks/http_bench.py", "--patients", str(patients), "--data-dir", data_dir]),
        ("Where the time goes: the three most expensive pages (in-process profile)",
         [PY, "benchmarks/profile_page.py", "all", "--top", "3", "--patients", str(patients), "--data-dir", data_dir]),
    ]
    parts = [
        "# Benchmarks\n",
        "Measured by `make bench` (benchmarks/run.py), never by timed tests. Each run rewrites this file.\n",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Data: {patients} patients (`anagen manage seed_scale`), SQLite unless DATABASE_URL is set "
        f"({os.environ.get('DATABASE_URL', 'sqlite').split('@')[-1]})\n",
    ]
    notes = ROOT / "benchmarks" / ("NOTES-postgresql.md" if vendor else "NOTES.md")
    if vendor:
        # The model and the PDF do not touch the database: their figures are in docs/benchmarks.md.
        sections = sections[2:]
        parts.append("The hair-cycle model and PDF report benchmarks do not touch the database: see docs/benchmarks.md.\n")
    if not vendor:  # Hair measurement (issue 23): CPU only, no database; its own module.
        sections.insert(2, ("Hair measurement (1600×1200 trichoscopy image)", [PY, "benchmarks/hairs_bench.py"]))
    started = cpu_times()
    for title, argv in sections:
        if not (ROOT / argv[1]).exists():
            continue
        parts.append(f"## {title}\n\n{run(title, argv)}\n")
    note = steal_note(started, cpu_times())
    if note:
        parts.insert(4, note)
    if notes.exists():
        parts.append(notes.read_text())
    target = ROOT / "docs" / f"benchmarks{vendor}.md"
    target.write_text("\n".join(parts).rstrip() + "\n")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
