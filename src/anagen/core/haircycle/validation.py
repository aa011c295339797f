"""The model-versus-trials table of docs/model-validation.md, computed from code.

Each row: the published mean change, the model's figure at the same time point, the tolerance
(the trial's reported 95% uncertainty, see ``TrialArm.tolerance_basis``) and pass/fail. Rows
marked "calibrated" fitted θ to that figure (they check the fit and its reproducibility);
"held out" rows were not used for fitting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anagen.core.haircycle.treatments import TRIAL_ARMS, arm_effects, change_per_cm2


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

    @property
    def passed(self) -> bool:
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
                arm.tolerance_basis, "calibrated" if arm.calibrated else "held out",
            )
        )
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


def _table(rows: list[ValidationRow]) -> list[str]:
    lines = [
        "| trial arm | role | published | model | tolerance | basis | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.source} | {r.role} | {r.published:+.1f} {r.units} | {r.model:+.1f} | "
            f"±{r.tolerance:.1f} | {r.tolerance_basis} | {'pass' if r.passed else 'FAIL'} |"
        )
    return lines


def validation_markdown() -> str:
    """The tables for docs/model-validation.md: asserted rows, then transport checks."""
    lines = _table(validation_rows())
    lines += ["", "Transport checks (reported, not asserted):", ""]
    lines += _table(transport_rows())
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - used to regenerate the doc table
    print(validation_markdown())
