"""Hair measurement benchmark: one 1600×1200 trichoscopy phantom measured, timed (target: under
2 s on the 2-core machine). Prints a markdown table for docs/benchmarks.md.

The image is made once by the phantom generator (tests/core/hairs/phantom.py) and saved as a
JPEG; the timing covers decoding the JPEG and the measurement (what ``anagen hairs`` and the
product do), best and median of several runs, wall clock and CPU.

Usage: .venv/bin/python benchmarks/hairs_bench.py [--runs 7]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from PIL import Image  # noqa: E402
from tests.core.hairs.phantom import CameraConfig, ScalpConfig, phantom  # noqa: E402

from anagen.core.hairs import measure_hairs  # noqa: E402
from anagen.ui.imagefiles import decode_image  # noqa: E402

TARGET_S = 2.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    rows = []
    load_before = os.getloadavg()[0]
    for density in (120, 250):
        photo = phantom(ScalpConfig(density_per_cm2=density, vellus_share=0.25), CameraConfig(), seed=4242 + density)
        buffer = io.BytesIO()
        Image.fromarray(photo.image).save(buffer, format="JPEG", quality=90)
        data = buffer.getvalue()
        measure_hairs(decode_image(data), photo.micrometres_per_pixel)  # warm: imports, page cache
        walls, cpus = [], []
        for _ in range(args.runs):
            w0, c0 = time.perf_counter(), time.process_time()
            m = measure_hairs(decode_image(data), photo.micrometres_per_pixel)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
        rows.append((density, photo.true_count, m.hair_count, min(walls), statistics.median(walls), statistics.median(cpus)))
    print("| image | hairs (true / counted) | best wall | median wall | median CPU | target |")
    print("|---|---:|---:|---:|---:|---|")
    for density, true, counted, best, median, cpu in rows:
        ok = "met" if median < TARGET_S else "MISSED"
        print(f"| 1600×1200 JPEG, {density}/cm² phantom | {true} / {counted} | {best:.2f} s | {median:.2f} s | {cpu:.2f} s | < {TARGET_S:g} s: {ok} |")
    load_after = os.getloadavg()[0]
    print(f"\n{args.runs} runs each, JPEG decoding included; one process, numpy/scipy as installed. "
          f"Load average (1 min) {load_before:.1f} before and {load_after:.1f} after on {os.cpu_count()} cores: "
          "other processes sharing the cores lengthen the wall clock, not the CPU time.")


if __name__ == "__main__":
    main()
