"""Validation of the stochastic simulator against renewal theory, the mean field and the oracle."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from anagen.core.haircycle import (
    CycleParams,
    Kenogen,
    ModelParams,
    Phase,
    Shock,
    mean_field,
    simulate,
    simulate_replicates,
)

from .oracle import oracle_simulate

RNG = np.random.default_rng


def test_steady_state_fractions_equal_mean_duration_over_mean_cycle():
    params = ModelParams(cycle=CycleParams(kenogen=Kenogen(0.8, 120.0, 0.5)))
    n = 50_000
    traj = simulate(params, follicles=n, days=400, rng=RNG(11))
    expected = params.cycle.stationary_fractions()
    for i, name in enumerate(("anagen", "catagen", "telogen", "kenogen")):
        p = expected[i]
        sigma = math.sqrt(p * (1 - p) / n)
        # no start-up transient: day 0, day 200 and day 399 all sit on the renewal identity
        for day in (0, 200, 399):
            assert abs(traj.fractions[name][day] - p) < 4.5 * sigma, (name, day)


def test_daily_shedding_is_follicles_over_mean_cycle():
    n, days = 50_000, 365
    params = ModelParams()
    traj = simulate(params, follicles=n, days=days, rng=RNG(3))
    rate = n / params.cycle.mean_cycle_days()
    assert abs(traj.shed.mean() - rate) < 4 * math.sqrt(rate / days)


def test_shock_sheds_two_to_four_months_later_then_recovers_without_loss():
    params = ModelParams(cycle=CycleParams(kenogen=Kenogen(0.8, 120.0, 0.5)), shocks=(Shock(30, 0.3),))
    n = 50_000
    traj = simulate(params, follicles=n, days=730, rng=RNG(5))
    mf = mean_field(params, days=730, follicles=n, steps_per_day=2)
    for shed in (mf.shed, np.convolve(traj.shed, np.ones(7) / 7, mode="same")):
        peak = int(np.argmax(shed))
        assert 60 <= peak - 30 <= 120  # 2-4 months after the trigger
    baseline_shed = n / params.cycle.mean_cycle_days()
    assert mf.shed.max() > 2 * baseline_shed
    # the excess shedding is over about 6 months after the trigger (a small undershoot follows,
    # as the shed follicles are still in kenogen or early anagen)
    assert mf.shed[30 + 200] < 1.10 * baseline_shed
    # visible density dips, then recovers: no net follicle loss
    v = mf.terminal_visible
    assert v[30 + 150] < v[0] - 0.02
    # full recovery: about 6 months after the shedding peak (the kenogen of Rebora & Guarrera
    # delays regrowth by ~4 months), and no net loss afterwards
    assert (v[30 + 300 :] > v[0] - 0.01).all()
    total = sum(traj.fractions[p] for p in traj.fractions)
    assert np.allclose(total, 1.0)


def _oscillation_amplitude(cv: float) -> float:
    cycle = CycleParams(anagen=Phase(100.0, cv), catagen=Phase(10.0, cv), telogen=Phase(30.0, cv))
    traj = simulate(ModelParams(cycle=cycle), follicles=20_000, days=1400, rng=RNG(2), start="synchronised")
    last_cycle = traj.fractions["telogen"][-280:]  # the ninth and tenth cycles
    return float(last_cycle.max() - last_cycle.min())


def test_broad_durations_damp_synchrony_narrow_ones_keep_oscillating():
    stationary = 30.0 / 140.0
    broad = _oscillation_amplitude(0.5)
    narrow = _oscillation_amplitude(0.02)
    assert broad < 0.1 * stationary  # back to the stationary share: no synchronised moult
    assert narrow > 0.5  # after ten cycles most follicles still moult together


def test_spread_across_seeds_scales_as_binomial():
    params = ModelParams()
    p = params.cycle.stationary_fractions()[0]
    for n in (2_000, 8_000):
        values = [r.fractions["anagen"][50] for r in simulate_replicates(params, follicles=n, days=60, replicates=60, seed=n)]
        sd = float(np.std(values, ddof=1))
        assert abs(sd / math.sqrt(p * (1 - p) / n) - 1) < 0.35, n


def test_stochastic_model_converges_to_mean_field():
    params = ModelParams(cycle=CycleParams(kenogen=Kenogen(0.5, 90.0, 0.5)), shocks=(Shock(40, 0.3),))
    mf = mean_field(params, days=365, follicles=1, steps_per_day=4)
    errors = []
    for n in (2_000, 20_000, 200_000):
        traj = simulate(params, follicles=n, days=365, rng=RNG(n))
        err = np.sqrt(np.mean((traj.fractions["telogen"] - mf.fractions["telogen"]) ** 2))
        shed_err = np.sqrt(np.mean((traj.shed / n - mf.shed) ** 2))
        errors.append((err, shed_err))
    # RMS error falls like 1/sqrt(N): a factor ~10 over a factor 100 in N (allow 5)
    assert errors[2][0] < errors[0][0] / 5
    assert errors[2][1] < errors[0][1] / 5
    assert errors[2][0] < 0.003


def test_alopecia_and_treatment_agree_with_mean_field():
    from anagen.core.haircycle import Alopecia, Treatment, diagnosis_params

    params = diagnosis_params("androgenetic_alopecia_male")
    params = ModelParams(
        cycle=params.cycle, alopecia=Alopecia(), shaft=params.shaft,
        treatment=Treatment(effect=0.5, start_day=100, halts_progression=True),
    )
    n = 50_000
    traj = simulate(params, follicles=n, days=500, rng=RNG(8))
    mf = mean_field(params, days=500, follicles=n, steps_per_day=2)
    assert np.max(np.abs(traj.terminal_visible - mf.terminal_visible)) < 5 * math.sqrt(0.25 / n)
    assert np.max(np.abs(traj.fractions["kenogen"] - mf.fractions["kenogen"])) < 5 * math.sqrt(0.25 / n)
    assert np.nanmax(np.abs(traj.mean_diameter_um - mf.mean_diameter_um)) < 0.5


def test_untreated_alopecia_loses_terminal_hairs():
    from anagen.core.haircycle import diagnosis_params

    mf = mean_field(diagnosis_params("androgenetic_alopecia_male"), days=730)
    v = mf.terminal_visible
    assert v[365] < v[0] and v[729] < v[365]
    assert mf.mean_diameter_um[729] < mf.mean_diameter_um[0]


def test_vectorised_simulator_matches_day_by_day_oracle():
    params = ModelParams(cycle=CycleParams(kenogen=Kenogen(0.5, 60.0, 0.5)), shocks=(Shock(20, 0.3),))
    n, days, seeds = 3_000, 250, 4
    fast = [simulate(params, follicles=n, days=days, rng=RNG(100 + s)) for s in range(seeds)]
    slow = [oracle_simulate(params, n, days, RNG(200 + s)) for s in range(seeds)]
    for i, name in enumerate(("anagen", "catagen", "telogen", "kenogen")):
        a = np.mean([t.fractions[name] for t in fast], axis=0)
        b = np.mean([f[i] for f, _ in slow], axis=0)
        # mean over days and seeds: day-to-day values are correlated, so compare window means
        for lo in range(0, days, 50):
            wa, wb = a[lo : lo + 50].mean(), b[lo : lo + 50].mean()
            p = max(wa, 1e-3)
            assert abs(wa - wb) < 5 * math.sqrt(p * (1 - p) / (n * seeds)) + 1e-3, (name, lo)
    shed_a = np.sum([t.shed for t in fast])
    shed_b = np.sum([s for _, s in slow])
    assert abs(shed_a - shed_b) < 5 * math.sqrt(shed_a + shed_b)


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(1, 400),
    days=st.integers(1, 120),
    seed=st.integers(0, 2**32 - 1),
    cv=st.floats(0.05, 2.0),
    keno=st.floats(0.0, 1.0),
    shock=st.floats(0.0, 1.0),
    start=st.sampled_from(["steady_state", "synchronised"]),
)
def test_fractions_sum_to_one_shed_non_negative_same_seed_same_output(n, days, seed, cv, keno, shock, start):
    cycle = CycleParams(anagen=Phase(60.0, cv), catagen=Phase(5.0, cv), telogen=Phase(20.0, cv),
                        kenogen=Kenogen(keno, 15.0, cv))
    params = ModelParams(cycle=cycle, shocks=(Shock(days // 2, shock),))
    a = simulate(params, follicles=n, days=days, rng=RNG(seed), start=start)
    b = simulate(params, follicles=n, days=days, rng=RNG(seed), start=start)
    total = sum(a.fractions.values())
    assert np.allclose(total, 1.0)
    assert (a.shed >= 0).all()
    for name in a.fractions:
        assert np.array_equal(a.fractions[name], b.fractions[name])
        assert (a.fractions[name] >= 0).all()
    assert np.array_equal(a.shed, b.shed)
    assert (a.terminal_visible <= 1.0 + 1e-12).all()
