"""Who is offered a freed time from the waiting list, and until when (anagen.core.waitlist)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from anagen.core.protocol import Protocol
from anagen.core.waitlist import FreedTime, Waiting, entry_open, may_offer, offer_deadline, wants

IST = ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=IST)
SESSION = dt.datetime(2026, 12, 21, 10, 0, tzinfo=IST)


def waiting(**changes: object) -> Waiting:
    values = {"entry_id": 1, "patient_id": 7, "practitioner_id": 3, "starts_at": SESSION, "joined_starts_at": SESSION, "booked": True}
    return Waiting(**{**values, **changes})  # type: ignore[arg-type]


def freed(**changes: object) -> FreedTime:
    values = {"starts_at": dt.datetime(2026, 12, 14, 10, 0, tzinfo=IST), "practitioner_id": 3, "patient_id": 8}
    return FreedTime(**{**values, **changes})  # type: ignore[arg-type]


def test_an_earlier_time_with_the_same_practitioner_is_offered_to_a_waiting_patient():
    assert wants(waiting(), freed(), NOW)


def test_a_time_no_earlier_than_the_waiting_session_is_not_offered():
    assert not wants(waiting(), freed(starts_at=SESSION), NOW)
    assert not wants(waiting(), freed(starts_at=SESSION + dt.timedelta(days=1)), NOW)


def test_another_practitioners_time_is_not_offered():
    assert not wants(waiting(), freed(practitioner_id=4), NOW)


def test_the_patient_who_cancelled_is_not_offered_their_own_time():
    assert not wants(waiting(patient_id=8), freed(), NOW)


def test_an_entry_ends_when_its_session_is_moved_no_longer_booked_or_past():
    assert entry_open(waiting(), NOW)
    assert not entry_open(waiting(starts_at=SESSION + dt.timedelta(days=2)), NOW)
    assert not entry_open(waiting(booked=False), NOW)
    assert not entry_open(waiting(), SESSION + dt.timedelta(minutes=1))
    assert not wants(waiting(booked=False), freed(), NOW)


def test_an_offer_lapses_at_the_freed_times_notice_cut_off():
    protocol = Protocol(self_service_notice_hours=24)
    start = dt.datetime(2026, 12, 14, 10, 0, tzinfo=IST)
    assert offer_deadline(start, protocol) == dt.datetime(2026, 12, 13, 10, 0, tzinfo=IST)
    assert may_offer(start, protocol, dt.datetime(2026, 12, 13, 9, 59, tzinfo=IST))
    assert not may_offer(start, protocol, dt.datetime(2026, 12, 13, 10, 0, tzinfo=IST))
    assert offer_deadline(start, Protocol(self_service_notice_hours=48)) == dt.datetime(2026, 12, 12, 10, 0, tzinfo=IST)
