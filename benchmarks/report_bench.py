"""Progress-report benchmark: prints a markdown table row for docs/benchmarks.md.

Builds, in a throw-away SQLite database, a patient with a Devanagari name, a baseline and five
follow-up measurement visits, a course with 8 completed sessions and 6 photograph pairs (12
generated 2000×1500 JPEGs, as a phone camera gives; the photos app's own rows are not needed for
the timing, so the pairs are handed to the report directly). Then times the whole report ~10
times: progress (response + personal forecast + 5 SVG charts) and the PDF (fonts, shaping,
charts, photos). Target: under 2 s.

Usage: .venv/bin/python benchmarks/report_bench.py [--runs 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anagen.settings_test")
os.environ.setdefault("ANAGEN_DATA_DIR", tempfile.mkdtemp(prefix="anagen-report-bench-"))
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402


def _photo(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:1500, 0:2000]
    base = (np.sin(x / (37 + seed)) * 40 + np.cos(y / 23) * 30 + 120).astype(np.int16)
    noise = rng.integers(-25, 25, size=(1500, 2000), dtype=np.int16)
    channel = np.clip(base + noise, 0, 255).astype(np.uint8)
    img = Image.fromarray(np.stack([channel, (channel * 0.8).astype(np.uint8), (channel * 0.6).astype(np.uint8)], axis=2))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def build_patient():  # type: ignore[no-untyped-def]
    from tests.web.outcomes.conftest import build_programme

    from anagen.accounts.models import Clinic, User
    from anagen.audit.services import Actor
    from anagen.patients.services import register_patient
    from anagen.procedures.services import aftercare_sheet  # noqa: F401 - imported the way the report does

    clinic = Clinic.objects.create(name="Benchmark Clinic, Mumbai", city="Mumbai", mrn_prefix="BEN")
    doctor = User.objects.create_user("bench-doctor", password="x", clinic=clinic, role="trichologist", first_name="Meera")
    nurse = User.objects.create_user("bench-nurse", password="x", clinic=clinic, role="practitioner")
    patient = register_patient(Actor.system("bench", clinic.pk), clinic, {
        "given_name": "अनन्या", "family_name": "शर्मा", "date_of_birth": dt.date(1990, 5, 17), "sex": "female",
        "phone": "+919820012345", "email": "", "address": "", "emergency_contact_name": "", "emergency_contact_phone": "",
        "abha_number": "", "abha_address": "",
    }, confirm_duplicate=True)
    today = timezone.localdate()
    build_programme(patient, doctor, nurse, today, (1.0, 3.0, 5.0, 7.0), completed=8, start_days_ago=130)
    return clinic, patient, today


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    call_command("migrate", verbosity=0)
    from django.core.cache import cache

    from anagen.core.haircycle.forecast import clear_memoised_courses
    from anagen.outcomes import progress as progress_service
    from anagen.outcomes import reports
    from anagen.outcomes.pdf import build_pdf

    clinic, patient, today = build_patient()
    views = ["vertex", "midline part", "frontal", "left temporal", "right temporal", "occipital"]
    pairs = [{"view": v, "baseline": _photo(2 * i), "latest": _photo(2 * i + 1),
              "baseline_date": today - dt.timedelta(days=130), "latest_date": today} for i, v in enumerate(views)]
    timings, size, sessions = [], 0, 0
    parts: dict[str, list[float]] = {"progress": [], "pdf": []}
    for _ in range(args.runs + 1):  # the first run warms fonts and imports, and is not counted
        # The worst case: the patient's forecast neither cached nor its course memoised.
        cache.clear()
        clear_memoised_courses()
        start = time.perf_counter()
        progress = progress_service.patient_progress(patient, today)
        content = reports.report_content(progress, clinic, "Meera Iyer")
        content.photo_pairs, content.photo_note = pairs, ""
        middle = time.perf_counter()
        data = build_pdf(content)
        parts["progress"].append(middle - start)
        parts["pdf"].append(time.perf_counter() - middle)
        timings.append(time.perf_counter() - start)
        size, sessions = len(data), len(progress.course_sessions_done)
    timings = timings[1:]
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("build_pdf(content)", globals(), {"build_pdf": build_pdf, "content": content}, "/tmp/report.prof")
        pstats.Stats("/tmp/report.prof").sort_stats("cumulative").print_stats(25)
    median = statistics.median(timings)
    p95 = sorted(timings)[max(0, int(round(0.95 * len(timings))) - 1)]
    print("| benchmark | runs | median | p95 | PDF size | target |")
    print("|---|---|---|---|---|---|")
    print(f"| progress report PDF ({sessions} sessions, 6 photo pairs, 5 charts, forecast) | {len(timings)} | "
          f"{median:.2f} s | {p95:.2f} s | {size / 1024:.0f} KiB | < 2 s |")
    print(f"\nof which (medians): progress and forecast {statistics.median(parts['progress'][1:]):.2f} s, "
          f"PDF {statistics.median(parts['pdf'][1:]):.2f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
