"""Hair-cycle benchmark: prints a markdown table for docs/benchmarks.md.

Vectorised event-driven simulator: 100,000 follicles × 5 years × 200 replicates, timed in full.
Day-by-day reference (tests/core/haircycle/oracle.py): timed on fewer follicles and replicates
and extrapolated linearly in follicles × replicates (its cost is O(follicles × days)); the
table says so. Both report the same statistics (mean anagen share, mean hairs shed per day),
which should agree with the renewal identity. Also times one personal forecast.

Usage: .venv/bin/python benchmarks/haircycle_bench.py [--replicates 200] [--oracle-follicles 10000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tests.core.haircycle.oracle import oracle_simulate  # noqa: E402

from anagen.core.haircycle import (  # noqa: E402
    Measurement,
    ModelParams,
    PatientBaseline,
    non_responder_check,
    personal_forecast,
    simulate,
)
from anagen.core.haircycle.forecast import clear_memoised_courses  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--follicles", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=5 * 365)
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--oracle-follicles", type=int, default=10_000)
    ap.add_argument("--oracle-replicates", type=int, default=2)
    args = ap.parse_args()
    params = ModelParams()
    n, days, reps = args.follicles, args.days, args.replicates
    seeds = np.random.SeedSequence(2024).spawn(reps)

    t0 = time.perf_counter()
    anagen, shed = [], []
    for s in seeds:
        tr = simulate(params, follicles=n, days=days, rng=np.random.default_rng(s))
        anagen.append(tr.fractions["anagen"].mean())
        shed.append(tr.shed.mean() / n)
    fast = time.perf_counter() - t0

    on, orr = args.oracle_follicles, args.oracle_replicates
    t0 = time.perf_counter()
    o_anagen, o_shed = [], []
    for s in np.random.SeedSequence(7).spawn(orr):
        fr, sh = oracle_simulate(params, on, days, np.random.default_rng(s))
        o_anagen.append(fr[0].mean())
        o_shed.append(sh.mean() / on)
    slow_measured = time.perf_counter() - t0
    slow = slow_measured * (n / on) * (reps / orr)

    follow = [Measurement(90, 148.0), Measurement(180, 152.0)]
    times, warm, checks = [], [], []
    for run in range(5):
        # Cold: nothing memoised, as for the first patient of a course (diagnosis, treatments and
        # shaft diameter) after a restart. Warm: another patient of the same course, whose
        # baseline density differs (the course's mean-field run and start band are reused).
        clear_memoised_courses()
        t0 = time.perf_counter()
        personal_forecast("androgenetic_alopecia_male", PatientBaseline(150.0, 55.0), ["minoxidil_5"], follow)
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        personal_forecast("androgenetic_alopecia_male", PatientBaseline(140.0 + run, 55.0), ["minoxidil_5"], follow)
        warm.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        non_responder_check("androgenetic_alopecia_male", PatientBaseline(130.0 + run, 55.0), ["minoxidil_5"], follow)
        checks.append(time.perf_counter() - t0)

    expected_anagen = params.cycle.stationary_fractions()[0]
    expected_shed = 1.0 / params.cycle.mean_cycle_days()
    print(f"Hair-cycle model, {n:,} follicles × {days} days × {reps} replicates ({os.cpu_count()} cores)\n")
    print("| run | wall time (s) | mean anagen share | shed per follicle-day |")
    print("|---|---|---|---|")
    print(f"| renewal identity | | {expected_anagen:.5f} | {expected_shed:.6f} |")
    print(f"| vectorised event-driven (measured) | {fast:.1f} | {np.mean(anagen):.5f} | {np.mean(shed):.6f} |")
    print(
        f"| day-by-day oracle (measured {on:,} follicles × {orr} replicates in {slow_measured:.1f} s, "
        f"extrapolated linearly) | {slow:.0f} | {np.mean(o_anagen):.5f} | {np.mean(o_shed):.6f} |"
    )
    print(f"\nSpeed-up: {slow / fast:.0f}×.")
    print(
        f"Personal forecast (AGA, minoxidil, 2 follow-ups, 59-point posterior grid, 366 days): "
        f"median {np.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms from nothing (target < 1 s); "
        f"median {np.median(warm) * 1000:.0f} ms for another patient of the same course; the non-responder rule alone "
        f"(what each patient's outlook needs) median {np.median(checks) * 1000:.1f} ms."
    )


if __name__ == "__main__":
    main()
