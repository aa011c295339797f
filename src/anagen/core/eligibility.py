"""Whether a screened patient may be booked for a mesotherapy course, and why not.

Source: Anagen's screening policy (issue 5), built on the verdict rules of
``anagen.core.screening`` (domain.md §6): a ``stop`` finding blocks the course; a ``defer``
finding blocks booking until the review date the trichologist sets; every ``caution`` must be
acknowledged by a trichologist with a written reason before booking (clinic protocol).

Each reason is a marked Sentence (anagen.core.wording) the app layer words in the reader's
language; ``reasons`` holds the same in English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from anagen.core.protocol import Protocol
from anagen.core.screening import Finding, Severity
from anagen.core.wording import Sentence, gettext_noop


@dataclass(frozen=True)
class BookingDecision:
    allowed: bool
    reasons: tuple[str, ...]
    unacknowledged_cautions: tuple[str, ...] = ()
    # The reasons as marked sentences, for wording in the reader's language (empty when the
    # caller wrote ``reasons`` itself).
    sentences: tuple[Sentence, ...] = ()


def booking_decision(
    findings: Iterable[Finding],
    *,
    acknowledged_codes: Iterable[str],
    review_on: dt.date | None,
    today: dt.date,
) -> BookingDecision:
    """Decide from the signed consultation's findings; ``today`` is the clinic-local date."""
    findings = tuple(findings)
    acknowledged = {str(code) for code in acknowledged_codes}
    reasons: list[Sentence] = []
    stops = [f for f in findings if f.severity == Severity.STOP]
    if stops:
        reasons.extend(Sentence(gettext_noop("Not eligible: %(finding)s"), {"finding": f}) for f in stops)
    defers = [f for f in findings if f.severity == Severity.DEFER]
    if defers and not stops:
        if review_on is None:
            reasons.append(Sentence(gettext_noop("Treatment is deferred: set a review date before booking.")))
        elif today < review_on:
            reasons.append(Sentence(gettext_noop("Treatment is deferred until %(day)s."), {"day": review_on}))
    pending = tuple(str(f.code) for f in findings if f.severity == Severity.CAUTION and str(f.code) not in acknowledged)
    if pending and not stops:
        # The cautions' own words: people read these, the codes stay in ``unacknowledged_cautions``.
        cautions = tuple(f for f in findings if f.severity == Severity.CAUTION and str(f.code) in pending)
        reasons.append(Sentence(gettext_noop("Acknowledge every caution with a reason before booking: %(cautions)s."),
                                {"cautions": cautions}))
    return BookingDecision(allowed=not reasons, reasons=tuple(str(r) for r in reasons), unacknowledged_cautions=pending,
                           sentences=tuple(reasons))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def reconsultation_due(last_signed_on: dt.date, today: dt.date, protocol: Protocol) -> Sentence | None:
    """Why a full re-consultation is needed before further sessions, or None: the last signed
    consultation is older than Protocol.reconsultation_after_months (default 12; clinic protocol,
    issue 17: health, medicines, pregnancy plans and the hair itself change over a year). A
    consultation exactly that many months old is not older."""
    limit = add_months(last_signed_on, protocol.reconsultation_after_months)
    if today <= limit:
        return None
    return Sentence(
        gettext_noop("The last signed consultation (%(day)s) is more than %(months)s months old: a full re-consultation is "
                     "needed before further maintenance sessions."),
        {"day": last_signed_on, "months": protocol.reconsultation_after_months},
    )
