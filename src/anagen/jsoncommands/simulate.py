"""``anagen simulate``: run the stochastic follicle model and return daily fractions and shedding.

Input (every field optional except where noted; unknown fields are errors)::

    {"follicles": 100000, "days": 730, "seed": 1, "start": "steady_state",
     "phases": {"anagen": {"mean_days": 1000, "cv": 0.5}, "catagen": {"mean_days": 14, "cv": 0.3},
                "telogen": {"mean_days": 100, "cv": 0.3},
                "kenogen": {"probability": 0.0, "mean_days": 60, "cv": 0.5}},
     "events": [{"day": 30, "type": "shock", "fraction_of_anagen": 0.3}]}

Output: ``day``, ``fractions`` (anagen, catagen, telogen, kenogen per day), ``shed`` (hairs per
day), ``density_per_cm2`` and ``wash_test_count`` (defaults of ObservationParams), ``summary``.
Same seed, same output.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from anagen.core.errors import FieldError, InvalidInput
from anagen.core.haircycle import (
    STARTS,
    CycleParams,
    Kenogen,
    ModelParams,
    Phase,
    Shock,
    observe,
    simulate,
)

MAX_FOLLICLE_DAYS = 2_000_000_000  # follicles × days, bounds the run time (~10 s)


class Fields:
    """Strict reading of one JSON object with optional fields; collects every error."""

    def __init__(self, errors: list[FieldError], value: Any, path: str, allowed: tuple[str, ...]):
        self.errors, self.path = errors, path
        self.data: dict[str, Any] = {}
        if not isinstance(value, dict):
            errors.append(FieldError(path or "$", "must be a JSON object"))
            return
        self.data = value
        for key in value:
            if key not in allowed:
                errors.append(FieldError(self.at(str(key)), "unknown field"))

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data

    def number(self, key: str, default: float, *, lo: float, hi: float, lo_open: bool = False) -> float:
        if key not in self.data:
            return default
        v = self.data[key]
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            self.errors.append(FieldError(self.at(key), "must be a number"))
            return default
        if v < lo or v > hi or (lo_open and v == lo):
            bound = f"greater than {lo:g}" if lo_open else f"at least {lo:g}"
            self.errors.append(FieldError(self.at(key), f"must be {bound} and at most {hi:g}"))
            return default
        return float(v)

    def integer(self, key: str, default: int, *, lo: int, hi: int) -> int:
        if key not in self.data:
            return default
        v = self.data[key]
        if isinstance(v, bool) or not isinstance(v, int):
            self.errors.append(FieldError(self.at(key), "must be an integer"))
            return default
        if v < lo or v > hi:
            self.errors.append(FieldError(self.at(key), f"must be between {lo} and {hi}"))
            return default
        return v

    def choice(self, key: str, default: str, options: tuple[str, ...]) -> str:
        if key not in self.data:
            return default
        v = self.data[key]
        if v not in options:
            self.errors.append(FieldError(self.at(key), f"must be one of {', '.join(options)}"))
            return default
        return str(v)

    def array(self, key: str) -> list[Any]:
        if key not in self.data:
            return []
        v = self.data[key]
        if not isinstance(v, list):
            self.errors.append(FieldError(self.at(key), "must be an array"))
            return []
        return v


def _phase(errors: list[FieldError], parent: Fields, name: str, default: Phase) -> Phase:
    if not parent.has(name):
        return default
    f = Fields(errors, parent.data[name], parent.at(name), ("mean_days", "cv"))
    return Phase(
        f.number("mean_days", default.mean_days, lo=0.0, hi=36500.0, lo_open=True),
        f.number("cv", default.cv, lo=0.0, hi=5.0, lo_open=True),
    )


def parse_cycle(errors: list[FieldError], value: Any, path: str) -> CycleParams:
    d = CycleParams()
    f = Fields(errors, value, path, ("anagen", "catagen", "telogen", "kenogen"))
    kenogen = d.kenogen
    if f.has("kenogen"):
        k = Fields(errors, f.data["kenogen"], f.at("kenogen"), ("probability", "mean_days", "cv"))
        kenogen = Kenogen(
            k.number("probability", d.kenogen.probability, lo=0.0, hi=1.0),
            k.number("mean_days", d.kenogen.mean_days, lo=0.0, hi=36500.0, lo_open=True),
            k.number("cv", d.kenogen.cv, lo=0.0, hi=5.0, lo_open=True),
        )
    return CycleParams(
        anagen=_phase(errors, f, "anagen", d.anagen),
        catagen=_phase(errors, f, "catagen", d.catagen),
        telogen=_phase(errors, f, "telogen", d.telogen),
        kenogen=kenogen,
    )


def _r(values: np.ndarray, places: int) -> list[float]:
    return [round(float(x), places) for x in values]


def run(document: Any) -> dict[str, Any]:
    errors: list[FieldError] = []
    top = Fields(errors, document, "", ("follicles", "days", "seed", "start", "phases", "events"))
    follicles = top.integer("follicles", 100_000, lo=1, hi=10_000_000)
    days = top.integer("days", 730, lo=1, hi=36_500)
    seed = top.integer("seed", 1, lo=0, hi=2**63 - 1)
    start = top.choice("start", "steady_state", STARTS)
    cycle = parse_cycle(errors, top.data.get("phases", {}), "phases")
    shocks = []
    for i, ev in enumerate(top.array("events")):
        e = Fields(errors, ev, f"events[{i}]", ("day", "type", "fraction_of_anagen"))
        if not e.has("type"):
            errors.append(FieldError(e.at("type"), "missing field"))
        else:
            e.choice("type", "shock", ("shock",))
        if not e.has("day"):
            errors.append(FieldError(e.at("day"), "missing field"))
        if not e.has("fraction_of_anagen"):
            errors.append(FieldError(e.at("fraction_of_anagen"), "missing field"))
        day = e.number("day", 0.0, lo=0.0, hi=float(days))
        frac = e.number("fraction_of_anagen", 0.0, lo=0.0, hi=1.0)
        shocks.append(Shock(day, frac))
    if not errors and follicles * days > MAX_FOLLICLE_DAYS:
        errors.append(FieldError("follicles", f"follicles × days must be at most {MAX_FOLLICLE_DAYS}"))
    if errors:
        raise InvalidInput(errors)
    params = ModelParams(cycle=cycle, shocks=tuple(shocks))
    traj = simulate(params, follicles=follicles, days=days, rng=np.random.default_rng(seed), start=start)
    obs = observe(traj)
    shed = traj.shed
    peak = int(np.argmax(shed))
    steady = cycle.stationary_fractions()
    return {
        "day": [int(d) for d in traj.day],
        "fractions": {k: _r(v, 6) for k, v in traj.fractions.items()},
        "shed": [int(x) for x in shed],
        "density_per_cm2": _r(obs.density_per_cm2, 2),
        "wash_test_count": _r(obs.wash_test_count, 1),
        "summary": {
            "follicles": follicles,
            "days": days,
            "seed": seed,
            "mean_cycle_days": round(cycle.mean_cycle_days(), 3),
            "stationary_fractions": {k: round(float(v), 6) for k, v in zip(traj.fractions, steady, strict=True)},
            "mean_fractions": {k: round(float(v.mean()), 6) for k, v in traj.fractions.items()},
            "expected_shed_per_day": round(follicles / cycle.mean_cycle_days(), 3),
            "mean_shed_per_day": round(float(shed.mean()), 3),
            "peak_shed_day": peak,
            "peak_shed": int(shed[peak]),
        },
    }
