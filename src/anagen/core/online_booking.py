"""Rules of online booking by new patients: the one-time code that proves the mobile number, and
the limits that keep the public page from being used to flood a number or the clinic's diary.

Sources and reasons (clinic protocol and common security practice, not clinical evidence):
- A six-digit code sent to the mobile number proves the person booking holds it, as Indian banks
  and DigiLocker do for their one-time passwords. Six digits with five tries give a guesser a
  5 in 1,000,000 chance per code (OWASP Authentication Cheat Sheet: limit attempts per code;
  NIST SP 800-63B §5.1.3.1: an out-of-band secret of at least six digits, used once).
- Ten minutes of validity: long enough for an SMS that arrives late on a busy network, short
  enough that a code read later over a shoulder is useless (NIST SP 800-63B §5.1.3.1 suggests
  10 minutes for out-of-band secrets).
- Five tries, then the code is spent: the issue's requirement, and it bounds guessing as above.
- Three codes per number per hour: a person who mistypes twice still gets through; a script that
  uses the page to send messages to a stranger's phone (SMS pumping) is stopped, and each message
  costs the clinic money.
- The verified number stays good for 30 minutes after the code matched, so a patient whose slot
  was just taken by someone else chooses another time without a new code.
- Patients book from the next day up to four weeks ahead: a same-day booking would reach a
  clinic whose reception cannot see it in time to call back, and further ahead most first
  consultations are not kept (clinic practice).

Pure: every moment is an argument; nothing here reads a clock or draws a random number.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_CODE_TRIES = 5
CODES_PER_NUMBER = 3
CODES_PER_NUMBER_WINDOW = timedelta(hours=1)
VERIFIED_LIFETIME = timedelta(minutes=30)
# Per client address, enforced by the public pages with django-ratelimit (anagen.booking.views).
CODE_REQUESTS_PER_ADDRESS_PER_HOUR = 10
CODE_CHECKS_PER_ADDRESS_PER_HOUR = 30
FIRST_BOOKABLE_DAY_OFFSET = 1
BOOKING_HORIZON_DAYS = 28


class CodeVerdict(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED_UP = "used_up"


@dataclass(frozen=True)
class CodeState:
    """What is known of one code when a guess arrives."""

    sent_at: datetime
    failed_tries: int


def code_expires_at(sent_at: datetime) -> datetime:
    return sent_at + CODE_LIFETIME


def judge_code(state: CodeState, *, matches: bool, now: datetime) -> CodeVerdict:
    """The answer to one guess. A spent or expired code refuses even the right digits, so five
    wrong guesses cannot be followed by a lucky sixth."""
    if state.failed_tries >= MAX_CODE_TRIES:
        return CodeVerdict.USED_UP
    if now >= code_expires_at(state.sent_at):
        return CodeVerdict.EXPIRED
    if matches:
        return CodeVerdict.ACCEPTED
    return CodeVerdict.USED_UP if state.failed_tries + 1 >= MAX_CODE_TRIES else CodeVerdict.WRONG


def tries_left(failed_tries: int) -> int:
    return max(0, MAX_CODE_TRIES - failed_tries)


def number_may_receive_code(recent_sends: list[datetime], now: datetime) -> bool:
    """Whether another code may go to a number that was sent codes at ``recent_sends``."""
    since = now - CODES_PER_NUMBER_WINDOW
    return sum(1 for sent in recent_sends if since < sent <= now) < CODES_PER_NUMBER


def verified_until(verified_at: datetime) -> datetime:
    return verified_at + VERIFIED_LIFETIME


def bookable_days(today: date) -> list[date]:
    """The calendar days a new patient may choose (the clinic's open days are filtered later)."""
    first = today + timedelta(days=FIRST_BOOKABLE_DAY_OFFSET)
    return [first + timedelta(days=n) for n in range(BOOKING_HORIZON_DAYS)]


def is_bookable_day(day: date, today: date) -> bool:
    return day in set(bookable_days(today))
