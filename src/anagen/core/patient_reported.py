"""What the patient reports between visits: a shedding diary and a short questionnaire at each
visit (issue 22, item 7).

These are the patient's own observations. They are shown beside the clinic's measurements, clearly
labelled as reported by the patient, and are never measurements: the response and the non-responder
rule (``anagen.core.response``, ``anagen.core.haircycle``) read only what the clinic measured.

The rules return problems as codes (``Problem``) with the field they concern, so that each caller
words them in the reader's language (the portal in Hindi or Marathi); ``check_diary_entry`` and
``check_reported_outcome`` raise them in English as ``InvalidInput`` for everyone else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import Any

from anagen.core.errors import FieldError, InvalidInput

# --- the shedding diary ------------------------------------------------------------------------

# The 60-second hair count (Wasko CA, Mackley CL, Sperling LC, Mauger D, Miller JJ. "Standardizing
# the 60-second hair count." Arch Dermatol 2008;144(6):759-762): before shampooing, comb the hair
# for 60 seconds over a pillowcase or a towel of a colour that contrasts with the hair, then count
# the hairs on it; comb at the same time of day, ideally on the same day each week (before the
# weekly wash), so that one count compares with the next. Wasko's healthy men combed out a mean of
# about 10 hairs (``measurements.COMB_COUNT_REFERENCE_MEAN``; 0-78 at ages 20-40). The bound of
# 1000 is a plausibility limit, not an evidence threshold: far above any comb count or a day's shed
# a patient can count by hand, and it refuses a typing slip of an extra digit.
MAX_DIARY_COUNT = 1000


class Problem(Enum):
    """Why a patient's report is refused: the caller words it for the reader."""

    NOT_WHOLE = "not_whole"  # a count that is not a whole number
    OUT_OF_RANGE = "out_of_range"  # a count below 0 or above MAX_DIARY_COUNT, a score off its scale
    IN_FUTURE = "in_future"  # a day after today
    BEFORE_REGISTRATION = "before_registration"  # a day before the patient was registered


ENGLISH = {
    Problem.NOT_WHOLE: "must be a whole number",
    Problem.OUT_OF_RANGE: "is outside the allowed range",
    Problem.IN_FUTURE: "cannot be in the future",
    Problem.BEFORE_REGISTRATION: "cannot be before the patient was registered",
}


def _count_problem(value: Any) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return Problem.NOT_WHOLE
    if not 0 <= value <= MAX_DIARY_COUNT:
        return Problem.OUT_OF_RANGE
    return None


def diary_entry_problems(
    day: dt.date, hairs_shed: Any, comb_count: Any, *, registered_on: dt.date, today: dt.date
) -> list[tuple[str, Problem]]:
    """Every problem of one diary entry, each with its field: ``day`` (not after ``today``, not
    before ``registered_on``), ``hairs_shed`` (required) and ``comb_count`` (optional: None), each a
    whole number 0..``MAX_DIARY_COUNT``.

    The comb count is the 60-second hair count of Wasko CA et al., "Standardizing the 60-second hair count",
    Arch Dermatol 2008;144(6):759-762: comb for 60 seconds over a pillowcase or a contrasting towel
    before washing, count the hairs; at the same time of day, ideally on the same day each week."""
    problems: list[tuple[str, Problem]] = []
    if day > today:
        problems.append(("day", Problem.IN_FUTURE))
    elif day < registered_on:
        problems.append(("day", Problem.BEFORE_REGISTRATION))
    problem = _count_problem(hairs_shed)
    if problem is not None:
        problems.append(("hairs_shed", problem))
    if comb_count is not None:
        problem = _count_problem(comb_count)
        if problem is not None:
            problems.append(("comb_count", problem))
    return problems


@dataclass(frozen=True)
class DiaryEntry:
    """One day of the patient's shedding diary: hairs shed that day, and optionally the 60-second
    comb count (Wasko 2008). Reported by the patient: never a measurement."""

    day: dt.date
    hairs_shed: int
    comb_count: int | None = None


def _raise(problems: list[tuple[str, Problem]]) -> None:
    if problems:
        raise InvalidInput([FieldError(name, ENGLISH[problem]) for name, problem in problems])


def check_diary_entry(day: dt.date, hairs_shed: Any, comb_count: Any, *, registered_on: dt.date, today: dt.date) -> DiaryEntry:
    """The entry, or ``InvalidInput`` naming every bad field."""
    _raise(diary_entry_problems(day, hairs_shed, comb_count, registered_on=registered_on, today=today))
    return DiaryEntry(day, hairs_shed, comb_count)


# --- the patient-reported outcome at each visit -------------------------------------------------


class SelfRatedChange(IntEnum):
    """The patient's own rating of the change in their hair since starting, on the 7-point scale
    (-3 much worse .. +3 much better) that the hair-loss trials use for the investigator's global
    photographic assessment and the patient's self-assessment (Kaufman KD et al., "Finasteride in
    the treatment of men with androgenetic alopecia", J Am Acad Dermatol 1998;39(4):578-589): the
    same scale as ``measurements.GlobalPhotographicAssessment``, answered by the patient."""

    MUCH_WORSE = -3
    MODERATELY_WORSE = -2
    SLIGHTLY_WORSE = -1
    NO_CHANGE = 0
    SLIGHTLY_BETTER = 1
    MODERATELY_BETTER = 2
    MUCH_BETTER = 3


# Satisfaction on a 5-point scale, every point labelled (1 very dissatisfied .. 5 very satisfied),
# rather than 0-10: five named answers read the same in English, Hindi and Marathi and are easy to
# tap on a phone, where an 11-point scale names only its ends and leaves each patient to guess what
# a 6 means; a patient's rating over the visits is compared with itself, which five points allow.
SATISFACTION_MIN = 1
SATISFACTION_MAX = 5


def reported_outcome_problems(change: Any, satisfaction: Any) -> list[tuple[str, Problem]]:
    """Every problem of one questionnaire answer: ``change`` a whole number -3..+3 and
    ``satisfaction`` a whole number 1..5."""
    problems: list[tuple[str, Problem]] = []
    for name, value, low, high in (("change", change, -3, 3), ("satisfaction", satisfaction, SATISFACTION_MIN, SATISFACTION_MAX)):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append((name, Problem.NOT_WHOLE))
        elif not low <= value <= high:
            problems.append((name, Problem.OUT_OF_RANGE))
    return problems


@dataclass(frozen=True)
class ReportedOutcome:
    """The patient's answer at one visit: self-rated change since starting and satisfaction."""

    change: SelfRatedChange
    satisfaction: int


def check_reported_outcome(change: Any, satisfaction: Any) -> ReportedOutcome:
    """The answer, or ``InvalidInput`` naming every bad field."""
    _raise(reported_outcome_problems(change, satisfaction))
    return ReportedOutcome(SelfRatedChange(change), satisfaction)
