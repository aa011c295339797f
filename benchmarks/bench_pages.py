"""The pages `make bench` measures, shared by the load harness (http_bench.py) and the in-process
profiler (profile_page.py), so both look at the same requests.

A page is a list of requests sent in turn: "GET /path" or "POST /path form-body" (the search as
typed is an HTMX POST; the sender adds the session's CSRF token). The patients and the diary come
from the pages themselves, as a signed-in trichologist sees them: the third page of the patient
list, and a nurse's week (the busiest diary: the trichologist books few sessions of their own).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Page:
    name: str
    key: str  # a short name for the command line: profile_page.py patient
    requests: list[str]
    warm_up_s: float = 3.0


FLOOR = Page("framework floor (/session/ping)", "floor", ["GET /session/ping"])


def discover(get: Callable[[str], str]) -> tuple[list[Page], list[int]]:
    """The measured pages, and patients no page shows (for the first view of a forecast).

    ``get`` fetches a path as the signed-in trichologist and returns the page's text."""
    listing = get("/patients/?page=3")
    patient_ids = [int(x) for x in re.findall(r'href="/patients/(\d+)/"', listing)] or [1]
    later_ids = [int(x) for x in re.findall(r'href="/patients/(\d+)/"', get("/patients/?page=7"))]
    nurse = re.search(r'<option value="(\d+)"[^>]*>Nurse', get("/calendar/week/"))
    week_path = f"/calendar/week/?practitioner={nurse.group(1)}" if nurse else "/calendar/week/"
    names = re.findall(r'<a href="/patients/\d+/">([^<]+)</a>', listing)
    family = sorted({n.split()[-1] for n in names}) or ["Patil"]

    def each(template: str, values: list[int] | range) -> list[str]:
        return [template.format(v) for v in values]

    pages = [
        Page("home (dashboard, likely non-responders)", "home", ["GET /"]),
        Page("patient list (GET, page of 25)", "list", each("GET /patients/?page={}", range(1, 21))),
        Page("patient search (as typed: HTMX POST)", "search", [f"POST /patients/ q={name}" for name in family]),
        Page("patient page", "patient", each("GET /patients/{}/", patient_ids)),
        Page("calendar week (a nurse's diary)", "week", [f"GET {week_path}"]),
        # Longer warm-up: each worker computes and caches each patient's forecast once.
        Page("progress chart", "progress", each("GET /outcomes/patients/{}/", patient_ids), warm_up_s=6.0),
        Page("clinic outcomes (last 365 days)", "outcomes", ["GET /outcomes/clinic/"]),
        Page("API patients list", "api-patients", each("GET /api/v1/patients?page={}", range(1, 21))),
        Page("API appointments list", "api-appointments", each("GET /api/v1/appointments?page={}", range(1, 21))),
        Page("API sessions list", "api-sessions", each("GET /api/v1/sessions?page={}", range(1, 21))),
        Page("API courses list", "api-courses", each("GET /api/v1/courses?page={}", range(1, 21))),
    ]
    return pages, later_ids
