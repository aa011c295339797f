"""Deterministic mean-field (renewal-equation) version of the follicle model (Halloy 2002).

For N → ∞ the share of follicles in each phase obeys renewal equations: the rate of entry into
the next phase is the convolution of the entry rate into the current phase with the
current phase's duration density,

    r_C(t) = ∫ r_A(τ) f_A(t - τ) dτ + N p_A g_A(t)         (anagen exits → catagen)
    r_T(t) = ∫ r_C(τ) f_C(t - τ) dτ + N p_C g_C(t)         (catagen exits → telogen)
    shed(t) = ∫ r_T(τ) f_T(t - τ) dτ + N p_T g_T(t)        (telogen exits = shedding)
    r_K(t) = q · shed(t),   r_A(t) = (1 - q) · shed(t) + ∫ r_K(τ) f_K(t - τ) dτ + N p_K g_K(t)

where p_i = mean_i / Σ mean (the stationary shares), g_i(s) = S_i(s) / mean_i is the density
of the equilibrium residual life of the follicles present at t = 0, S_i is the survival function
and q the kenogen probability. Occupancies follow by conservation (entries minus exits).
Progression stages (AGA), treatment regimes (kernels chosen by the entry time of a cohort) and
shocks (all anagen cohorts scaled by 1 - f, the removed mass entering catagen) are handled
exactly as in the stochastic model. Time is discretised in steps of 1/steps_per_day days with
durations rounded to the nearest step, an O(dt²) error in the means.

The equations run for a batch of treatment effects at once (``effects``), which the personal
forecast uses to evaluate a whole posterior grid in one pass.
"""

from __future__ import annotations

import math

import numpy as np

from anagen.core.haircycle.params import (
    PHASES,
    CycleParams,
    ModelParams,
    Phase,
    norm_cdf_fast,
)
from anagen.core.haircycle.simulate import STARTS, Trajectory


def _lognormal_cdf(x: np.ndarray, mean: np.ndarray, cv: float) -> np.ndarray:
    sigma = math.sqrt(math.log1p(cv * cv))
    mu = np.log(mean) - 0.5 * sigma * sigma
    with np.errstate(divide="ignore"):
        z = (np.log(np.maximum(x, 1e-300)) - mu) / sigma
    return np.where(x > 0, norm_cdf_fast(z), 0.0)


def _duration_pmf(mean: np.ndarray, cv: float, dt: float, length: int) -> np.ndarray:
    """P(duration rounds to j steps), j = 0..length-1, along a new last axis; j = 0 folded into 1."""
    mean = np.asarray(mean, dtype=float)[..., None]
    edges = (np.arange(length + 1) - 0.5) * dt
    cdf = _lognormal_cdf(np.maximum(edges, 0.0), mean, cv)
    pmf = np.diff(cdf, axis=-1)
    pmf[..., 1] += pmf[..., 0]
    pmf[..., 0] = 0.0
    return pmf


def _residual_pmf(phase: Phase, dt: float, length: int) -> np.ndarray:
    """P(equilibrium residual life falls in (j dt, (j+1) dt]), j = 0..length-1, with the residual
    CDF G(x) = [x S(x) + E(D; D <= x)] / mean."""
    x = np.arange(length + 1) * dt
    s, mu, m = phase.sigma, phase.mu, phase.mean_days
    with np.errstate(divide="ignore"):
        lx = np.log(np.maximum(x, 1e-300))
    cdf = norm_cdf_fast((lx - mu) / s)
    partial = m * norm_cdf_fast((lx - mu) / s - s)
    g = np.where(x > 0, (x * (1.0 - cdf) + partial) / m, 0.0)
    return np.diff(g)


def mean_field(
    params: ModelParams,
    *,
    days: int,
    follicles: int = 100_000,
    start: str = "steady_state",
    steps_per_day: int = 2,
) -> Trajectory:
    """Expected trajectory of ``follicles`` follicles (the N → ∞ limit, scaled to N)."""
    effect = 0.0 if params.treatment is None else params.treatment.effect
    out = mean_field_batch(
        params, np.array([effect]), days=days, follicles=follicles, start=start,
        steps_per_day=steps_per_day,
    )
    return Trajectory(
        day=out["day"],
        fractions={p: out[p][0] for p in PHASES},
        shed=out["shed"][0],
        terminal_visible=out["terminal_visible"][0],
        mean_diameter_um=out["mean_diameter_um"][0],
        follicles=follicles,
    )


def mean_field_batch(
    params: ModelParams,
    effects: np.ndarray,
    *,
    days: int,
    follicles: int = 100_000,
    start: str = "steady_state",
    steps_per_day: int = 1,
) -> dict[str, np.ndarray]:
    """Mean-field trajectories for each treatment effect in ``effects`` (shape (G,)).

    ``params.treatment`` supplies the start day and ``halts_progression``; its ``effect`` is
    replaced by each entry of ``effects``. Returns arrays of shape (G, days) keyed by phase
    name, ``shed``, ``terminal_visible`` and ``mean_diameter_um``, plus ``day`` (days,).
    """
    if start not in STARTS:
        raise ValueError(f"start must be one of {STARTS}")
    effects = np.atleast_1d(np.asarray(effects, dtype=float))
    G, K = effects.size, params.progression_cycles
    s = int(steps_per_day)
    dt = 1.0 / s
    nsteps = days * s
    L = nsteps + 1
    c: CycleParams = params.cycle
    treat = params.treatment
    n0 = nsteps + 1 if treat is None else int(math.ceil(treat.start_day * s - 1e-9))
    halts = treat is not None and treat.halts_progression

    # kernels, reversed along time, shape (G or 1, K or 1, L)
    def rev(p: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(p[..., ::-1])

    up, down = np.exp(effects), np.exp(-effects)
    old_a = rev(_duration_pmf(params.anagen_means_days(0.0)[None, :], c.anagen.cv, dt, L))
    new_a = rev(_duration_pmf(params.anagen_means_days(0.0)[None, :] * up[:, None], c.anagen.cv, dt, L))
    old_c = rev(_duration_pmf(np.array([[c.catagen.mean_days]]), c.catagen.cv, dt, L))
    new_c = old_c
    old_t = rev(_duration_pmf(np.array([[c.telogen.mean_days]]), c.telogen.cv, dt, L))
    new_t = rev(_duration_pmf((c.telogen.mean_days * down)[:, None], c.telogen.cv, dt, L))
    kp = c.kenogen
    old_k = rev(_duration_pmf(np.array([[kp.mean_days]]), kp.cv, dt, L))
    new_k = rev(_duration_pmf((kp.mean_days * down)[:, None], kp.cv, dt, L))
    q_old = kp.probability
    q_new = np.minimum(1.0, kp.probability * down)[:, None]
    olds = (old_a, old_c, old_t, old_k)
    news = (new_a, new_c, new_t, new_k)

    W = np.zeros((4, G, K, L))  # entries per phase, per step
    occ = np.zeros((4, G, K))
    init_w = np.zeros((4, G))
    init_pmf = np.zeros((4, L))
    if start == "steady_state":
        frac = c.stationary_fractions()
        for i, ph in enumerate((c.anagen, c.catagen, c.telogen, kp.phase)):
            if frac[i] > 0:
                init_w[i] = follicles * frac[i]
                init_pmf[i] = _residual_pmf(ph, dt, L)
                occ[i, :, 0] = follicles * frac[i]
    shocks: dict[int, float] = {}
    for sh in params.shocks:
        step = int(round(sh.day * s))
        if step < nsteps:
            shocks[step] = 1.0 - (1.0 - shocks.get(step, 0.0)) * (1.0 - sh.fraction_of_anagen)

    pterm = params.terminal_probabilities()
    diam = params.diameters_um()
    out_occ = np.zeros((4, G, days))
    out_term = np.zeros((G, days))
    out_diam = np.zeros((G, days))
    shed_steps = np.zeros((G, nsteps))
    exits = np.zeros((4, G, K))

    for n in range(nsteps):
        a = min(n, n0)
        lo = L - 1 - n
        for i in range(4):
            e = np.einsum("gkm,gkm->gk", W[i, :, :, :a], np.broadcast_to(olds[i][:, :, lo:lo + a], (G, K, a))) if a else np.zeros((G, K))
            if n > a:
                e = e + np.einsum("gkm,gkm->gk", W[i, :, :, a:n], np.broadcast_to(news[i][:, :, lo + a:L - 1], (G, K, n - a)))
            if init_w[i, 0] > 0 or init_w[i].any():
                e[:, 0] += init_w[i] * init_pmf[i, n]
            exits[i] = e
        if start == "synchronised" and n == 0:
            W[0, :, 0, 0] = follicles
            occ[0, :, 0] = follicles
        new_regime = n >= n0
        q = q_new if new_regime else q_old
        shed = exits[2]
        to_k = q * shed
        to_a = (1.0 - q) * shed + exits[3]
        if K > 1 and not (halts and new_regime):
            shifted = np.zeros_like(to_a)
            shifted[:, 1:] = to_a[:, :-1]
            shifted[:, -1] += to_a[:, -1]
            to_a = shifted
        W[1, :, :, n] += exits[0]
        W[2, :, :, n] += exits[1]
        W[3, :, :, n] += to_k
        W[0, :, :, n] += to_a
        occ[0] += to_a - exits[0]
        occ[1] += exits[0] - exits[1]
        occ[2] += exits[1] - exits[2]
        occ[3] += to_k - exits[3]
        f = shocks.get(n)
        if f:
            moved = f * occ[0]
            occ[0] -= moved
            occ[1] += moved
            W[1, :, :, n] += moved
            W[0, :, :, : n + 1] *= 1.0 - f
            init_w[0] *= 1.0 - f
        shed_steps[:, n] = shed.sum(axis=1)
        if n % s == 0:
            d = n // s
            out_occ[:, :, d] = occ.sum(axis=2)
            hair = occ[0] + occ[1] + occ[2]
            out_term[:, d] = (hair * pterm).sum(axis=1)
            out_diam[:, d] = (hair * diam).sum(axis=1) / np.maximum(hair.sum(axis=1), 1e-300)

    result: dict[str, np.ndarray] = {p: out_occ[i] / follicles for i, p in enumerate(PHASES)}
    result["shed"] = shed_steps.reshape(G, days, s).sum(axis=2)
    result["terminal_visible"] = out_term / follicles
    result["mean_diameter_um"] = out_diam
    result["day"] = np.arange(days)
    return result
