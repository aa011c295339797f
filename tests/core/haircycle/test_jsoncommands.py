"""``anagen simulate`` and ``anagen forecast`` JSON contracts."""

from __future__ import annotations

import io
import json

from anagen.jsoncommands import run_command

ISSUE_INPUT = {
    "follicles": 20000, "days": 400, "seed": 1, "start": "steady_state",
    "phases": {"anagen": {"mean_days": 1000, "cv": 0.5}, "catagen": {"mean_days": 14, "cv": 0.3},
               "telogen": {"mean_days": 100, "cv": 0.3},
               "kenogen": {"probability": 0.0, "mean_days": 60, "cv": 0.5}},
    "events": [{"day": 30, "type": "shock", "fraction_of_anagen": 0.3}],
}


def _run(name, document):
    out, err = io.StringIO(), io.StringIO()
    rc = run_command(name, [], stdin=io.StringIO(json.dumps(document)), stdout=out, stderr=err)
    return rc, (json.loads(out.getvalue()) if out.getvalue() else None), (json.loads(err.getvalue()) if err.getvalue() else None)


def test_simulate_contract_and_same_seed_same_output():
    rc, first, _ = _run("simulate", ISSUE_INPUT)
    assert rc == 0
    assert first["day"] == list(range(400))
    assert set(first["fractions"]) == {"anagen", "catagen", "telogen", "kenogen"}
    assert len(first["shed"]) == 400 and min(first["shed"]) >= 0
    assert 60 <= first["summary"]["peak_shed_day"] - 30 <= 120
    rc, second, _ = _run("simulate", ISSUE_INPUT)
    assert first == second
    rc, other, _ = _run("simulate", {**ISSUE_INPUT, "seed": 2})
    assert other["shed"] != first["shed"]


def test_simulate_defaults_apply_to_missing_fields():
    rc, out, _ = _run("simulate", {"follicles": 1000, "days": 10})
    assert rc == 0 and out["summary"]["mean_cycle_days"] == 1114.0


def test_simulate_bad_input_exit_2_naming_every_field():
    bad = {"follicles": 0, "days": "x", "start": "cold", "phases": {"anagen": {"cv": 0}, "kenogen": {"probability": 2}},
           "events": [{"day": 5, "type": "flood", "fraction_of_anagen": 1.5}], "colour": 1}
    rc, out, err = _run("simulate", bad)
    assert rc == 2 and out is None
    fields = {e["field"] for e in err["fields"]}
    assert fields == {"follicles", "days", "start", "phases.anagen.cv", "phases.kenogen.probability",
                      "events[0].type", "events[0].fraction_of_anagen", "colour"}


FORECAST_INPUT = {
    "diagnosis": "androgenetic_alopecia_male",
    "baseline": {"density_per_cm2": 150, "shaft_diameter_um": 47, "wash_test_count": 80},
    "treatments": ["minoxidil_5"],
    "follow_ups": [{"day": 90, "density_per_cm2": 138}, {"day": 180, "density_per_cm2": 134, "sd_per_cm2": 7.5}],
}


def test_forecast_contract():
    rc, out, _ = _run("forecast", FORECAST_INPUT)
    assert rc == 0
    # Minoxidil 5% was measured to 48 weeks (Olsen 2002): no forecast past day 336 (issue 17).
    assert out["day"][0] == 0 and out["day"][-1] == 336 and out["horizon_days"] == 336
    for key in ("density_per_cm2", "density_per_cm2_at_start", "wash_test_count", "density_per_cm2_untreated"):
        assert set(out[key]) == {"p10", "p50", "p90"} and len(out[key]["p50"]) == 337
    assert out["wash_test_count"]["p50"][0] == 80
    assert [f["below_band"] for f in out["follow_ups"]] == [True, True]
    assert out["non_responder"]["days"] == [90, 180]
    assert out["effect"]["posterior_sd"] < out["effect"]["prior_sd"]


def test_forecast_bad_input_names_fields():
    bad = {"diagnosis": "baldness", "baseline": {"density_per_cm2": -1}, "treatments": ["magic"],
           "follow_ups": [{"day": 900, "density_per_cm2": 100}]}
    rc, _, err = _run("forecast", bad)
    assert rc == 2
    fields = {e["field"] for e in err["fields"]}
    assert fields == {"diagnosis", "baseline.density_per_cm2", "treatments[0]", "follow_ups[0].day"}
    rc, _, err = _run("forecast", [])
    assert rc == 2 and err["fields"][0]["field"] == "$"
