"""The one-time code and limits of online booking (anagen.core.online_booking)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from anagen.core import online_booking as rules
from anagen.core.online_booking import CodeState, CodeVerdict, judge_code

SENT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_the_right_code_within_ten_minutes_is_accepted():
    assert judge_code(CodeState(SENT, 0), matches=True, now=SENT + timedelta(minutes=9, seconds=59)) is CodeVerdict.ACCEPTED


def test_a_code_is_refused_from_its_tenth_minute_even_when_right():
    assert judge_code(CodeState(SENT, 0), matches=True, now=SENT + timedelta(minutes=10)) is CodeVerdict.EXPIRED


def test_the_fifth_wrong_try_uses_the_code_up_and_the_right_code_after_it_is_refused():
    assert judge_code(CodeState(SENT, 3), matches=False, now=SENT) is CodeVerdict.WRONG
    assert judge_code(CodeState(SENT, 4), matches=False, now=SENT) is CodeVerdict.USED_UP
    assert judge_code(CodeState(SENT, 5), matches=True, now=SENT) is CodeVerdict.USED_UP
    assert rules.tries_left(4) == 1 and rules.tries_left(7) == 0


def test_a_number_gets_three_codes_an_hour():
    assert rules.number_may_receive_code([SENT, SENT + timedelta(minutes=5)], SENT + timedelta(minutes=10))
    three = [SENT, SENT + timedelta(minutes=5), SENT + timedelta(minutes=10)]
    assert not rules.number_may_receive_code(three, SENT + timedelta(minutes=20))
    assert rules.number_may_receive_code(three, SENT + timedelta(minutes=61))


def test_patients_book_from_tomorrow_for_four_weeks():
    days = rules.bookable_days(date(2026, 12, 3))
    assert days[0] == date(2026, 12, 4) and len(days) == 28
    assert not rules.is_bookable_day(date(2026, 12, 3), date(2026, 12, 3))


def test_a_verified_number_may_finish_the_booking_for_thirty_minutes():
    assert rules.verified_until(SENT) == SENT + timedelta(minutes=30)
