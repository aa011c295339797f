"""Day-by-day reference implementation of the follicle model: the test oracle.

Deliberately simple and independent of ``anagen.core.haircycle.simulate``: every follicle is
visited every day; any phase that has ended by day d is advanced (possibly several times), then
the state at time d is counted. Supports the cycle, kenogen, steady-state start and shocks
(no AGA progression or treatments). Slow: O(follicles × days).
"""

from __future__ import annotations

import math

import numpy as np

from anagen.core.haircycle import CycleParams, ModelParams


def _draw(rng: np.random.Generator, mean: float, cv: float, size: int) -> np.ndarray:
    sigma = math.sqrt(math.log(1.0 + cv * cv))
    return rng.lognormal(math.log(mean) - sigma * sigma / 2.0, sigma, size)


def oracle_simulate(params: ModelParams, follicles: int, days: int, rng: np.random.Generator):
    """Returns (fractions (4, days), shed (days,)) from the steady-state start."""
    c: CycleParams = params.cycle
    means = [c.anagen.mean_days, c.catagen.mean_days, c.telogen.mean_days, c.kenogen.mean_days]
    cvs = [c.anagen.cv, c.catagen.cv, c.telogen.cv, c.kenogen.cv]
    weights = np.array([means[0], means[1], means[2], c.kenogen.probability * means[3]])
    phase = rng.choice(4, size=follicles, p=weights / weights.sum())
    end = np.zeros(follicles)
    for i in range(4):
        idx = np.flatnonzero(phase == i)
        if idx.size:
            # residual life at equilibrium: a length-biased duration times a uniform fraction,
            # the length bias done by rejection sampling (independent of the closed form)
            out = np.empty(0)
            cap = means[i] * (1 + 6 * cvs[i]) * 4
            while out.size < idx.size:
                d = _draw(rng, means[i], cvs[i], 4 * idx.size)
                keep = rng.random(d.size) < d / cap
                out = np.concatenate([out, d[keep]])
            end[idx] = out[: idx.size] * rng.random(idx.size)
    shocks = {int(s.day): s.fraction_of_anagen for s in params.shocks}
    fractions = np.zeros((4, days))
    shed = np.zeros(days, dtype=np.int64)
    for day in range(days):
        if day in shocks:
            # transitions strictly before the shock day happen first
            _advance(rng, phase, end, day, means, cvs, c.kenogen.probability, shed, days, strict=True)
            hit = (phase == 0) & (rng.random(follicles) < shocks[day])
            phase[hit] = 1
            end[hit] = day + _draw(rng, means[1], cvs[1], int(hit.sum()))
        _advance(rng, phase, end, day, means, cvs, c.kenogen.probability, shed, days, strict=False)
        fractions[:, day] = np.bincount(phase, minlength=4) / follicles
    return fractions, shed


def _advance(rng, phase, end, day, means, cvs, p_keno, shed, days, *, strict):
    while True:
        due = (end < day) if strict else (end <= day)
        idx = np.flatnonzero(due)
        if idx.size == 0:
            return
        for j in idx:  # one follicle at a time: the simple reference
            t = end[j]
            p = phase[j]
            if p == 2:
                if 0 <= math.floor(t) < days:
                    shed[math.floor(t)] += 1
                nxt = 3 if rng.random() < p_keno else 0
            else:
                nxt = (p + 1) % 4 if p != 3 else 0
            phase[j] = nxt
            end[j] = t + _draw(rng, means[nxt], cvs[nxt], 1)[0]
