"""Diagnosis presets, published trial arms, and treatment-effect priors calibrated to them.

A treatment acts through one dimensionless effect θ (``CycleParams.with_effect``): phases that
begin under treatment have anagen mean × e^θ and telogen/kenogen means and the kenogen
probability × e^-θ; 5-alpha-reductase inhibitors also halt AGA progression. θ is not taken from
any marketing claim: for each trial arm it is the value at which the model's mean change in
non-vellus hair count at the trial's time point equals the published mean (section 2 and 4 of
domain.md). The validation table (validation.py) shows that fit and the held-out rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from anagen.core.haircycle.meanfield import mean_field_batch
from anagen.core.haircycle.params import (
    Alopecia,
    CycleParams,
    Kenogen,
    ModelParams,
    Phase,
    Shaft,
    Treatment,
)

# --- diagnoses ------------------------------------------------------------------------------


def normal_scalp() -> ModelParams:
    """Normal scalp: default cycle (Wolfram 2003) with kenogen in 80% of cycles, mean 120 days
    (Rebora & Guarrera 2002: ~4 months in up to 80% of cycles; gives 8% empty follicles)."""
    return ModelParams(cycle=CycleParams(kenogen=Kenogen(0.8, 120.0, 0.5)))


def androgenetic_alopecia() -> ModelParams:
    """Established androgenetic alopecia at the treated site.

    Anagen mean already shortened to 500 days (Courtois 1994: anagen shortens cycle by cycle;
    the value is a modelling choice within Wolfram's 2-7 year normal range halved); kenogen in
    90% of cycles, mean 180 days, cv 0.7 (Guarrera & Rebora 2005: longer, more frequent, 1-12
    months) giving 21% empty follicles (their 16-22%); shaft mean 47 µm (Rakowska 2009 AGA);
    progression continues with ``Alopecia()`` defaults.
    """
    return ModelParams(
        cycle=CycleParams(
            anagen=Phase(500.0, 0.5),
            kenogen=Kenogen(0.9, 180.0, 0.7),
        ),
        alopecia=Alopecia(),
        shaft=Shaft(mean_diameter_um=47.0),
    )


DIAGNOSES: dict[str, str] = {
    "androgenetic_alopecia_male": "Male pattern hair loss (androgenetic alopecia)",
    "androgenetic_alopecia_female": "Female pattern hair loss (androgenetic alopecia)",
    "telogen_effluvium": "Telogen effluvium",
    "diffuse_thinning": "Diffuse thinning, cycle otherwise normal",
}


def diagnosis_params(diagnosis: str) -> ModelParams:
    """Model of the untreated scalp for a diagnosis key of ``DIAGNOSES``."""
    if diagnosis in ("androgenetic_alopecia_male", "androgenetic_alopecia_female"):
        return androgenetic_alopecia()
    if diagnosis in ("telogen_effluvium", "diffuse_thinning"):
        return normal_scalp()
    raise ValueError(f"unknown diagnosis {diagnosis!r}")


# --- trials ---------------------------------------------------------------------------------

MALE_TRIAL_BASELINE_PER_CM2 = 876.0 / 5.1
"""Baseline hair count of the trial populations, per cm²: Kaufman 1998 (JAAD 39:578), 876 hairs
in a 1-inch (5.1 cm²) vertex circle. Olsen 2002, Lucky 2004 and Abdallah 2009 are modelled at the
same baseline (their baselines are not in domain.md; a stated assumption)."""


@dataclass(frozen=True)
class TrialArm:
    """One published figure: mean change in hair count at ``day`` (vs baseline, or vs the
    control arm when ``control`` is set), in hairs per ``area_cm2``; ``tolerance`` is the
    half-width of the trial's reported 95% uncertainty on that figure."""

    key: str
    source: str
    diagnosis: str
    day: int
    published: float
    tolerance: float
    tolerance_basis: str
    area_cm2: float = 1.0
    control: str | None = None
    calibrated: bool = True


TRIAL_ARMS: tuple[TrialArm, ...] = (
    TrialArm("olsen2002_placebo", "Olsen 2002 JAAD 47:377, men, vehicle, 48 wk",
             "androgenetic_alopecia_male", 336, 3.9, 1.96 * 21.7 / math.sqrt(78),
             "1.96 × SD 21.7 / √78"),
    TrialArm("olsen2002_minoxidil5", "Olsen 2002 JAAD 47:377, men, minoxidil 5%, 48 wk",
             "androgenetic_alopecia_male", 336, 18.6, 1.96 * 25.4 / math.sqrt(139),
             "1.96 × SD 25.4 / √139"),
    TrialArm("lucky2004_placebo", "Lucky 2004 JAAD 50:541, women, vehicle, 48 wk",
             "androgenetic_alopecia_female", 336, 9.4, 1.96 * 14.6 / math.sqrt(51),
             "1.96 × SD 14.6 / √51"),
    TrialArm("lucky2004_minoxidil5", "Lucky 2004 JAAD 50:541, women, minoxidil 5%, 48 wk",
             "androgenetic_alopecia_female", 336, 26.0, 1.96 * 19.5 / math.sqrt(101),
             "1.96 × SD 19.5 / √101"),
    TrialArm("kaufman1998_finasteride_1y", "Kaufman 1998 JAAD 39:578, finasteride 1 mg vs placebo, 1 yr",
             "androgenetic_alopecia_male", 365, 107.0, 107.0 * 1.96 / 3.29,
             "P < .001 bounds the 95% CI half-width by 107 × 1.96/3.29", area_cm2=5.1,
             control="kaufman1998_placebo"),
    TrialArm("kaufman1998_finasteride_2y", "Kaufman 1998 JAAD 39:578, finasteride 1 mg vs placebo, 2 yr",
             "androgenetic_alopecia_male", 730, 138.0, 138.0 * 1.96 / 3.29,
             "P < .001 bounds the 95% CI half-width by 138 × 1.96/3.29", area_cm2=5.1,
             control="kaufman1998_placebo", calibrated=False),
    TrialArm("abdallah2009_dutasteride_meso", "Abdallah 2009 (via Herz-Ruelas 2020), dutasteride mesotherapy vs saline, 12 wk",
             "androgenetic_alopecia_male", 84, 7.9, 7.9,
             "P < .05 with 14 + 14 men bounds the 95% CI half-width by the effect itself",
             control="abdallah2009_saline"),
)


@dataclass(frozen=True)
class TreatmentPrior:
    """Population prior for a patient's effect θ on one course, Normal(effect_mean, effect_sd)."""

    key: str
    label: str
    effect_mean: float
    effect_sd: float
    halts_progression: bool
    evidence: str


def arm_effects() -> dict[str, tuple[float, bool]]:
    """θ and halts_progression of every arm (calibrated values, see ``calibrate``)."""
    return dict(_ARM_EFFECTS)


# Values produced by ``calibrate()``; tests/core/haircycle/test_treatments.py re-derives them.
_ARM_EFFECTS: dict[str, tuple[float, bool]] = {
    "olsen2002_placebo": (0.167929, False),
    "olsen2002_minoxidil5": (0.520413, False),
    "lucky2004_placebo": (0.276347, False),
    "lucky2004_minoxidil5": (0.873888, False),
    "kaufman1998_placebo": (0.0, False),
    "kaufman1998_finasteride": (0.201659, True),
    "abdallah2009_saline": (0.0, False),
    "abdallah2009_dutasteride_meso": (0.522514, True),
}


def change_per_cm2(
    diagnosis: str,
    effects: np.ndarray,
    days: int,
    *,
    halts_progression: bool = False,
    baseline_per_cm2: float = MALE_TRIAL_BASELINE_PER_CM2,
) -> np.ndarray:
    """Model mean change in terminal hair count per cm² from day 0, shape (G, days+1), for a
    treatment of each effect in ``effects`` started on day 0 at the steady state."""
    params = replace(
        diagnosis_params(diagnosis),
        treatment=Treatment(effect=0.0, start_day=0.0, halts_progression=halts_progression),
    )
    out = mean_field_batch(params, np.asarray(effects, dtype=float), days=days + 1, steps_per_day=1)
    v = out["terminal_visible"]
    return np.asarray(baseline_per_cm2 * (v - v[:, :1]) / v[:, :1])


def _solve(diagnosis: str, day: int, target: float, halts: bool, offset: float = 0.0) -> float:
    """Smallest θ in [-0.4, 2.5] where change(θ, day) - offset = target (grid, then refined)."""
    lo, hi = -0.4, 2.5
    for points in (59, 21, 21):
        grid = np.linspace(lo, hi, points)
        y = change_per_cm2(diagnosis, grid, day, halts_progression=halts)[:, day] - offset
        above = np.flatnonzero(y >= target)
        if above.size == 0 or above[0] == 0:
            raise ArithmeticError(f"target {target} outside the model's range")
        i = int(above[0])
        lo, hi = float(grid[i - 1]), float(grid[i])
    return float(np.interp(target, y[i - 1 : i + 1], grid[i - 1 : i + 1]))


def calibrate() -> dict[str, tuple[float, bool]]:
    """Fit θ of every calibrated arm (placebo/saline arms of the Kaufman and Abdallah trials
    are untreated AGA, θ = 0: Kaufman reports 'placebo resulted in progressive hair loss')."""
    effects: dict[str, tuple[float, bool]] = {}
    for arm in TRIAL_ARMS:
        if not arm.calibrated:
            continue
        per_cm2 = arm.published / arm.area_cm2
        if arm.control is None:
            effects[arm.key] = (_solve(arm.diagnosis, arm.day, per_cm2, False), False)
        else:
            effects[arm.control] = (0.0, False)
            control = float(change_per_cm2(arm.diagnosis, np.array([0.0]), arm.day)[0, arm.day])
            key = arm.key.removesuffix("_1y")
            effects[key] = (_solve(arm.diagnosis, arm.day, per_cm2, True, offset=control), True)
    return effects


# --- patient priors -------------------------------------------------------------------------

TREATMENTS: dict[str, str] = {
    "none": "No active treatment (the untreated course)",
    "minoxidil_5": "Minoxidil 5% topical",
    "finasteride_1mg": "Finasteride 1 mg oral",
    "dutasteride_mesotherapy": "Dutasteride mesotherapy",
    "vitamin_mesotherapy": "Vitamin/peptide cocktail mesotherapy",
    # Issue 17: injected drugs are not their topical or oral forms.
    "minoxidil_mesotherapy": "Minoxidil mesotherapy (injected)",
    "finasteride_mesotherapy": "Finasteride mesotherapy (injected)",
}


@dataclass(frozen=True)
class TrialEvidence:
    """What randomised hair-count trials measured for a treatment (issue 17: a forecast claims only
    that). ``days``: the longest time point measured, None when no randomised hair-count trial
    exists (the treatment then gets the untreated forecast); ``men_only``: measured in men only,
    or shown to do nothing in women; ``androgenetic_only``: a 5-alpha-reductase inhibitor acts on
    androgen-driven loss only."""

    days: int | None
    men_only: bool
    androgenetic_only: bool
    source: str


TRIAL_EVIDENCE: dict[str, TrialEvidence] = {
    "minoxidil_5": TrialEvidence(336, False, False, "Olsen 2002 (men) and Lucky 2004 (women), 48 weeks"),
    "finasteride_1mg": TrialEvidence(
        730, True, True, "Kaufman 1998, men, 2 years; in women no benefit (Price 2000)"),
    "dutasteride_mesotherapy": TrialEvidence(
        84, True, True, "Abdallah 2009, men, 12 weeks; in women photographic scores only (Moftah 2013)"),
    "vitamin_mesotherapy": TrialEvidence(
        None, False, False, "no randomised hair-count trial: the one RCT found no change beyond minoxidil (Gajjar 2019)"),
    "minoxidil_mesotherapy": TrialEvidence(
        None, False, False, "no randomised hair-count trial of injected minoxidil (the topical trials do not transfer)"),
    "finasteride_mesotherapy": TrialEvidence(
        None, True, True, "no randomised hair-count trial of injected finasteride (the oral trials do not transfer)"),
}


@dataclass(frozen=True)
class UnmeasuredTreatment:
    key: str
    reason: str


def measured_treatments(treatments: tuple[str, ...], diagnosis: str) -> tuple[tuple[str, ...], tuple[UnmeasuredTreatment, ...]]:
    """Split a course's treatments into those a randomised hair-count trial measured for this
    diagnosis (they shape the forecast) and those none did (they get the untreated course, and
    the page says so): no trial at all, a 5-ARI in a woman (Price 2000), or a 5-ARI for a loss
    that is not androgenetic."""
    used: list[str] = []
    unmeasured: list[UnmeasuredTreatment] = []
    female = diagnosis == "androgenetic_alopecia_female"
    androgenetic = diagnosis.startswith("androgenetic_alopecia")
    for key in treatments:
        if key == "none":
            continue
        if key not in TREATMENTS:
            raise ValueError(f"unknown treatment {key!r}")
        evidence = TRIAL_EVIDENCE[key]
        if evidence.days is None:
            unmeasured.append(UnmeasuredTreatment(key, evidence.source))
        elif evidence.men_only and female:
            unmeasured.append(UnmeasuredTreatment(key, f"measured in men only ({evidence.source})"))
        elif evidence.androgenetic_only and not androgenetic:
            unmeasured.append(UnmeasuredTreatment(key, "a 5-alpha-reductase inhibitor has no hair-count trial outside "
                                                       "androgenetic alopecia"))
        else:
            used.append(key)
    return tuple(used), tuple(unmeasured)


def forecast_horizon_days(treatments: tuple[str, ...], diagnosis: str, days: int) -> int:
    """No extrapolation past a trial's duration (issue 17): the forecast ends at the shortest time
    point measured among the course's measured treatments (dutasteride mesotherapy: 12 weeks),
    and at ``days``. An untreated forecast is the model's own course and keeps ``days``."""
    used, _ = measured_treatments(treatments, diagnosis)
    limits = [TRIAL_EVIDENCE[key].days for key in used]
    return min([days, *[d for d in limits if d is not None]])


def _slope(diagnosis: str, effect: float, day: int, halts: bool) -> float:
    y = change_per_cm2(diagnosis, np.array([effect - 0.05, effect + 0.05]), day, halts_progression=halts)
    return float((y[1, day] - y[0, day]) / 0.1)


def _sd(diagnosis: str, effect: float, day: int, halts: bool, sd_change_per_cm2: float) -> float:
    """Between-patient sd of θ: the trial's patient-level SD of the change / model sensitivity."""
    return sd_change_per_cm2 / max(_slope(diagnosis, effect, day, halts), 1e-6)


UNTREATED_EFFECT = 0.0
"""θ of the untreated course, one for every comparison (issue 17): untreated androgenetic
alopecia does not improve by itself (Kaufman 1998: placebo lost hair over two years); the placebo
arms' small gains (Olsen 2002, Lucky 2004 vehicles) are vehicle and trial effects, not a course a
patient has without treatment. The calibration already uses θ = 0 for the Kaufman and Abdallah
controls."""


@lru_cache(maxsize=64)
def treatment_prior(treatment: str, diagnosis: str) -> TreatmentPrior:
    """Population prior of θ for one treatment and diagnosis.

    The untreated course (``none``) is θ = 0 (UNTREATED_EFFECT) with the between-patient sd of the
    trial placebo arms. Minoxidil 5%: the calibrated arm (Olsen 2002 for men, Lucky 2004 for
    women); sds convert each trial's patient-level SD of the change in hair count into θ units
    through the model's slope at the trial's time point. Finasteride uses the Olsen 2002 SD
    (25.4/cm²) as a stand-in: Kaufman 1998 reports no SD in its abstract. Dutasteride mesotherapy:
    SD ≤ 3.84 × √7 = 10.2/cm² from P < .05 with 14 + 14 men. A treatment no randomised hair-count
    trial measured for this diagnosis (``measured_treatments``: the vitamin cocktail, Gajjar 2019;
    injected minoxidil and finasteride; a 5-ARI in women, Price 2000) gets the untreated prior.
    """
    if treatment not in TREATMENTS:
        raise ValueError(f"unknown treatment {treatment!r}")
    female = diagnosis == "androgenetic_alopecia_female"
    arms = _ARM_EFFECTS
    minox_key = "lucky2004_minoxidil5" if female else "olsen2002_minoxidil5"
    plac_sd_change, minox_sd_change = (14.6, 19.5) if female else (21.7, 25.4)
    model_dx = "androgenetic_alopecia_female" if female else "androgenetic_alopecia_male"
    minox = arms[minox_key][0]
    label = TREATMENTS[treatment]
    untreated_sd = _sd(model_dx, UNTREATED_EFFECT, 336, False, plac_sd_change)
    used, unmeasured = measured_treatments((treatment,), diagnosis)
    if treatment == "none" or not used:
        evidence = ("untreated course: androgenetic alopecia does not improve by itself (Kaufman 1998 placebo lost hair)"
                    if treatment == "none" else f"no trial measured it: {unmeasured[0].reason}; forecast as untreated")
        return TreatmentPrior(treatment, label, UNTREATED_EFFECT, untreated_sd, False, evidence)
    if treatment == "minoxidil_5":
        return TreatmentPrior(treatment, label, minox, _sd(model_dx, minox, 336, False, minox_sd_change),
                              False, "RCTs, good (Olsen 2002; Lucky 2004)")
    if treatment == "finasteride_1mg":
        fin = arms["kaufman1998_finasteride"][0]
        return TreatmentPrior(treatment, label, fin, _sd(model_dx, fin, 365, True, 25.4), True,
                              "RCTs, good (Kaufman 1998); men only")
    dut = arms["abdallah2009_dutasteride_meso"][0]
    return TreatmentPrior(treatment, label, dut, _sd(model_dx, dut, 84, True, 3.84 * math.sqrt(7)),
                          True, "one small RCT (Abdallah 2009); systemic absorption reported")


@lru_cache(maxsize=256)
def course_prior(treatments: tuple[str, ...], diagnosis: str) -> TreatmentPrior:
    """Prior for a course: the untreated course (θ = 0) plus each measured treatment's effect
    (θ_i − θ_untreated), variances added; progression halted if any measured component halts it.
    Treatments no trial measured for this diagnosis add nothing (``measured_treatments``)."""
    used, unmeasured = measured_treatments(tuple(treatments) or ("none",), diagnosis)
    base = treatment_prior("none", diagnosis)
    parts = [treatment_prior(t, diagnosis) for t in used]
    notes = [f"{TREATMENTS[u.key]}: {u.reason}" for u in unmeasured]
    if not parts:
        key = "+".join(treatments) if treatments else "none"
        label = " + ".join(TREATMENTS[t] for t in treatments) if treatments else base.label
        return TreatmentPrior(key, label, base.effect_mean, base.effect_sd, False, "; ".join([base.evidence, *notes]))
    if len(parts) == 1 and not unmeasured:
        return parts[0]
    mean = base.effect_mean + sum(p.effect_mean - base.effect_mean for p in parts)
    sd = math.sqrt(sum(p.effect_sd**2 for p in parts))
    return TreatmentPrior(
        "+".join(treatments), " + ".join(TREATMENTS[t] for t in treatments), mean, sd,
        any(p.halts_progression for p in parts), "; ".join([*(p.evidence for p in parts), *notes]),
    )
