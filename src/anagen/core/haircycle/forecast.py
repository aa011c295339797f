"""Personal 12-month forecast with a Bayesian update from follow-up measurements.

Method (docs/haircycle.md, "Personal forecast"): the patient's response is one parameter, the
treatment effect θ of their course. Its prior is the calibrated population prior
(treatments.course_prior), truncated to the model's calibrated range [-0.4, 2.5]. The mean-field
equations are run once for a grid of θ values (vectorised), giving for each θ the expected
density at the target site, scaled to the patient's own baseline:
m(θ, t) = baseline × v(θ, t) / v(θ, 0), v = share of follicles with a visible terminal hair.
Each follow-up y_j at day t_j has a Gaussian measurement-error likelihood N(y_j; m(θ, t_j), s_j²),
so the posterior on the grid is w(θ) ∝ prior(θ) × Π_j N(y_j; m(θ, t_j), s_j²). Bands are the
10/50/90% quantiles of the posterior predictive of a measurement, the mixture
Σ_θ w(θ) N(m(θ, t), s²); as data arrive w concentrates and the band narrows towards the
irreducible measurement error.

Non-responder rule: a follow-up is "below the band" when it falls under the 10% line of the
forecast issued at the start of the course (the prior predictive: what responders to this course
achieve). Two consecutive follow-ups below it flag a likely non-responder. The updated band is
not used for the rule because it moves towards the patient's own data by design.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from anagen.core.haircycle.meanfield import mean_field_batch
from anagen.core.haircycle.observables import WASH_TEST_DAYS, ObservationParams, trailing_sum
from anagen.core.haircycle.params import Shaft, Shock, Treatment, norm_cdf_fast
from anagen.core.haircycle.treatments import (
    DIAGNOSES,
    TreatmentPrior,
    UnmeasuredTreatment,
    course_prior,
    diagnosis_params,
    forecast_horizon_days,
    measured_treatments,
    treatment_prior,
)

EFFECT_RANGE = (-0.4, 2.5)
DEFAULT_MEASUREMENT_CV = 0.05
"""Default measurement sd of a density count: 5% of the baseline density (an assumed
phototrichogram repeatability; domain.md gives none, so a clinic should set its own)."""
TE_DEFAULT_TRIGGER_DAYS_AGO = 90
"""Telogen effluvium: patients present while shedding, which starts 2-4 months after the trigger
(Liyanage & Sinclair 2016 Cosmetics 3:13)."""
TE_DEFAULT_FRACTION_OF_ANAGEN = 0.2
"""Share of anagen follicles pushed into catagen: 0.2 takes the steady-state telogen share from 9%
to about 27%, just above the >25% trichogram criterion for TE (Liyanage & Sinclair 2016)."""


@dataclass(frozen=True)
class PatientBaseline:
    """Baseline at the target site: terminal hair density per cm², optionally the mean shaft
    diameter (sets the model's shaft mean) and a 5-day wash-test count (sets the patient's own
    collection scale for the shedding forecast)."""

    density_per_cm2: float
    shaft_diameter_um: float | None = None
    wash_test_count: float | None = None


@dataclass(frozen=True)
class Measurement:
    """A follow-up density at the same site on ``day`` since the course started."""

    day: int
    density_per_cm2: float
    sd_per_cm2: float | None = None


@dataclass(frozen=True)
class Band:
    """10/50/90% quantiles by day (day 0 = start of the course)."""

    day: tuple[int, ...]
    p10: tuple[float, ...]
    p50: tuple[float, ...]
    p90: tuple[float, ...]

    def at(self, day: int) -> tuple[float, float, float]:
        i = self.day.index(day)
        return self.p10[i], self.p50[i], self.p90[i]

    def width(self, day: int) -> float:
        lo, _, hi = self.at(day)
        return hi - lo


@dataclass(frozen=True)
class EffectPosterior:
    """Grid posterior of the patient's treatment effect θ."""

    grid: tuple[float, ...]
    weights: tuple[float, ...]
    mean: float
    sd: float


@dataclass(frozen=True)
class FollowUpCheck:
    day: int
    density_per_cm2: float
    band_p10: float
    below_band: bool


@dataclass(frozen=True)
class NonResponderFlag:
    """Raised when two consecutive follow-ups fall below the start-of-course band."""

    days: tuple[int, int]
    message: str


@dataclass(frozen=True)
class PersonalForecast:
    diagnosis: str
    prior: TreatmentPrior
    density: Band
    """Posterior predictive of a density measurement (narrows as follow-ups arrive)."""
    density_at_start: Band
    """The forecast issued at the start of the course (prior predictive), used for the flag."""
    wash_test: Band
    """Posterior predictive of a 5-day wash-test count (Poisson collection noise)."""
    effect: EffectPosterior
    follow_ups: tuple[FollowUpCheck, ...]
    non_responder: NonResponderFlag | None
    # Issue 17: the last day forecast (no extrapolation past the shortest trial of the course's
    # measured treatments), the treatments no randomised hair-count trial measured (forecast as
    # untreated), and follow-ups after the horizon (not compared).
    horizon_days: int = 365
    unmeasured: tuple[UnmeasuredTreatment, ...] = ()
    follow_ups_after_horizon: tuple[int, ...] = ()

    @property
    def untreated_only(self) -> bool:
        """True when nothing in the course was measured by a trial: the forecast is the untreated course."""
        return not measured_treatments(tuple(self.prior.key.split("+")), self.diagnosis)[0]


BISECTION_STEPS = 36
"""The bracket starts at most a few thousand units wide, so 36 halvings put each quantile within
1e-7 of its value: far below the 0.01 the bands are rounded to."""


def _mixture_quantiles(
    weights: np.ndarray, means: np.ndarray, sds: np.ndarray, qs: Sequence[float]
) -> list[np.ndarray]:
    """Quantiles of Σ_g w_g N(means[g, t], sds[g, t]²) for each t, by vectorised bisection."""
    lo = (means - 5 * sds).min(axis=0)
    hi = (means + 5 * sds).max(axis=0)
    out = []
    w = weights[:, None]
    for q in qs:
        a, b = lo.copy(), hi.copy()
        for _ in range(BISECTION_STEPS):
            mid = 0.5 * (a + b)
            cdf = (w * norm_cdf_fast((mid[None, :] - means) / sds)).sum(axis=0)
            below = cdf < q
            a = np.where(below, mid, a)
            b = np.where(below, b, mid)
        out.append(0.5 * (a + b))
    return out


def _band(days: np.ndarray, weights: np.ndarray, means: np.ndarray, sds: np.ndarray) -> Band:
    p10, p50, p90 = _mixture_quantiles(weights, means, sds, (0.1, 0.5, 0.9))
    return Band(
        day=tuple(int(d) for d in days),
        p10=tuple(round(float(x), 2) for x in p10),
        p50=tuple(round(float(x), 2) for x in p50),
        p90=tuple(round(float(x), 2) for x in p90),
    )


@dataclass(frozen=True)
class _CourseModel:
    """The mean-field trajectories of one course on the θ grid, for a baseline density of 1.

    Everything here scales linearly with the patient's baseline density (the expected density is
    baseline × v(θ, t) / v(θ, 0) and the measurement sd is a share of the baseline), so one
    computation serves every patient with the same diagnosis, course and shaft diameter.
    """

    prior: TreatmentPrior
    grid: np.ndarray
    log_prior: np.ndarray
    w_prior: np.ndarray
    unit_density: np.ndarray
    """(grid, days + 1): v(θ, t) / v(θ, 0)."""
    wash_test: np.ndarray
    """(grid, days + 1): expected 5-day wash-test counts, before scaling to the patient's own."""
    unit_start_band: tuple[np.ndarray, np.ndarray, np.ndarray]
    """10/50/90% quantiles of the prior predictive for a baseline of 1, unrounded."""


@lru_cache(maxsize=16)
def _course_model(
    diagnosis: str, treatments: tuple[str, ...], shaft_diameter_um: float | None, days: int,
    lead: int, shock_fraction_of_anagen: float, grid_points: int, scalp_follicles: float,
    wash_test_collection_fraction: float,
) -> _CourseModel:
    """Memoised: about 0.1-0.3 s of numpy per distinct course, after that nothing. The cache holds
    16 courses (about 0.4 MB each); its arguments are all hashable values, so it is pure."""
    prior = course_prior(treatments, diagnosis)
    params = diagnosis_params(diagnosis)
    if shaft_diameter_um is not None:
        params = replace(params, shaft=Shaft(shaft_diameter_um, params.shaft.cv, params.shaft.vellus_threshold_um))
    if diagnosis == "telogen_effluvium":
        params = replace(params, shocks=(Shock(0.0, shock_fraction_of_anagen),))
    params = replace(params, treatment=Treatment(0.0, float(lead), prior.halts_progression))
    grid = np.linspace(EFFECT_RANGE[0], EFFECT_RANGE[1], grid_points)
    log_prior = -0.5 * ((grid - prior.effect_mean) / prior.effect_sd) ** 2
    w_prior = np.exp(log_prior - log_prior.max())
    w_prior /= w_prior.sum()
    mf = mean_field_batch(params, grid, days=lead + days + 1, follicles=100_000, steps_per_day=1)
    v = mf["terminal_visible"][:, lead:]
    unit_density = v / v[:, :1]
    shed = mf["shed"] * (scalp_follicles / 100_000)
    wash = wash_test_collection_fraction * trailing_sum(shed, WASH_TEST_DAYS)[:, lead:]
    sds = np.full_like(unit_density, DEFAULT_MEASUREMENT_CV)
    p10, p50, p90 = _mixture_quantiles(w_prior, unit_density, sds, (0.1, 0.5, 0.9))
    for array in (grid, log_prior, w_prior, unit_density, wash, p10, p50, p90):
        array.setflags(write=False)  # shared between calls: nobody may change them
    return _CourseModel(prior, grid, log_prior, w_prior, unit_density, wash, (p10, p50, p90))


def _model_args(
    diagnosis: str, baseline: PatientBaseline, treatments: Sequence[str], days: int,
    trigger_days_ago: int | None, shock_fraction_of_anagen: float, grid_points: int, obs: ObservationParams,
) -> tuple[str, tuple[str, ...], float | None, int, int, float, int, float, float]:
    if diagnosis not in DIAGNOSES:
        raise ValueError(f"unknown diagnosis {diagnosis!r}")
    if not baseline.density_per_cm2 > 0:
        raise ValueError("baseline density must be positive")
    lead = 0
    if diagnosis == "telogen_effluvium":
        lead = TE_DEFAULT_TRIGGER_DAYS_AGO if trigger_days_ago is None else int(trigger_days_ago)
    horizon = forecast_horizon_days(tuple(treatments), diagnosis, int(days))
    return (
        diagnosis, tuple(treatments), baseline.shaft_diameter_um, horizon, lead,
        float(shock_fraction_of_anagen) if diagnosis == "telogen_effluvium" else 0.0, int(grid_points),
        float(obs.scalp_follicles), float(obs.wash_test_collection_fraction),
    )


@lru_cache(maxsize=2048)
def _unit_start_band(*args: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The start-of-course band alone (about 9 kB a course, so many more fit than whole models):
    a clinic's patients span many diagnosis, course and shaft-diameter combinations."""
    return _course_model(*args).unit_start_band


def clear_memoised_courses() -> None:
    """Forget every memoised course (benchmarks time a forecast from nothing with it)."""
    _course_model.cache_clear()
    _unit_start_band.cache_clear()
    course_prior.cache_clear()
    treatment_prior.cache_clear()


def _scaled_band(days: np.ndarray, unit: tuple[np.ndarray, np.ndarray, np.ndarray], scale: float) -> Band:
    return Band(
        day=tuple(int(d) for d in days),
        p10=tuple(round(float(x), 2) for x in unit[0] * scale),
        p50=tuple(round(float(x), 2) for x in unit[1] * scale),
        p90=tuple(round(float(x), 2) for x in unit[2] * scale),
    )


def _checks_and_flag(
    start_band: Band, follow_ups: Sequence[Measurement], days: int
) -> tuple[tuple[FollowUpCheck, ...], NonResponderFlag | None]:
    """The module docstring's non-responder rule: two consecutive follow-ups under the 10% line of
    the start-of-course band."""
    checks = []
    for m in sorted(follow_ups, key=lambda m: m.day):
        if not (0 <= m.day <= days):
            raise ValueError(f"follow-up day {m.day} is outside the forecast horizon")
        p10 = start_band.p10[m.day]
        checks.append(FollowUpCheck(m.day, m.density_per_cm2, p10, m.density_per_cm2 < p10))
    flag = None
    for a, b in zip(checks, checks[1:], strict=False):
        if a.below_band and b.below_band:
            flag = NonResponderFlag(
                (a.day, b.day),
                "Density below the expected band at two consecutive follow-ups: likely "
                "non-responder. Review the diagnosis (e.g. trichoscopy, labs for telogen "
                "effluvium triggers) or add a combination therapy.",
            )
            break
    return tuple(checks), flag


@dataclass(frozen=True)
class NonResponderResult:
    """The follow-ups against the start-of-course band, without the posterior (see
    ``non_responder_check``)."""

    follow_ups: tuple[FollowUpCheck, ...]
    non_responder: NonResponderFlag | None


def non_responder_check(
    diagnosis: str,
    baseline: PatientBaseline,
    treatments: Sequence[str],
    follow_ups: Sequence[Measurement] = (),
    *,
    days: int = 365,
    trigger_days_ago: int | None = None,
    shock_fraction_of_anagen: float = TE_DEFAULT_FRACTION_OF_ANAGEN,
    grid_points: int = 59,
    observation: ObservationParams | None = None,
) -> NonResponderResult:
    """The non-responder rule alone, exactly as ``personal_forecast`` applies it (same band, same
    checks), without the posterior bands: a clinic's dashboard checks every patient with it."""
    args = _model_args(diagnosis, baseline, treatments, days, trigger_days_ago, shock_fraction_of_anagen,
                       grid_points, observation or ObservationParams())
    horizon = args[3]
    _check_days(follow_ups, days)
    start_band = _scaled_band(np.arange(horizon + 1), _unit_start_band(*args), baseline.density_per_cm2)
    checks, flag = _checks_and_flag(start_band, [m for m in follow_ups if m.day <= horizon], horizon)
    return NonResponderResult(checks, flag)


def _check_days(follow_ups: Sequence[Measurement], days: int) -> None:
    for m in follow_ups:
        if not (0 <= m.day <= days):
            raise ValueError(f"follow-up day {m.day} is outside the forecast horizon")


def personal_forecast(
    diagnosis: str,
    baseline: PatientBaseline,
    treatments: Sequence[str],
    follow_ups: Sequence[Measurement] = (),
    *,
    days: int = 365,
    trigger_days_ago: int | None = None,
    shock_fraction_of_anagen: float = TE_DEFAULT_FRACTION_OF_ANAGEN,
    grid_points: int = 59,
    observation: ObservationParams | None = None,
) -> PersonalForecast:
    """12-month (``days``) forecast for one patient, updated with any ``follow_ups``.

    ``diagnosis``: a key of ``treatments.DIAGNOSES``; ``treatments``: keys of
    ``treatments.TREATMENTS`` (a combination is allowed). For telogen effluvium the trigger is
    placed ``trigger_days_ago`` days before the course (default 90).

    Issue 17: the bands end at ``treatments.forecast_horizon_days`` (no extrapolation past the
    shortest trial of the measured treatments); follow-ups after it are not compared (listed in
    ``follow_ups_after_horizon``); treatments no trial measured add nothing (``unmeasured``).
    """
    args = _model_args(diagnosis, baseline, treatments, days, trigger_days_ago, shock_fraction_of_anagen,
                       grid_points, observation or ObservationParams())
    _check_days(follow_ups, days)
    days = args[3]
    after_horizon = tuple(sorted(m.day for m in follow_ups if m.day > days))
    follow_ups = [m for m in follow_ups if m.day <= days]
    _, unmeasured = measured_treatments(tuple(treatments) or ("none",), diagnosis)
    model = _course_model(*args)
    scale = baseline.density_per_cm2
    density = scale * model.unit_density
    wash = model.wash_test
    if baseline.wash_test_count is not None:
        wash = wash * (baseline.wash_test_count / max(float(wash[:, 0].mean()), 1e-9))

    sd_per_cm2 = DEFAULT_MEASUREMENT_CV * scale
    log_lik = np.zeros_like(model.grid)
    for m in follow_ups:
        sd = m.sd_per_cm2 if m.sd_per_cm2 is not None else sd_per_cm2
        log_lik += -0.5 * ((m.density_per_cm2 - density[:, m.day]) / sd) ** 2
    log_post = model.log_prior + log_lik
    w_post = np.exp(log_post - log_post.max())
    w_post /= w_post.sum()

    day_axis = np.arange(days + 1)
    start_band = _scaled_band(day_axis, model.unit_start_band, scale)
    if not follow_ups:
        post_band = start_band  # no data: the posterior is the prior
    else:
        # Computed for a baseline of 1 and scaled, like the start band. Grid points whose weight
        # is under 1e-12 of the largest move no quantile by a visible amount, so they are left
        # out of the (costly) mixture.
        kept = w_post > 1e-12 * w_post.max()
        unit_sds = np.full_like(model.unit_density[kept], DEFAULT_MEASUREMENT_CV)
        q10, q50, q90 = _mixture_quantiles(w_post[kept] / w_post[kept].sum(), model.unit_density[kept], unit_sds, (0.1, 0.5, 0.9))
        post_band = _scaled_band(day_axis, (q10, q50, q90), scale)
    kept = w_post > 1e-12 * w_post.max()
    wash_kept = wash[kept]
    wash_band = _band(day_axis, w_post[kept] / w_post[kept].sum(), wash_kept, np.sqrt(np.maximum(wash_kept, 1.0)))
    checks, flag = _checks_and_flag(start_band, follow_ups, days)
    grid = model.grid
    mean = float((w_post * grid).sum())
    sd = math.sqrt(max(float((w_post * (grid - mean) ** 2).sum()), 0.0))
    return PersonalForecast(
        diagnosis=diagnosis,
        prior=model.prior,
        density=post_band,
        density_at_start=start_band,
        wash_test=wash_band,
        effect=EffectPosterior(
            grid=tuple(round(float(g), 4) for g in grid),
            weights=tuple(float(x) for x in w_post),
            mean=mean,
            sd=sd,
        ),
        follow_ups=checks,
        non_responder=flag,
        horizon_days=days,
        unmeasured=unmeasured,
        follow_ups_after_horizon=after_horizon,
    )


def untreated_band(
    diagnosis: str, baseline: PatientBaseline, *, days: int = 365, trigger_days_ago: int | None = None,
    shock_fraction_of_anagen: float = TE_DEFAULT_FRACTION_OF_ANAGEN, grid_points: int = 59,
    observation: ObservationParams | None = None,
) -> Band:
    """The untreated course's density band for this patient (issue 17: drawn beside the treated
    band; one untreated course, θ = 0, for every comparison)."""
    args = _model_args(diagnosis, baseline, ("none",), days, trigger_days_ago, shock_fraction_of_anagen,
                       grid_points, observation or ObservationParams())
    return _scaled_band(np.arange(args[3] + 1), _unit_start_band(*args), baseline.density_per_cm2)


def untreated_ratios(
    diagnosis: str, day: int, *, trigger_days_ago: int | None = None, days: int = 365,
    shock_fraction_of_anagen: float = TE_DEFAULT_FRACTION_OF_ANAGEN, grid_points: int = 59,
    observation: ObservationParams | None = None,
) -> tuple[float, float]:
    """What the untreated course expects on ``day`` as ratios of the baseline: (median density,
    mean 5-day wash-test count). Telogen effluvium's response is judged against these (issue 17)."""
    if not 0 <= day <= days:
        raise ValueError(f"day {day} is outside the forecast horizon")
    args = _model_args(diagnosis, PatientBaseline(1.0), ("none",), days, trigger_days_ago, shock_fraction_of_anagen,
                       grid_points, observation or ObservationParams())
    model = _course_model(*args)
    density = float(model.unit_start_band[1][day])
    wash = model.wash_test
    start = float((model.w_prior * wash[:, 0]).sum())
    wash_ratio = float((model.w_prior * wash[:, day]).sum()) / start if start > 0 else 1.0
    return density, wash_ratio
