"""The recall's booking step runs a number of SQL queries that does not grow with the diary or the
patient's history (issue 22, item 3): 1 vs 50 other appointments on the days it offers, and 1 vs 20
more courses of the patient. Its budget is in docs/performance.md."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests import builders

from anagen.audit.services import Actor
from anagen.recall import services as recalls
from anagen.scheduling import services as scheduling

pytestmark = pytest.mark.django_db

# docs/performance.md: the calendar's free times on each of the 25 open days it offers (4 queries a
# day: rooms, the practitioner's, the rooms' and the patient's held slots), and 14 for the rest.
BUDGET = 114


def _count(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:recall")).status_code == 200
    return len(queries)


def test_the_booking_step_runs_as_many_queries_with_a_full_diary_as_with_an_empty_one(clinic, patient, trichologist, make_patient):
    room = builders.room(clinic)
    day = timezone.localdate() + dt.timedelta(days=8)
    start = day + dt.timedelta(days=(7 - day.weekday()) % 7)
    _course, recall = builders.recalled_session(patient, trichologist, room, start=start)
    recalls.mark_sent(recall, timezone.now())
    token = recalls.new_token()
    recalls.store_link(recall.pk, token, timezone.now())
    client = Client()
    client.get(reverse("portal:recall_link", args=[token]))
    _count(client)  # warm per-process caches
    small = _count(client)

    actor = Actor.system("test", clinic.pk)
    others = [make_patient(clinic, given_name=f"P{i}") for i in range(10)]
    booked = 0
    for offset in range(-7, 22):
        when = recall.due_date + dt.timedelta(days=offset)
        if when.weekday() == 6 or booked >= 50:
            continue
        for hour in (9, 11, 15, 16, 17):
            if booked >= 50:
                break
            try:
                scheduling.book_appointment(actor, clinic, patient=others[booked % 10], practitioner=trichologist, room=room,
                                            kind="review", starts_at=scheduling.local_datetime(when, dt.time(hour, 0)), duration_minutes=30)
                booked += 1
            except scheduling.BookingError:
                continue
    for _ in range(20):
        builders.recalled_session(patient, trichologist, builders.room(clinic, name=f"Room {_ + 2}"),
                                  start=start + dt.timedelta(days=196 + 98 * _))
    large = _count(client)
    assert booked == 50
    assert small == large, f"{small} queries with an empty diary, {large} with 50 appointments and 20 more courses"
    assert large <= BUDGET, f"{large} queries, budget {BUDGET}"
