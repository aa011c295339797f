"""The model-versus-trials table of docs/model-validation.md, computed from code.

Each row: the published figure, the model's figure at the same time point, the tolerance
(the trial's reported 95% uncertainty, see ``TrialArm.tolerance_basis``) and the result. Rows
marked "fitted" fitted θ (or a preset) to that very figure: they check the fit and its
reproducibility, not a prediction. "Held out" rows were not used for fitting: they are the test
of the model, and a miss is reported as a miss (issue 17), never tuned away.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from anagen.core.haircycle.meanfield import mean_field_batch
from anagen.core.haircycle.params import Shock
from anagen.core.haircycle.treatments import TRIAL_ARMS, arm_effects, change_per_cm2, normal_scalp


@dataclass(frozen=True)
class ValidationRow:
    key: str
    source: str
    units: str
    published: float
    model: float
    tolerance: float
    tolerance_basis: str
    role: str
    # "within": |model - published| <= tolerance; "at_least": model >= published - tolerance.
    comparison: str = "within"

    @property
    def passed(self) -> bool:
        if self.comparison == "at_least":
            return self.model >= self.published - self.tolerance
        return abs(self.model - self.published) <= self.tolerance


def _arm_change(diagnosis: str, effect: float, halts: bool, day: int) -> float:
    return float(change_per_cm2(diagnosis, np.array([effect]), day, halts_progression=halts)[0, day])


def validation_rows() -> list[ValidationRow]:
    effects = arm_effects()
    rows = []
    for arm in TRIAL_ARMS:
        key = arm.key.removesuffix("_1y").removesuffix("_2y")
        theta, halts = effects[key]
        model = _arm_change(arm.diagnosis, theta, halts, arm.day)
        if arm.control is not None:
            c_theta, c_halts = effects[arm.control]
            model -= _arm_change(arm.diagnosis, c_theta, c_halts, arm.day)
        units = "hairs/cm²" if arm.area_cm2 == 1.0 else f"hairs per {arm.area_cm2:g} cm²"
        rows.append(
            ValidationRow(
                arm.key, arm.source, units, arm.published, model * arm.area_cm2, arm.tolerance,
                arm.tolerance_basis, "fitted" if arm.calibrated else "held out",
            )
        )
    return rows


Z_TWO_SIDED = {0.047: 1.986, 0.011: 2.543, 0.067: 1.832}
"""Normal quantiles of two-sided P values, to bound a 95% half-width by effect × 1.96 / z."""


def _te_shedding() -> tuple[int, int, float]:
    """The untreated telogen effluvium preset (a shock of 20% of anagen on day 0, the default of
    ``forecast.TE_DEFAULT_FRACTION_OF_ANAGEN``): the first day shedding exceeds its steady level by
    10%, the first day after the peak it is back within 10%, and the highest telogen share."""
    params = replace(normal_scalp(), shocks=(Shock(0.0, 0.2),))
    out = mean_field_batch(params, np.array([0.0]), days=401, follicles=100_000, steps_per_day=1)
    shed, telogen = out["shed"][0], out["telogen"][0]
    steady = float(shed[0])
    onset = next(i for i in range(len(shed)) if shed[i] > 1.1 * steady)
    peak = int(shed.argmax())
    settled = next(i for i in range(peak, len(shed)) if shed[i] <= 1.1 * steady)
    return onset, settled, float(telogen.max())


def held_out_rows() -> list[ValidationRow]:
    """Checks the model was not fitted to (issue 17): the time course of a treated scalp between
    the trials' end points, and the timing of shedding in telogen effluvium. Reported with their
    result, pass or miss; not asserted, so a miss stays visible instead of being tuned away."""
    effects = arm_effects()
    theta = effects["olsen2002_minoxidil5"][0]
    rows = []
    for day, months, published, p in ((91, 3, 21.3, 0.047), (182, 6, 34.0, 0.011)):
        rows.append(ValidationRow(
            f"hoffmann_minoxidil5_{months}m",
            f"TrichoScan, 9 men, minoxidil 5% topical, {months} months (Hoffmann 2005 Dermatology 211:54); model: the "
            "Olsen 2002 minoxidil θ (fitted at 48 weeks) read at this day",
            "hairs/cm²", published, _arm_change("androgenetic_alopecia_male", theta, False, day),
            published * 1.96 / Z_TWO_SIDED[p], f"P = {p} bounds the 95% CI half-width by {published} × 1.96/{Z_TWO_SIDED[p]}",
            "held out",
        ))
    rows.append(ValidationRow(
        "hoffmann_minoxidil5_6m_second", "TrichoScan, 10 men, minoxidil 5% topical, 6 months: 163.7 → 189.6/cm² "
        "(Hoffmann, TrichoScan results with 5% minoxidil); model as above", "hairs/cm²", 25.9,
        _arm_change("androgenetic_alopecia_male", theta, False, 182), 25.9 * 1.96 / Z_TWO_SIDED[0.067],
        "P = 0.067 bounds the 95% CI half-width by 25.9 × 1.96/1.832", "held out",
    ))
    onset, settled, telogen_peak = _te_shedding()
    rows.append(ValidationRow(
        "te_shedding_onset", "Telogen effluvium: shedding starts 2-4 months after the trigger (Liyanage & Sinclair 2016); "
        "model: first day shedding is 10% above its steady level", "days after the trigger", 90.0, float(onset), 30.0,
        "the published 60-120 days", "held out",
    ))
    rows.append(ValidationRow(
        "te_shedding_duration", "Acute telogen effluvium resolves in 3-6 months (Liyanage & Sinclair 2016); model: days "
        "from that onset until shedding is back within 10%", "days", 135.0, float(settled - onset), 45.0,
        "the published 90-180 days", "held out",
    ))
    rows.append(ValidationRow(
        "te_telogen_share", "Telogen over 25% on a trichogram supports TE (Liyanage & Sinclair 2016); the shock size was "
        "chosen for it, so this checks the fit", "% telogen at the peak", 25.0, 100 * telogen_peak, 0.0,
        "the published criterion, > 25%", "fitted", comparison="at_least",
    ))
    return rows


def transport_rows() -> list[ValidationRow]:
    """Cross-trial checks reported but not asserted (the model's known limits)."""
    effects = arm_effects()
    rows = []
    # Women's minoxidil arm predicted from the women's placebo arm plus the men's
    # minoxidil increment (Olsen 2002), i.e. the drug effect transported across trials.
    men_increment = effects["olsen2002_minoxidil5"][0] - effects["olsen2002_placebo"][0]
    lucky = next(a for a in TRIAL_ARMS if a.key == "lucky2004_minoxidil5")
    model = _arm_change(lucky.diagnosis, effects["lucky2004_placebo"][0] + men_increment, False, lucky.day)
    rows.append(
        ValidationRow(
            "lucky2004_minoxidil5_from_olsen_increment",
            "Lucky 2004 women, minoxidil 5%, 48 wk, predicted from Lucky placebo + Olsen 2002 drug increment",
            "hairs/cm²", lucky.published, model, lucky.tolerance, lucky.tolerance_basis, "transport",
        )
    )
    return rows


def _table(rows: list[ValidationRow], miss: str = "FAIL") -> list[str]:
    lines = [
        "| trial arm | role | published | model | tolerance | basis | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        tolerance = "at least" if r.comparison == "at_least" else f"±{r.tolerance:.1f}"
        lines.append(
            f"| {r.source} | {r.role} | {r.published:+.1f} {r.units} | {r.model:+.1f} | "
            f"{tolerance} | {r.tolerance_basis} | {'pass' if r.passed else miss} |"
        )
    return lines


def validation_markdown() -> str:
    """The tables for docs/model-validation.md: asserted rows, the held-out checks (reported, misses
    as misses), then transport checks."""
    lines = _table(validation_rows())
    lines += ["", "Held-out checks: time course and shedding (reported, not asserted; a miss is a miss):", ""]
    lines += _table(held_out_rows(), miss="MISS")
    lines += ["", "Transport checks (reported, not asserted):", ""]
    lines += _table(transport_rows())
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - used to regenerate the doc table
    print(validation_markdown())
