"""Reminder timing, staleness, back-off and message wording (anagen.core.reminders)."""

from datetime import UTC, datetime, timedelta

import pytest

from anagen.core.errors import InvalidInput
from anagen.core.reminders import (
    AppointmentFacts,
    ReminderKind,
    ReminderProtocol,
    backoff_seconds,
    check_template,
    dedupe_key,
    due_reminders,
    gives_up,
    is_stop_reply,
    render,
    still_valid,
)

START = datetime(2026, 5, 20, 4, 30, tzinfo=UTC)  # 10:00 in Kolkata
PROTOCOL = ReminderProtocol()


def facts(status="booked", *, maintenance=False, procedure=True, starts=START):
    return AppointmentFacts(1, starts, starts + timedelta(hours=1), status, procedure, maintenance)


def kinds(now, appt=None):
    return [(r.kind, r.hours) for r in due_reminders(appt or facts(), now, PROTOCOL)]


def test_nothing_is_due_before_48_hours():
    assert kinds(START - timedelta(hours=48, seconds=1)) == []


def test_the_48_hour_reminder_is_due_until_the_3_hour_one_takes_over():
    assert kinds(START - timedelta(hours=48)) == [(ReminderKind.BEFORE, 48)]
    assert kinds(START - timedelta(hours=4)) == [(ReminderKind.BEFORE, 48)]
    assert kinds(START - timedelta(hours=3)) == [(ReminderKind.BEFORE, 3)]
    assert kinds(START) == []


def test_a_late_booking_never_gets_a_48_hour_reminder_two_hours_before():
    assert kinds(START - timedelta(hours=2)) == [(ReminderKind.BEFORE, 3)]


def test_the_side_effect_check_goes_24_hours_after_a_completed_session_and_is_stale_after_48():
    end = START + timedelta(hours=1)
    done = facts("completed")
    assert kinds(end + timedelta(hours=23), done) == []
    assert kinds(end + timedelta(hours=24), done) == [(ReminderKind.SIDE_EFFECT_CHECK, 0)]
    assert kinds(end + timedelta(hours=48), done) == []
    assert kinds(end + timedelta(hours=24), facts("completed", procedure=False)) == []


def test_a_maintenance_session_gets_its_due_notice_a_week_before():
    appt = facts(maintenance=True)
    assert kinds(START - timedelta(days=7), appt) == [(ReminderKind.MAINTENANCE_DUE, 0)]
    assert kinds(START - timedelta(days=8), appt) == []
    assert kinds(START - timedelta(days=7), facts()) == []


def test_cancelled_appointments_get_no_reminders():
    assert kinds(START - timedelta(hours=3), facts("cancelled")) == []


def test_at_send_time_a_moved_cancelled_or_stale_reminder_is_refused():
    expires = START - timedelta(hours=3)
    now = START - timedelta(hours=10)
    assert still_valid("before", START, facts(), now, expires) == ""
    assert "moved" in still_valid("before", START, facts(starts=START + timedelta(days=1)), now, expires)
    assert "cancelled" in still_valid("before", START, facts("cancelled"), now, expires)
    assert "stale" in still_valid("before", START, facts(), expires, expires)


def test_a_moved_appointment_gets_new_dedupe_keys():
    assert dedupe_key(1, "before48", "sms", START) != dedupe_key(1, "before48", "sms", START + timedelta(hours=1))
    assert dedupe_key(1, "before48", "sms", START) == dedupe_key(1, "before48", "sms", START)


def test_retries_back_off_exponentially_up_to_the_cap_and_then_give_up():
    protocol = ReminderProtocol(max_attempts=4, backoff_base_seconds=60, backoff_max_seconds=300)
    assert [backoff_seconds(n, protocol) for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 300, 300]
    assert not gives_up(3, protocol)
    assert gives_up(4, protocol)


def test_it_refuses_a_protocol_with_impossible_values():
    with pytest.raises(InvalidInput) as exc:
        ReminderProtocol(before_hours=(), max_attempts=0)
    assert {e.field for e in exc.value.errors} == {"before_hours", "max_attempts"}


def test_templates_may_use_only_the_non_clinical_placeholders():
    assert check_template("At {clinic} on {date} {time}") == "At {clinic} on {date} {time}"
    with pytest.raises(InvalidInput):
        check_template("Dear {patient_name}, your {diagnosis}")
    with pytest.raises(InvalidInput):
        check_template("Unclosed {clinic")
    assert render("At {clinic} on {date}", {"clinic": "Lotus", "date": "Wed 20 May 2026"}) == "At Lotus on Wed 20 May 2026"


def test_stop_replies_are_recognised_in_any_case_and_in_hindi():
    assert is_stop_reply("STOP")
    assert is_stop_reply("stop please")
    assert is_stop_reply("बंद")
    assert not is_stop_reply("don't stop")
    assert not is_stop_reply("")
