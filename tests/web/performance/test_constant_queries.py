"""Every page and list endpoint runs a number of SQL queries that does not grow with the data.

Each case builds the world (one row of each kind), requests the page once to warm per-process
caches, counts the queries of a second request, adds 49 more related rows, and counts again: the
two counts must be equal. The counts are also compared with the budget in docs/performance.md
(a ceiling: a page may get cheaper, never dearer, without the table changing).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.web.performance import growth as f

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    name: str
    url: Callable[[dict[str, Any]], str]
    grow: Callable[[dict[str, Any]], None]
    as_: str = "trichologist"  # a staff role, "api:<role>" or "patient"
    budget: int = 0
    # Pages that list rows must show the added ones; summary pages (counts, clusters, a full first
    # page) need not grow, and say so here, or give the text that shows the added rows counted.
    shows_rows: bool = True
    counted: str = ""
    # Run before the first count where the world has no row of the kind yet (so "1 row" is 1).
    seed: Callable[[dict[str, Any]], None] | None = None
    # Form data for pages that take it by POST (the patient search keeps search words out of URLs).
    post: dict[str, str] | None = None


def r(name: str, *keys: str, query: str = "") -> Callable[[dict[str, Any]], str]:
    def url(w: dict[str, Any]) -> str:
        return reverse(name, args=[w[k].pk for k in keys]) + query

    return url


def api(path: str) -> Callable[[dict[str, Any]], str]:
    def url(w: dict[str, Any]) -> str:
        return "/api/v1" + path.format(lot=w["lot"].pk, patient=w["patient"].pk)

    return url


def day(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda w: reverse(name) + f"?date={w['today'].isoformat()}"


# Budgets: the number of queries each request runs, whatever the volume (docs/performance.md).
# Every page about one patient carries the patient header (issue 20): 10-12 queries for its
# safety facts, the same with 1 or 50 rows (anagen.web.facts, anagen.web.patient_header).
CASES = [
    # Today lists the day's appointments and what waits for this person, not the register: more
    # patients with nothing today change nothing on it (issue 20).
    Case("home", lambda w: reverse("home"), f.more_patients, budget=15, shows_rows=False),
    Case("home, likely non-responders", lambda w: reverse("home"), f.more_flagged_patients, budget=21, seed=f.flag_the_patient),
    # 25: the side panel's changes patients made themselves in the portal (issue 22, item 2); 27:
    # and its waiting list: who joined, the freed times offered and taken (28: how many were offered each).
    Case("home, reception's day", lambda w: reverse("home"), f.more_appointments_today, as_="reception", budget=27),
    Case("home, reception's waiting list", lambda w: reverse("home"), f.more_waiting, as_="reception", budget=28, seed=f.one_waiting),
    Case("patient list", r("patients:list"), f.more_patients, budget=10),
    Case("patient search by name", r("patients:list"), f.more_patients, budget=10, post={"q": "asha"}),
    Case("patient search by phone", r("patients:list"), f.more_patients, budget=10, post={"q": "9198"}),
    # 28 and 20: the header takes the appointments, consultations, courses and consent the page
    # has read already (anagen.web.facts.Known) instead of reading them again (issue 24).
    Case("patient detail", r("patients:detail", "patient"), f.more_of_everything, budget=28),
    Case("patient detail (reception)", r("patients:detail", "patient"), f.more_of_everything, as_="reception", budget=20),
    Case("consultation detail", r("consultations:detail", "consultation"), f.more_labs, budget=32),
    Case("course detail", r("treatments:course", "course"), f.more_course_appointments, budget=23),
    Case("patient detail with many courses", r("patients:detail", "patient"), f.more_courses, budget=28),
    Case("calendar day", day("scheduling:day"), f.more_appointments_today, as_="reception", budget=12),
    Case("calendar week", day("scheduling:week"), f.more_appointments_today, as_="reception", budget=13),
    # The trichologist's review of a product substitution or volume discrepancy (issue 17).
    Case("session detail", r("procedures:detail", "session"), f.more_addenda, as_="practitioner", budget=24),
    Case("follow-ups", r("safety:followups"), f.more_sessions, as_="practitioner", budget=10),
    Case("patient events", r("safety:patient_events", "patient"), f.more_events, budget=25),
    # The sessions signed with a reason for a trichologist to review (issue 17).
    Case("event review queue", r("safety:review_queue"), f.more_events_to_review, budget=10,
         seed=lambda w: f.more_events_to_review(w, 1)),
    Case("infection clusters", r("safety:clusters"), f.more_infections, budget=7, shows_rows=False,
         seed=lambda w: f.more_infections(w, 1)),
    Case("lot recipients", r("safety:lot_recipients", "lot"), f.more_sessions, budget=12),
    Case("lot recipients CSV", r("safety:lot_recipients_csv", "lot"), f.more_sessions, budget=12),
    Case("stock home", r("catalog:home"), f.more_lots, as_="practitioner", budget=12),
    Case("product detail", r("catalog:product_detail", "product"), f.more_lots, as_="practitioner", budget=6),
    Case("lot detail", r("catalog:lot_detail", "lot"), f.more_sessions, as_="practitioner", budget=6),
    Case("photo gallery", r("photos:gallery", "patient"), f.more_photos, budget=29),
    Case("progress", r("outcomes:progress", "patient"), f.more_measurements, budget=32),
    Case("clinic outcomes", r("outcomes:clinic"), f.more_course_outcomes, as_="clinic_admin", budget=12, seed=f.assess_the_course,
         shows_rows=False, counted="50 courses assessed"),
    Case("invoices", r("billing:home"), f.more_invoices, as_="reception", budget=9),
    Case("reception dashboard", r("billing:reception"), f.more_of_everything, as_="reception", budget=12),
    Case("patient billing", r("billing:patient", "patient"), f.more_invoices, as_="reception", budget=21),
    Case("audit trail", r("audit:trail"), f.more_audit_entries, as_="clinic_admin", budget=14, shows_rows=False),
    Case("audit trail of a patient", lambda w: reverse("audit:trail") + f"?patient={w['patient'].pk}", f.more_audit_entries,
         as_="clinic_admin", budget=16, shows_rows=False),
    Case("audit trail of a staff member", lambda w: reverse("audit:trail") + f"?person={w['staff']['trichologist'].pk}",
         f.more_audit_entries, as_="clinic_admin", budget=15, seed=lambda w: f.more_audit_entries(w, 1)),
    # 19: each aftercare sheet carries the 5-ARI instructions of its session's formulation (issue 17).
    # 22: whether each upcoming session may be moved or cancelled by the patient (issue 22, item 2):
    # the clinic's notice rule, the courses and their appointments, once for all the sessions.
    Case("portal home", r("portal:home"), f.more_of_everything_ahead, as_="patient", budget=22),
    Case("portal home, sessions of many courses", r("portal:home"), f.more_courses, as_="patient", budget=22),
    Case("portal access log", r("portal:access_log"), f.more_audit_entries, as_="patient", budget=13),
    # The days a patient may move a course session to: their opening hours, closures and the
    # calendar's free times read once for all of them, not once per day (it was ~6 queries a day).
    Case("portal move page, one open day or four weeks", lambda w: reverse("portal:move_session", args=[f.course_session_to_move(w).pk]),
         f.more_open_days, as_="patient", budget=17, seed=f.close_all_but_one_day),
    # The waiting list (issue 22): the patient's entries and the times offered, one query each.
    Case("portal waiting list", r("portal:waiting_list"), f.more_waiting, as_="patient", budget=11, seed=f.one_waiting),
    Case("API waiting list", api("/portal/waiting-list"), f.more_waiting, as_="api:reception", budget=9, seed=f.one_waiting),
    Case("API self-service changes", api("/portal/self-service-changes"), f.more_self_service_changes, as_="api:reception", budget=9,
         seed=lambda w: f.more_self_service_changes(w, 1)),
    Case("API patients", api("/patients"), f.more_patients, as_="api:reception", budget=9),
    Case("API patient search", api("/patients?q=asha"), f.more_patients, as_="api:reception", budget=9),
    Case("API appointments", api("/appointments"), f.more_appointments, as_="api:reception", budget=9),
    Case("API consultations", api("/consultations"), f.more_consultations, as_="api:trichologist", budget=10),
    Case("API measurements", api("/measurements"), f.more_measurements, as_="api:trichologist", budget=8),
    Case("API labs", api("/labs"), f.more_labs, as_="api:trichologist", budget=9),
    # 10: the ready-made products each formulation names (issue 17).
    Case("API formulations", api("/formulations"), f.more_formulations, as_="api:trichologist", budget=10),
    Case("API courses", api("/courses"), f.more_courses, as_="api:trichologist", budget=9),
    Case("API sessions", api("/sessions"), f.more_sessions, as_="api:trichologist", budget=9),
    Case("API adverse events", api("/adverse-events"), f.more_events, as_="api:trichologist", budget=10),
    Case("API photos", api("/photos"), f.more_photos, as_="api:trichologist", budget=8),
    Case("API lots", api("/lots"), f.more_lots, as_="api:practitioner", budget=3),
    Case("API lot recipients", api("/lots/{lot}/recipients"), f.more_sessions, as_="api:trichologist", budget=10),
]


REPORT = os.environ.get("ANAGEN_QUERY_REPORT") == "1"


def client_for(w: dict[str, Any], as_: str) -> Client:
    if as_.startswith("api:"):
        from anagen.api.tokens import issue_token
        from anagen.audit.services import Actor

        user = w["staff"][as_[4:]]
        issued = issue_token(Actor.system("test", user.clinic_id), user, "test", expires_at=None, by=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    client = Client()
    client.force_login(w["patient_user"] if as_ == "patient" else w["staff"][as_])
    return client


def fetch(client: Client, url: str, post: dict[str, str] | None = None) -> Any:
    return client.post(url, post) if post is not None else client.get(url)


def count_queries(client: Client, url: str, post: dict[str, str] | None = None) -> tuple[int, list[str], bytes]:
    """The queries one request runs (a streamed body is read inside the count), and the body."""
    with CaptureQueriesContext(connection) as ctx:
        response = fetch(client, url, post)
        body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    assert response.status_code == 200, (url, response.status_code, body[:500])
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries], body


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_page_runs_the_same_number_of_queries_with_1_and_with_50_rows(world: dict[str, Any], case: Case) -> None:
    if case.seed:
        case.seed(world)
    client = client_for(world, case.as_)
    url = case.url(world)
    fetch(client, url, case.post)  # warm per-process caches (content types, the session row, cached checks)
    with_one, _, small = count_queries(client, url, case.post)
    case.grow(world)
    fetch(client, url, case.post)
    with_fifty, sql, large = count_queries(client, url, case.post)
    # The added rows are on the page (or in the list): a count that stayed the same because the
    # rows were invisible would prove nothing.
    if case.shows_rows:
        assert len(large) > len(small), f"{case.name}: the page did not grow with the data"
    if case.counted:
        assert case.counted in large.decode(), f"{case.name}: the added rows are not counted"
    if REPORT:
        print(f"\nCOUNT {case.name}: {with_one} -> {with_fifty}")
        return
    assert with_fifty == with_one, f"{case.name}: {with_one} queries with 1 row, {with_fifty} with 50:\n" + "\n".join(sql)
    assert with_fifty <= case.budget, f"{case.name}: {with_fifty} queries, budget {case.budget}:\n" + "\n".join(sql)
