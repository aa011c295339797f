"""Event-driven, vectorised stochastic simulation of independent follicles (Halloy 2000).

Each follicle is an automaton anagen → catagen → telogen → (shedding) → [kenogen] → anagen.
Whole phase durations are sampled at once for every follicle that changes phase (numpy arrays,
no per-day stepping): the loop runs over *transition rounds*, each round advancing every
follicle whose current phase ends before the horizon by one phase. Daily observables are
accumulated from the phase intervals with difference arrays.

Conventions: ``day[d] = d`` for d = 0..days-1; phase fractions are the state at time t = d; a
follicle is in a phase at t if start <= t < end. ``shed[d]`` counts telogen exits (shedding)
with time in [d, d+1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anagen.core.haircycle.params import (
    ANAGEN,
    CATAGEN,
    KENOGEN,
    PHASES,
    TELOGEN,
    CycleParams,
    ModelParams,
)

STARTS = ("steady_state", "synchronised")


@dataclass(frozen=True)
class Trajectory:
    """Daily model output for one population of ``follicles`` follicles.

    ``fractions[phase][d]``: share of follicles in the phase at time d. ``shed[d]``: hairs shed
    during day d (a count; expected count for the mean field). ``terminal_visible[d]``: share of
    follicles holding a terminal (non-vellus) hair above the surface (anagen, catagen or telogen;
    kenogen follicles are empty). ``mean_diameter_um[d]``: mean shaft diameter of the hairs present.
    """

    day: np.ndarray
    fractions: dict[str, np.ndarray]
    shed: np.ndarray
    terminal_visible: np.ndarray
    mean_diameter_um: np.ndarray
    follicles: int


class _Population:
    """Mutable per-follicle state of one stochastic run."""

    def __init__(self, params: ModelParams, n: int, days: int, rng: np.random.Generator) -> None:
        self.p = params
        self.n = n
        self.days = days
        self.rng = rng
        self.phase = np.zeros(n, dtype=np.int8)
        self.start = np.zeros(n)
        self.end = np.zeros(n)
        self.stage = np.zeros(n, dtype=np.int16)
        self.diameter = np.zeros(n)
        # difference arrays: 4 phases, hair-present, terminal hair present, diameter sum
        self.diff = np.zeros((7, days + 1))
        self.shed = np.zeros(days, dtype=np.int64)
        t = params.treatment
        self.t0 = math.inf if t is None else t.start_day
        self.effect = 0.0 if t is None else t.effect
        self.halts = False if t is None else t.halts_progression
        self.old = params.cycle
        self.new = params.cycle.with_effect(self.effect)
        self.anagen_old = params.anagen_means_days(0.0)
        self.anagen_new = params.anagen_means_days(self.effect)
        self.diam_k = params.diameters_um()
        self.k_max = params.progression_cycles - 1

    # --- sampling ---------------------------------------------------------------------------
    def _lognormal(self, means: np.ndarray, cv: float) -> np.ndarray:
        sigma = math.sqrt(math.log1p(cv * cv))
        z = self.rng.standard_normal(means.shape[0])
        return np.asarray(means * np.exp(sigma * z - 0.5 * sigma * sigma))

    def _phase_means(self, which: int, t: np.ndarray) -> tuple[np.ndarray, float]:
        new = t >= self.t0
        if which == CATAGEN:
            old_m, new_m, cv = self.old.catagen.mean_days, self.new.catagen.mean_days, self.old.catagen.cv
        elif which == TELOGEN:
            old_m, new_m, cv = self.old.telogen.mean_days, self.new.telogen.mean_days, self.old.telogen.cv
        else:
            old_m, new_m, cv = self.old.kenogen.mean_days, self.new.kenogen.mean_days, self.old.kenogen.cv
        return np.where(new, new_m, old_m), cv

    def draw(self, which: int, t: np.ndarray, stage: np.ndarray) -> np.ndarray:
        """Durations of phase ``which`` beginning at times ``t`` (regime chosen by start time)."""
        if which == ANAGEN:
            means = np.where(t >= self.t0, self.anagen_new[stage], self.anagen_old[stage])
            return self._lognormal(means, self.old.anagen.cv)
        means, cv = self._phase_means(which, t)
        return self._lognormal(means, cv)

    def draw_diameter(self, stage: np.ndarray) -> np.ndarray:
        mean = self.diam_k[stage]
        d = mean * (1.0 + self.p.shaft.cv * self.rng.standard_normal(stage.shape[0]))
        return np.asarray(np.maximum(d, 1.0))

    # --- initial state ----------------------------------------------------------------------
    def init_steady_state(self) -> None:
        """Stationary renewal state: phase i with probability mean_i / Σ means; time left =
        length-biased duration × uniform fraction (equilibrium residual life); age = the rest."""
        c: CycleParams = self.old
        probs = c.stationary_fractions()
        self.phase[:] = self.rng.choice(4, size=self.n, p=probs)
        for which, ph in enumerate((c.anagen, c.catagen, c.telogen, c.kenogen.phase)):
            idx = np.flatnonzero(self.phase == which)
            if idx.size == 0:
                continue
            # length-biased lognormal LN(mu, s) is LN(mu + s², s)
            s = ph.sigma
            biased = np.exp(ph.mu + s * s + s * self.rng.standard_normal(idx.size))
            u = self.rng.random(idx.size)
            left = biased * u
            self.end[idx] = left
            self.start[idx] = left - biased
        self.diameter[:] = self.draw_diameter(self.stage)

    def init_synchronised(self) -> None:
        """Every follicle starts a fresh anagen at t = 0 (used to study synchrony)."""
        self.phase[:] = ANAGEN
        self.start[:] = 0.0
        self.end[:] = self.draw(ANAGEN, self.start, self.stage)
        self.diameter[:] = self.draw_diameter(self.stage)

    # --- bookkeeping ------------------------------------------------------------------------
    def record(self, idx: np.ndarray, end: np.ndarray) -> None:
        """Add the intervals [start, end) of follicles ``idx`` to the daily difference arrays."""
        days = self.days
        s = np.clip(np.ceil(self.start[idx]), 0, days).astype(np.int64)
        e = np.clip(np.ceil(end), 0, days).astype(np.int64)
        keep = e > s
        if not keep.all():
            idx, s, e = idx[keep], s[keep], e[keep]
        ph = self.phase[idx].astype(np.int64)
        width = days + 1
        self.diff[:4].flat[:] += np.bincount(ph * width + s, minlength=4 * width)
        self.diff[:4].flat[:] -= np.bincount(ph * width + e, minlength=4 * width)
        hair = ph != KENOGEN
        hs, he = s[hair], e[hair]
        d = self.diameter[idx][hair]
        self.diff[4] += np.bincount(hs, minlength=width) - np.bincount(he, minlength=width)
        term = d >= self.p.shaft.vellus_threshold_um
        self.diff[5] += np.bincount(hs[term], minlength=width) - np.bincount(he[term], minlength=width)
        self.diff[6] += np.bincount(hs, weights=d, minlength=width) - np.bincount(he, weights=d, minlength=width)

    def advance(self, until: float) -> None:
        """Process, round by round, every phase change that happens before ``until``."""
        while True:
            idx = np.flatnonzero(self.end < until)
            if idx.size == 0:
                return
            t = self.end[idx]
            self.record(idx, t)
            ph = self.phase[idx]
            # anagen -> catagen
            m = ph == ANAGEN
            if m.any():
                j = idx[m]
                self._enter(j, CATAGEN, t[m])
            m = ph == CATAGEN
            if m.any():
                j = idx[m]
                self._enter(j, TELOGEN, t[m])
            m = ph == TELOGEN
            if m.any():
                j, tj = idx[m], t[m]
                shed_day = np.floor(tj).astype(np.int64)
                ok = (shed_day >= 0) & (shed_day < self.days)
                self.shed += np.bincount(shed_day[ok], minlength=self.days)
                p = np.where(tj >= self.t0, self.new.kenogen.probability, self.old.kenogen.probability)
                to_keno = self.rng.random(j.size) < p
                if to_keno.any():
                    self._enter(j[to_keno], KENOGEN, tj[to_keno])
                if (~to_keno).any():
                    self._new_anagen(j[~to_keno], tj[~to_keno])
            m = ph == KENOGEN
            if m.any():
                self._new_anagen(idx[m], t[m])

    def _enter(self, j: np.ndarray, which: int, t: np.ndarray) -> None:
        self.phase[j] = which
        self.start[j] = t
        self.end[j] = t + self.draw(which, t, self.stage[j])

    def _new_anagen(self, j: np.ndarray, t: np.ndarray) -> None:
        if self.k_max > 0:
            grow = t < self.t0 if self.halts else np.ones(j.size, dtype=bool)
            self.stage[j] = np.minimum(self.stage[j] + grow, self.k_max)
        self.diameter[j] = self.draw_diameter(self.stage[j])
        self._enter(j, ANAGEN, t)

    def shock(self, day: float, fraction: float) -> None:
        idx = np.flatnonzero(self.phase == ANAGEN)
        hit = idx[self.rng.random(idx.size) < fraction]
        if hit.size == 0:
            return
        t = np.full(hit.size, float(day))
        self.record(hit, t)
        self._enter(hit, CATAGEN, t)

    def finish(self) -> Trajectory:
        self.record(np.arange(self.n), np.full(self.n, float(self.days)))
        occ = np.cumsum(self.diff, axis=1)[:, : self.days]
        n = float(self.n)
        hair = occ[4]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_d = np.where(hair > 0, occ[6] / np.maximum(hair, 1), np.nan)
        return Trajectory(
            day=np.arange(self.days),
            fractions={name: np.rint(occ[i]) / n for i, name in enumerate(PHASES)},
            shed=self.shed.copy(),
            terminal_visible=np.rint(occ[5]) / n,
            mean_diameter_um=mean_d,
            follicles=self.n,
        )


def simulate(
    params: ModelParams,
    *,
    follicles: int,
    days: int,
    rng: np.random.Generator,
    start: str = "steady_state",
) -> Trajectory:
    """Simulate ``follicles`` independent follicles for ``days`` days.

    ``start``: ``"steady_state"`` draws each follicle's phase and time left from the renewal
    process's stationary distribution (no start-up transient); ``"synchronised"`` starts every
    follicle in a fresh anagen. Random numbers come only from ``rng``.
    """
    if follicles < 1:
        raise ValueError("follicles must be at least 1")
    if days < 1:
        raise ValueError("days must be at least 1")
    if start not in STARTS:
        raise ValueError(f"start must be one of {STARTS}")
    pop = _Population(params, follicles, days, rng)
    if start == "steady_state":
        pop.init_steady_state()
    else:
        pop.init_synchronised()
    for shock in sorted(params.shocks, key=lambda s: s.day):
        if shock.day >= days:
            continue
        pop.advance(shock.day)
        pop.shock(shock.day, shock.fraction_of_anagen)
    pop.advance(float(days))
    return pop.finish()


def simulate_replicates(
    params: ModelParams,
    *,
    follicles: int,
    days: int,
    replicates: int,
    seed: int,
    start: str = "steady_state",
) -> list[Trajectory]:
    """Independent replicates, each with its own generator spawned from ``seed``."""
    children = np.random.SeedSequence(seed).spawn(replicates)
    return [
        simulate(params, follicles=follicles, days=days, rng=np.random.default_rng(c), start=start)
        for c in children
    ]
