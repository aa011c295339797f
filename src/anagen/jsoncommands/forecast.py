"""``anagen forecast``: a patient's 12-month density and shedding forecast, updated by follow-ups.

Input (``diagnosis``, ``baseline.density_per_cm2`` and ``treatments`` required)::

    {"diagnosis": "androgenetic_alopecia_male",
     "baseline": {"density_per_cm2": 150, "shaft_diameter_um": 47, "wash_test_count": 80},
     "treatments": ["minoxidil_5"],
     "follow_ups": [{"day": 90, "density_per_cm2": 148, "sd_per_cm2": 7.5}],
     "days": 365, "trigger_days_ago": 90}

Output: ``day`` (0 to ``horizon_days``: no forecast past the shortest trial of the measured
treatments); ``density_per_cm2`` and ``wash_test_count`` bands ({"p10", "p50", "p90"}, the
updated forecast); ``density_per_cm2_at_start`` (the start-of-course band);
``density_per_cm2_untreated`` (the untreated course); ``untreated_only`` and
``unmeasured_treatments`` (treatments no randomised hair-count trial measured: forecast as
untreated); ``effect`` (prior and posterior of θ); ``follow_ups`` (each with ``below_band``);
``follow_ups_after_horizon``; ``non_responder`` (null or {"days", "message"}).
"""

from __future__ import annotations

from typing import Any

from anagen.core.errors import FieldError, InvalidInput
from anagen.core.haircycle import (
    DIAGNOSES,
    TREATMENTS,
    Band,
    Measurement,
    PatientBaseline,
    personal_forecast,
    untreated_band,
)
from anagen.jsoncommands.simulate import Fields


def _band(b: Band) -> dict[str, list[float]]:
    return {"p10": list(b.p10), "p50": list(b.p50), "p90": list(b.p90)}


def _required(errors: list[FieldError], f: Fields, *keys: str) -> None:
    for k in keys:
        if not f.has(k):
            errors.append(FieldError(f.at(k), "missing field"))


def run(document: Any) -> dict[str, Any]:
    errors: list[FieldError] = []
    top = Fields(errors, document, "", ("diagnosis", "baseline", "treatments", "follow_ups", "days",
                                        "trigger_days_ago"))
    _required(errors, top, "diagnosis", "baseline", "treatments")
    diagnosis = top.choice("diagnosis", "", tuple(DIAGNOSES)) if top.has("diagnosis") else ""
    days = top.integer("days", 365, lo=30, hi=730)
    trigger = top.integer("trigger_days_ago", 90, lo=0, hi=365) if top.has("trigger_days_ago") else None
    if trigger is not None and diagnosis != "telogen_effluvium":
        errors.append(FieldError("trigger_days_ago", "only for diagnosis telogen_effluvium"))
    baseline = None
    if top.has("baseline"):
        b = Fields(errors, top.data["baseline"], "baseline",
                   ("density_per_cm2", "shaft_diameter_um", "wash_test_count"))
        _required(errors, b, "density_per_cm2")
        density = b.number("density_per_cm2", 1.0, lo=0.0, hi=1000.0, lo_open=True)
        shaft = None
        if b.has("shaft_diameter_um") and b.data["shaft_diameter_um"] is not None:
            shaft = b.number("shaft_diameter_um", 47.0, lo=5.0, hi=200.0)
        wash = None
        if b.has("wash_test_count") and b.data["wash_test_count"] is not None:
            wash = float(b.integer("wash_test_count", 1, lo=1, hi=10_000))
        baseline = PatientBaseline(density, shaft, wash)
    treatments: list[str] = []
    for i, t in enumerate(top.array("treatments")):
        if t not in TREATMENTS:
            errors.append(FieldError(f"treatments[{i}]", f"must be one of {', '.join(TREATMENTS)}"))
        elif t in treatments:
            errors.append(FieldError(f"treatments[{i}]", "listed twice"))
        else:
            treatments.append(t)
    if top.has("treatments") and isinstance(top.data["treatments"], list) and not top.data["treatments"]:
        errors.append(FieldError("treatments", "must list at least one treatment (use \"none\")"))
    follow_ups: list[Measurement] = []
    for i, item in enumerate(top.array("follow_ups")):
        m = Fields(errors, item, f"follow_ups[{i}]", ("day", "density_per_cm2", "sd_per_cm2"))
        _required(errors, m, "day", "density_per_cm2")
        day = m.integer("day", 0, lo=1, hi=days)
        dens = m.number("density_per_cm2", 0.0, lo=0.0, hi=1000.0)
        sd = None
        if m.has("sd_per_cm2") and m.data["sd_per_cm2"] is not None:
            sd = m.number("sd_per_cm2", 1.0, lo=0.0, hi=500.0, lo_open=True)
        if any(f.day == day for f in follow_ups):
            errors.append(FieldError(m.at("day"), "two follow-ups on the same day"))
        follow_ups.append(Measurement(day, dens, sd))
    if errors or baseline is None:
        raise InvalidInput(errors or [FieldError("baseline", "missing field")])
    fc = personal_forecast(diagnosis, baseline, treatments, follow_ups, days=days, trigger_days_ago=trigger)
    untreated = untreated_band(diagnosis, baseline, days=fc.horizon_days, trigger_days_ago=trigger)
    return {
        "diagnosis": diagnosis,
        "treatments": treatments,
        "day": list(fc.density.day),
        "horizon_days": fc.horizon_days,
        "untreated_only": fc.untreated_only,
        "unmeasured_treatments": [{"treatment": u.key, "reason": u.reason} for u in fc.unmeasured],
        "follow_ups_after_horizon": list(fc.follow_ups_after_horizon),
        "density_per_cm2": _band(fc.density),
        "density_per_cm2_at_start": _band(fc.density_at_start),
        "density_per_cm2_untreated": _band(untreated),
        "wash_test_count": _band(fc.wash_test),
        "effect": {
            "prior_mean": round(fc.prior.effect_mean, 4),
            "prior_sd": round(fc.prior.effect_sd, 4),
            "posterior_mean": round(fc.effect.mean, 4),
            "posterior_sd": round(fc.effect.sd, 4),
            "halts_progression": fc.prior.halts_progression,
            "evidence": fc.prior.evidence,
        },
        "follow_ups": [
            {"day": c.day, "density_per_cm2": c.density_per_cm2, "band_p10": c.band_p10,
             "below_band": c.below_band}
            for c in fc.follow_ups
        ],
        "non_responder": None if fc.non_responder is None else {
            "days": list(fc.non_responder.days), "message": fc.non_responder.message,
        },
    }
