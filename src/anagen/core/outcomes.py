"""Outcome statistics and the patient-facing reading of the hair-cycle forecast.

Pure Python (no Django, no I/O, no clock): today's date and the course start are arguments.

- ``wilson_interval``: the 95% score interval of a proportion (Wilson 1927, J Am Stat Assoc
  22:209-212), which, unlike the Wald interval p ± z·sqrt(p(1-p)/n), stays inside [0, 1] and keeps
  its coverage for small counts and rates near 0 or 1: what a clinic's outcomes table has.
- ``estimate_rate``: a count, its rate and interval, and "too few patients to say" under
  ``OutcomesSettings.min_patients_for_rate`` (clinic protocol, configurable: default 10).
- ``is_responder``: good and partial responses count as responders (clinic protocol,
  documented in docs/clinical-rules.md beside the response classes of ``anagen.core.response``).
- ``forecast_diagnosis`` / ``forecast_treatments``: the consultation's diagnosis and the course's
  formulation mapped to the keys of ``anagen.core.haircycle`` (docs/haircycle.md).
- ``expected_timeline``: "shedding should settle by …; visible change is not expected before …",
  read off the start-of-course forecast band.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from anagen.core import display
from anagen.core.errors import InvalidInput
from anagen.core.haircycle.forecast import Band, untreated_ratios
from anagen.core.response import UntreatedCourse

Z_95 = 1.959963984540054
"""Two-sided 95% normal quantile."""


@dataclass(frozen=True)
class OutcomesSettings:
    """Clinic protocol (configurable) for the outcomes tables.

    ``min_patients_for_rate``: below this many patients a rate is shown as "too few patients to
    say" rather than as a percentage (default 10: with 10 patients the Wilson interval of any rate
    is still about ±25 percentage points wide, so fewer say nothing a clinic can act on).
    """

    min_patients_for_rate: int = 10

    def __post_init__(self) -> None:
        if not isinstance(self.min_patients_for_rate, int) or self.min_patients_for_rate < 1:
            raise InvalidInput.single("min_patients_for_rate", "must be a whole number of at least 1")


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927, JASA 22:209).

    With p = successes/total and n = total:
    centre = (p + z²/2n) / (1 + z²/n), half-width = z/(1 + z²/n) · sqrt(p(1-p)/n + z²/4n²).
    Known values: 8/10 → 0.490-0.943, 0/10 → 0-0.278, 50/100 → 0.404-0.596.
    """
    if not isinstance(successes, int) or not isinstance(total, int):
        raise InvalidInput.single("successes", "successes and total must be whole numbers")
    if total <= 0:
        raise InvalidInput.single("total", "must be at least 1")
    if not 0 <= successes <= total:
        raise InvalidInput.single("successes", "must be between 0 and total")
    n = float(total)
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = (z / denominator) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At 0 or n successes the bound is exactly 0 or 1; say so rather than trust rounding.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == total else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class RateEstimate:
    """``successes`` of ``total``, the rate and its 95% Wilson interval; ``enough`` is False when
    ``total`` is under the protocol minimum (then show "too few patients to say")."""

    successes: int
    total: int
    rate: float | None
    low: float | None
    high: float | None
    enough: bool

    def percent(self, value: float | None) -> str:
        return "" if value is None else f"{100 * value:.1f}"


def estimate_rate(successes: int, total: int, settings: OutcomesSettings = OutcomesSettings()) -> RateEstimate:
    """A rate with its Wilson interval (``wilson_interval``); ``enough`` follows
    ``OutcomesSettings.min_patients_for_rate`` (clinic protocol)."""
    if total == 0:
        return RateEstimate(successes, 0, None, None, None, False)
    low, high = wilson_interval(successes, total)
    return RateEstimate(successes, total, successes / total, low, high, total >= settings.min_patients_for_rate)


RESPONDER_CLASSES = frozenset({"good", "partial"})


def is_responder(response_class: str) -> bool:
    """Good and partial responses count as responders; none and worse do not (clinic protocol,
    documented in docs/clinical-rules.md; the classes are ``anagen.core.response.ResponseClass``)."""
    return str(response_class) in RESPONDER_CLASSES


def per_100(events: int, sessions: int) -> Decimal | None:
    """Events per 100 sessions, one decimal, half up; None without sessions."""
    if sessions <= 0:
        return None
    return (Decimal(events) * 100 / Decimal(sessions)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- the hair-cycle forecast in the product ------------------------------------------------------

_DIAGNOSIS_KEYS = {
    "telogen_effluvium": "telogen_effluvium",
    "diffuse_thinning": "diffuse_thinning",
}


def forecast_diagnosis(diagnosis_primary: str, sex: str) -> str | None:
    """The hair-cycle model's diagnosis key (``anagen.core.haircycle.DIAGNOSES``) for a
    consultation diagnosis, or None when the model has none (scalp conditions, prevention,
    alopecia areata, scarring alopecia: no forecast). Androgenetic alopecia uses the female or male
    pattern by the patient's recorded sex; "other" sex has no calibrated pattern, so no forecast
    (docs/haircycle.md: the AGA arms were calibrated on men (Olsen 2002, Kaufman 1998) and women
    (Lucky 2004) separately)."""
    if diagnosis_primary == "androgenetic_alopecia":
        return {"male": "androgenetic_alopecia_male", "female": "androgenetic_alopecia_female"}.get(sex)
    return _DIAGNOSIS_KEYS.get(diagnosis_primary)


_DRUG_TREATMENTS = (
    ("minoxidil", "minoxidil_mesotherapy"),
    ("finasteride", "finasteride_mesotherapy"),
    ("dutasteride", "dutasteride_mesotherapy"),
)


def forecast_treatments(ingredients: Iterable[str]) -> tuple[str, ...]:
    """Treatment keys (``anagen.core.haircycle.TREATMENTS``) for a mesotherapy course whose
    formulation has these ingredient codes: always "vitamin_mesotherapy" (the cocktail), plus each
    injected drug: minoxidil → "minoxidil_mesotherapy", finasteride → "finasteride_mesotherapy",
    dutasteride → "dutasteride_mesotherapy". Issue 17: only injected dutasteride has a randomised
    hair-count trial (Abdallah 2009, 12 weeks, men); the cocktail (Gajjar 2019 found no change)
    and injected minoxidil or finasteride have none, so the forecast treats them as the untreated
    course and says so (``anagen.core.haircycle.measured_treatments``); the topical and oral
    trials are not transferred to injections."""
    codes = {str(code).lower() for code in ingredients}
    treatments = ["vitamin_mesotherapy"]
    for code, key in _DRUG_TREATMENTS:
        if code in codes:
            treatments.append(key)
    return tuple(treatments)


def untreated_reference(
    diagnosis_key: str, baseline_day: int, follow_up_day: int, trigger_days_ago: int | None
) -> UntreatedCourse:
    """What telogen effluvium's untreated course (the hair-cycle model, θ = 0) expects at the
    follow-up relative to the baseline visit, both counted in days from the course start (issue
    17: TE recovers by itself, so its response is judged against this). ``trigger_days_ago``: the
    trigger's distance before the course start (Liyanage & Sinclair 2016: shedding 2-4 months
    after it); None uses the model's default."""
    # One year of the model: by then an acute effluvium has long settled (3-6 months), and one
    # horizon keeps every patient on the same memoised course.
    days = 365
    base_density, base_wash = untreated_ratios(diagnosis_key, min(days, max(0, baseline_day)), trigger_days_ago=trigger_days_ago, days=days)
    density, wash = untreated_ratios(diagnosis_key, min(days, max(0, follow_up_day)), trigger_days_ago=trigger_days_ago, days=days)
    return UntreatedCourse(
        Decimal(str(round(density / base_density, 4))),
        Decimal(str(round(wash / base_wash, 4))) if base_wash > 0 else None,
    )


@dataclass(frozen=True)
class ExpectedTimeline:
    """The forecast in plain words for the patient (start-of-course band, day 0 = course start)."""

    shedding_rise_expected: bool
    shedding_settles_day: int | None
    shedding_settles_on: dt.date | None
    visible_change_day: int | None
    visible_change_on: dt.date | None
    sentences: tuple[str, ...]


def _first(days: Sequence[int], values: Sequence[float], start_index: int, test: object) -> int | None:
    for i in range(start_index, len(days)):
        if test(values[i]):  # type: ignore[operator]
            return days[i]
    return None


def expected_timeline(
    density: Band,
    wash_test: Band,
    baseline_density_per_cm2: float,
    course_start: dt.date,
    measurable_gain_pct: Decimal | float,
    *,
    shedding_rise_pct: float = 5.0,
    minoxidil_in_course: bool = False,
    untreated_only: bool = False,
    horizon_days: int | None = None,
) -> ExpectedTimeline:
    """Read the forecast bands in plain words (docs/haircycle.md, "Personal forecast"); pass the
    personal (updated) bands, so the words follow the patient's own measurements.

    - Shedding: if the median 5-day wash-test count is forecast to rise more than
      ``shedding_rise_pct`` (default 5%, clinic protocol) above its day-0 level, it "settles" on the
      first day after its peak when the median is back at or under the day-0 level. Otherwise no
      rise is expected.
    - Visible change: the first day the median density reaches the baseline plus
      ``measurable_gain_pct`` (pass the smallest gain the product calls a response: the larger of
      ``Protocol.partial_density_gain_pct`` and the density's smallest detectable change). None
      when the median never gets there within the forecast.
    Issue 17: "making way for new growth" is said only when minoxidil is in the course (the
    shed of minoxidil's early weeks); ``untreated_only`` (no treatment in the course was measured
    by a randomised hair-count trial) says so; ``horizon_days`` (the forecast's end, the shortest
    trial) is named instead of "12 months".
    """
    if not baseline_density_per_cm2 > 0:
        raise InvalidInput.single("baseline_density_per_cm2", "must be positive")
    sentences: list[str] = []
    span = "12 months" if horizon_days is None or horizon_days >= 365 else f"{horizon_days} days"
    if untreated_only:
        sentences.append(
            "No randomised trial has measured hair counts with this treatment, so this forecast is the course "
            "without treatment; it claims no benefit."
        )
    elif horizon_days is not None and horizon_days < 365:
        sentences.append(
            f"The forecast stops at {horizon_days} days: the trial behind it measured no longer, and it is not extended."
        )
    w_days, w50 = wash_test.day, wash_test.p50
    start_level = w50[0]
    peak_index = max(range(len(w50)), key=lambda i: w50[i])
    rise = start_level > 0 and w50[peak_index] > start_level * (1 + shedding_rise_pct / 100)
    settles_day: int | None = None
    if rise and peak_index == len(w50) - 1:
        sentences.append(
            f"Shedding is forecast to stay above its starting level over the next {span}; "
            "we will review it at each visit."
        )
    elif rise:
        settles_day = _first(w_days, w50, peak_index, lambda v: v <= start_level)
        peak_on = course_start + dt.timedelta(days=w_days[peak_index])
        why = (": this is hairs in the resting phase making way for new growth" if minoxidil_in_course else "")
        if settles_day is not None:
            settles_on = course_start + dt.timedelta(days=settles_day)
            sentences.append(
                f"Shedding may increase for a while (most around {peak_on:%b %Y}){why}. "
                f"It should settle by {display.day(settles_on)}."
            )
        else:
            sentences.append(
                f"Shedding may increase for a while (most around {peak_on:%b %Y}){why} and is not forecast to fall "
                f"back to its starting level within {span}; we will review it at each visit."
            )
    else:
        sentences.append("Shedding is not expected to rise because of the treatment.")
    threshold = baseline_density_per_cm2 * (1 + float(measurable_gain_pct) / 100)
    visible_day = _first(density.day, density.p50, 0, lambda v: v >= threshold)
    visible_on = course_start + dt.timedelta(days=visible_day) if visible_day is not None else None
    if visible_on is not None:
        sentences.append(
            f"A measurable change in hair density is not expected before {display.day(visible_on)} "
            f"(about {max(1, round(visible_day / 30.4))} months after the course started): hair grows about 1 cm a "  # type: ignore[operator]
            "month and resting hairs take about 3 months to be replaced."
        )
    else:
        sentences.append(
            f"The forecast does not expect a measurable change in hair density within {span} of this course; "
            "the aim may be to slow further loss. Ask your trichologist about combination options."
        )
    sentences.append(
        "These dates are a forecast from a model of the hair cycle and published trials, not a promise: "
        "people respond differently, and your own measurements are what count."
    )
    return ExpectedTimeline(
        bool(rise),
        settles_day,
        course_start + dt.timedelta(days=settles_day) if settles_day is not None else None,
        visible_day,
        visible_on,
        tuple(sentences),
    )
