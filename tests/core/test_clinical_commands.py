"""The JSON commands end to end: exit codes, output documents and error documents."""

import copy
import io
import json
import pathlib
import re
import subprocess
import sys

import pytest

from anagen.jsoncommands import run_command

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCREEN = {
    "age_years": 34.5, "sex": "female", "pregnant": False, "breastfeeding": False, "planning_conception": False,
    "conditions": ["keloid_tendency"], "medications": ["anticoagulant"], "allergies": ["biotin"],
    "scalp": {"active_infection": False, "active_inflammation": False, "scarring_alopecia": False},
    "pattern": {"scale": "ludwig", "stage": "II"}, "diagnosis": "androgenetic_alopecia",
}
PLAN = {
    "start_date": "2026-12-01", "intensive_sessions": 6, "interval_days": 14, "maintenance_sessions": 2,
    "maintenance_interval_days": 60, "open_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat"],
    "closed_dates": ["2026-12-25"], "completed": [{"number": 1, "date": "2026-12-01"}], "missed": [], "combination": [],
}
FORMULATE = {
    "diagnosis": "androgenetic_alopecia", "allergies": ["biotin"], "planning_conception": False,
    "trichologist_signoff": False, "consent_documented": False, "components": None,
}
TRICHOSCOPY = {
    "zone": "vertex", "site_offset_cm": 10, "density_per_cm2": 150, "thin_hairs_pct": 20, "mean_shaft_diameter_um": 55,
    "terminal_to_vellus_ratio": 3.5, "anagen_pct": 85, "telogen_pct": 15, "yellow_dots_count": 3,
}
CLASSIFY = {
    "baseline": {"date": "2026-01-05", "trichoscopy": TRICHOSCOPY, "wash_test": {"shed_count": 120, "short_hairs_count": 8}, "comb_count": None},
    "follow_up": {"date": "2026-05-04", "trichoscopy": {**TRICHOSCOPY, "density_per_cm2": 175}, "wash_test": None, "comb_count": None},
    "global_photographic_assessment": 2,
}
LABS = {
    "sex": "female",
    "results": [
        {"test": "ferritin", "value": 22, "unit": "ng/mL", "reference_low": 13, "reference_high": 150},
        {"test": "vitamin_d_25oh", "value": 45, "unit": "nmol/L", "reference_low": None, "reference_high": None},
    ],
}
EXAMPLES = {"screen": SCREEN, "plan": PLAN, "formulate": FORMULATE, "classify": CLASSIFY, "labs": LABS}


def call(name, document):
    text = document if isinstance(document, str) else json.dumps(document)
    out, err = io.StringIO(), io.StringIO()
    code = run_command(name, [], stdin=io.StringIO(text), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def ok(name, document):
    code, out, err = call(name, document)
    assert code == 0 and err == "", err
    return json.loads(out)


def bad(name, document):
    code, out, err = call(name, document)
    assert code == 2 and out == ""
    assert "Traceback" not in err
    error = json.loads(err)
    return {f["field"]: f["message"] for f in error["fields"]}


def test_screen_gives_the_documented_output():
    result = ok("screen", SCREEN)
    assert result["verdict"] == "eligible_with_cautions" and result["combination_recommended"] is False
    assert [f["code"] for f in result["findings"]] == ["anticoagulant", "keloid_tendency", "ingredient_allergy"]
    assert set(result["findings"][0]) == {"code", "severity", "message", "source"}


def test_screen_refuses_exactly_17_99_and_accepts_exactly_18():
    assert ok("screen", {**SCREEN, "age_years": 17.99})["verdict"] == "not_eligible"
    assert ok("screen", {**SCREEN, "age_years": 18})["verdict"] == "eligible_with_cautions"


def test_plan_gives_the_documented_output():
    result = ok("plan", PLAN)
    assert result["sessions"][0] == {"number": 1, "date": "2026-12-01", "phase": "intensive", "status": "completed", "missed_dates": []}
    assert result["sessions"][1]["date"] == "2026-12-15" and result["sessions"][1]["status"] == "planned"
    assert len(result["sessions"]) == 8 and result["warnings"] == [] and result["combination"] == []


def test_plan_replans_after_a_missed_session():
    result = ok("plan", {**PLAN, "missed": [{"number": 2, "date": "2026-12-15"}]})
    assert result["sessions"][1]["date"] == "2026-12-16" and result["sessions"][1]["missed_dates"] == ["2026-12-15"]


def test_formulate_starts_from_the_template_without_the_allergen():
    result = ok("formulate", FORMULATE)
    assert result["source"] == "template" and result["ok"] is True
    assert "biotin" not in [c["ingredient"] for c in result["components"]]
    assert result["removed"] == [{"ingredient": "biotin", "reason": "allergy"}]


def test_formulate_checks_custom_components_without_changing_them():
    custom = {**FORMULATE, "components": [
        {"ingredient": "biotin", "volume_ml": 0.5, "concentration": 0.5},
        {"ingredient": "dutasteride", "volume_ml": 1, "concentration": 0.1},
    ]}
    result = ok("formulate", custom)
    assert result["source"] == "custom" and result["ok"] is False
    assert {i["code"] for i in result["issues"]} >= {"allergy_conflict", "drug_signoff_missing", "drug_consent_missing"}


def test_classify_gives_the_response_and_maintenance_interval():
    result = ok("classify", CLASSIFY)
    assert result["response_class"] == "good" and result["maintenance_interval_days"] == 90
    assert result["readings"]["baseline"]["wash_test"] == "chronic_telogen_effluvium"


def test_labs_gives_exact_conversions_flags_and_the_ferritin_caveat():
    result = ok("labs", LABS)["results"]
    assert result[0]["flag"] == "borderline" and "Weak evidence" in result[0]["evidence_note"]
    assert result[0]["conversions"]["pmol/L"] == 49.438
    assert result[1]["flag"] == "low" and result[1]["canonical_value"] == 18.029


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_malformed_json_exits_2_with_an_error_document(name):
    code, out, err = call(name, '{"age_years": 3')
    assert code == 2 and out == "" and json.loads(err)["error"] == "malformed_json"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_missing_and_unknown_field_is_named(name):
    document = copy.deepcopy(EXAMPLES[name])
    first = next(iter(document))
    del document[first]
    document["surprise"] = 1
    assert set(bad(name, document)) == {first, "surprise"}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_a_document_that_is_not_an_object_is_refused(name):
    assert set(bad(name, [1, 2])) == {"$"}


def test_screen_names_every_bad_field_at_once():
    document = {
        **SCREEN, "age_years": 130, "pregnant": 1, "conditions": ["pregnancy", "flu"], "allergies": ["peanut"],
        "scalp": {"active_infection": "no", "active_inflammation": False}, "pattern": {"scale": "ludwig", "stage": "IV"},
        "sex": "other", "diagnosis": None,
    }
    assert set(bad("screen", document)) == {
        "age_years", "pregnant", "conditions[0]", "conditions[1]", "allergies[0]", "scalp.active_infection",
        "scalp.scarring_alopecia", "pattern.stage", "sex", "diagnosis",
    }


def test_a_boolean_is_never_a_number():
    assert set(bad("plan", {**PLAN, "interval_days": True})) == {"interval_days"}
    assert set(bad("labs", {**LABS, "results": [{**LABS["results"][0], "value": False}]})) == {"results[0].value"}


def test_plan_names_bad_dates_weekdays_and_ranges_with_their_paths():
    document = {
        **PLAN, "start_date": "2026-02-30", "interval_days": 6, "open_weekdays": ["mon", "someday"],
        "closed_dates": ["25/12/2026"], "completed": [{"number": 1, "date": "2026-12-01", "by": "x"}],
        "combination": [{"therapy": "laser", "start_date": "2026-12-02", "interval_days": 3, "sessions": 1}],
    }
    assert set(bad("plan", document)) == {
        "start_date", "interval_days", "open_weekdays[1]", "closed_dates[0]", "completed[0].by",
        "combination[0].therapy", "combination[0].interval_days",
    }


def test_classify_names_out_of_range_measurements():
    document = copy.deepcopy(CLASSIFY)
    document["baseline"]["trichoscopy"]["density_per_cm2"] = 900
    document["follow_up"]["comb_count"] = -1
    document["global_photographic_assessment"] = 4
    assert set(bad("classify", document)) == {
        "baseline.trichoscopy.density_per_cm2", "follow_up.comb_count", "global_photographic_assessment",
    }


def test_formulate_names_unknown_ingredients_and_referred_diagnoses():
    document = {**FORMULATE, "diagnosis": "scarring_alopecia", "components": [{"ingredient": "unicorn", "volume_ml": 0, "concentration": 1}]}
    assert set(bad("formulate", document)) == {"diagnosis", "components[0].ingredient", "components[0].volume_ml"}


def test_labs_names_a_wrong_unit_and_an_implausible_value():
    document = {"sex": "male", "results": [
        {"test": "zinc", "value": 80, "unit": "mg/L", "reference_low": None, "reference_high": None},
        {"test": "haemoglobin", "value": 140, "unit": "g/dL", "reference_low": None, "reference_high": None},
    ]}
    assert set(bad("labs", document)) == {"results[0].unit", "results[1].value"}
    assert set(bad("labs", {"sex": "male", "results": []})) == {"results"}


def documented_examples():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    return re.findall(r"<!-- example: (\w+) -->\s*```json\n(.*?)```", text, flags=re.S)


def test_docs_cli_md_has_a_working_example_for_every_command():
    examples = documented_examples()
    assert {name for name, _ in examples} >= set(EXAMPLES)
    for name, body in examples:
        ok(name, body)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_command_runs_as_a_process_from_a_file(name, tmp_path):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(EXAMPLES[name]), encoding="utf-8")
    program = f"import sys; from anagen.jsoncommands import run_command; sys.exit(run_command({name!r}, sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", program, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)
    path.write_text("{", encoding="utf-8")
    failed = subprocess.run([sys.executable, "-c", program, str(path)], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr and json.loads(failed.stderr)["error"]


# --- issue 17: the new inputs and outputs of the JSON commands -----------------------------------------


def test_screen_accepts_the_new_codes_and_free_text_allergies():
    document = {**SCREEN, "diagnosis": "traction_alopecia", "pattern": None, "allergies": ["lidocaine", "biotin"],
                "conditions": ["psoriasis", "depression"], "medications": [], "other_allergies": ["penicillin"]}
    codes = [f["code"] for f in ok("screen", document)["findings"]]
    assert codes == ["ingredient_allergy", "traction_alopecia", "lidocaine_allergy", "other_allergy", "psoriasis", "depression"]


def test_screen_defers_telogen_effluvium_with_unreviewed_abnormal_labs_and_names_bad_lab_codes():
    document = {**SCREEN, "diagnosis": "telogen_effluvium", "pattern": None, "conditions": [], "medications": [], "allergies": [],
                "unreviewed_abnormal_labs": ["tsh"]}
    assert ok("screen", document)["verdict"] == "defer"
    assert set(bad("screen", {**document, "unreviewed_abnormal_labs": ["thyroid"]})) == {"unreviewed_abnormal_labs[0]"}


def test_an_advanced_pattern_is_a_caution_from_the_command_too():
    result = ok("screen", {**SCREEN, "conditions": [], "medications": [], "allergies": [], "pattern": {"scale": "ludwig", "stage": "III"}})
    assert result["verdict"] == "eligible_with_cautions" and result["combination_recommended"] is True


def test_formulate_refuses_a_dose_over_the_cap_and_two_5aris():
    document = {**FORMULATE, "allergies": [], "trichologist_signoff": True, "consent_documented": True, "sex": "male", "components": [
        {"ingredient": "minoxidil", "volume_ml": 3, "concentration": 5},
        {"ingredient": "dutasteride", "volume_ml": 0.5, "concentration": 0.1},
        {"ingredient": "finasteride", "volume_ml": 0.5, "concentration": 0.5},
    ]}
    result = ok("formulate", document)
    assert result["ok"] is False
    assert {i["code"] for i in result["issues"] if i["severity"] == "error"} == {"dose_cap_exceeded", "multiple_five_ari"}


def test_formulate_takes_the_patients_context_and_the_trichologists_reasons():
    five_ari = {**FORMULATE, "allergies": [], "trichologist_signoff": True, "consent_documented": True,
                "components": [{"ingredient": "finasteride", "volume_ml": 0.5, "concentration": 0.5}]}
    able = {**five_ari, "sex": "female", "able_to_become_pregnant": True, "today": "2026-12-03",
            "contraception_documented_on": "2026-10-01", "negative_pregnancy_test_on": "2026-11-25"}
    assert "five_ari_pregnancy_prevention_missing" in {i["code"] for i in ok("formulate", able)["issues"]}  # 8 days old
    assert ok("formulate", {**able, "negative_pregnancy_test_on": "2026-11-26"})["ok"] is True
    te = {**five_ari, "diagnosis": "telogen_effluvium", "sex": "male"}
    assert ok("formulate", te)["ok"] is False
    assert ok("formulate", {**te, "trichologist_reasons": {"five_ari_telogen_effluvium": "AGA underneath"}})["ok"] is True
    fields = bad("formulate", {**te, "sex": "male", "pregnant": True, "trichologist_reasons": {"anything": "x"}})
    assert set(fields) == {"pregnant", "trichologist_reasons.anything"}


def test_formulate_checks_named_products_against_allergies():
    document = {**FORMULATE, "products": [{"name": "Vital cocktail", "ingredients": ["biotin", "zinc"]}]}
    result = ok("formulate", document)
    assert result["ok"] is False and "product_allergy_conflict" in {i["code"] for i in result["issues"]}


def test_labs_grades_haemoglobin_and_refers_iron_deficiency_anaemia_after_menopause():
    document = {"sex": "female", "postmenopausal": True, "results": [
        {"test": "ferritin", "value": 9, "unit": "ng/mL", "reference_low": None, "reference_high": None},
        {"test": "haemoglobin", "value": 75, "unit": "g/L", "reference_low": None, "reference_high": None},
    ]}
    ferritin, haemoglobin = ok("labs", document)["results"]
    assert "investigate the cause" in ferritin["referral"]
    assert haemoglobin["severity"] == "severe" and "refer urgently" in haemoglobin["referral"]
    assert set(bad("labs", {**document, "sex": "male"})) == {"postmenopausal"}


def test_classify_respects_the_course_phase_and_the_minoxidil_shed():
    course = {"minoxidil_in_course": False, "phase": "intensive", "sessions_done": 4, "intensive_sessions": 8,
              "diagnosis": None, "start_date": None, "trigger_date": None}
    result = ok("classify", {**CLASSIFY, "course": course})
    assert result["next_step"] == "continue_intensive_phase" and result["maintenance_interval_days"] is None
    early_worse = {**CLASSIFY, "global_photographic_assessment": -1,
                   "follow_up": {**CLASSIFY["follow_up"], "date": "2026-02-16"},
                   "course": {**course, "phase": None, "minoxidil_in_course": True}}
    assert ok("classify", early_worse)["next_step"] == "review_expected_shed"


def test_classify_judges_telogen_effluvium_against_its_untreated_course():
    course = {"minoxidil_in_course": False, "phase": None, "sessions_done": None, "intensive_sessions": None,
              "diagnosis": "telogen_effluvium", "start_date": "2026-01-05", "trigger_date": "2025-10-01"}
    result = ok("classify", {**CLASSIFY, "course": course})
    assert any("untreated course" in r for r in result["reasons"])
    assert set(bad("classify", {**CLASSIFY, "course": {**course, "start_date": None}})) == {"course.start_date"}


def test_plan_warns_that_an_interrupted_intensive_phase_is_interrupted():
    result = ok("plan", {**PLAN, "completed": [{"number": 1, "date": "2026-12-01"}, {"number": 2, "date": "2027-01-05"}]})
    assert "intensive_phase_interrupted" in [w["code"] for w in result["warnings"]]
