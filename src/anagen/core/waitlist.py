"""The waiting list for an earlier slot, and the freed slot offered first-come (issue 22, item 2).

Rules (clinic protocol, not evidence):
- A patient waits with one booked course session for an earlier time ("any earlier day I can
  do"): the waiting entry names the session and the time it was booked at when they joined. The
  entry ends when the session is moved (by anyone), cancelled, taken place or passed: a session
  at another time is not the one the patient asked about.
- When an appointment is cancelled, its time goes to the waiting patients of the same
  practitioner whose session is later than the freed time (an earlier slot is the whole point)
  and who are not the patient who cancelled; whether the move itself is allowed (notice, open
  days, the planner's spacing, no day shared with another treatment of the course, the room and
  the patient free) is ``anagen.core.self_service`` and the calendar, as for any move.
- Everyone eligible is offered the time at once, and the first to accept gets it (no ranking:
  the clinic cannot know who can come at short notice). An offer lapses at the freed time's
  notice cut-off (``Protocol.self_service_notice_hours`` before it): after that a move would be
  refused anyway, and reception fills the time by telephone.

Pure: datetimes are aware; ``now`` is an argument.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from anagen.core.protocol import Protocol


@dataclass(frozen=True)
class FreedTime:
    """The time a cancellation freed."""

    starts_at: dt.datetime
    practitioner_id: int
    patient_id: int  # whose appointment was cancelled


@dataclass(frozen=True)
class Waiting:
    """An open waiting-list entry with its session as booked now."""

    entry_id: int
    patient_id: int
    practitioner_id: int
    starts_at: dt.datetime  # the session's time now
    joined_starts_at: dt.datetime  # the session's time when the patient joined
    booked: bool


def offer_deadline(freed_starts_at: dt.datetime, protocol: Protocol) -> dt.datetime:
    """When an offer of this time lapses: its notice cut-off."""
    return freed_starts_at - dt.timedelta(hours=protocol.self_service_notice_hours)


def entry_open(waiting: Waiting, now: dt.datetime) -> bool:
    """Whether the entry still stands: its session still booked, at the time it had when the
    patient joined, and still ahead."""
    return waiting.booked and waiting.starts_at == waiting.joined_starts_at and waiting.starts_at > now


def wants(waiting: Waiting, freed: FreedTime, now: dt.datetime) -> bool:
    """Whether this waiting patient is one to offer the freed time to, before the move rules:
    their entry stands, the freed time is earlier than their session, with the same practitioner,
    and it was not their own appointment."""
    return (entry_open(waiting, now) and freed.starts_at < waiting.starts_at and freed.practitioner_id == waiting.practitioner_id
            and freed.patient_id != waiting.patient_id)


def may_offer(freed_starts_at: dt.datetime, protocol: Protocol, now: dt.datetime) -> bool:
    """Whether an offer of this time can still be made (its cut-off is ahead)."""
    return now < offer_deadline(freed_starts_at, protocol)
