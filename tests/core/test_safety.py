from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anagen.core.aftercare import DEFAULT_SHEETS, sheet_as_text, sheet_from_text
from anagen.core.errors import InvalidInput
from anagen.core.measurements import ScalpZone
from anagen.core.protocol import Protocol
from anagen.core.safety import (
    ClusterPolicy,
    EventState,
    Exposure,
    Infection,
    InjectionPoint,
    Severity,
    check_injection_map,
    infection_clusters,
    session_blockers,
)

D = Decimal
DAY = dt.date(2026, 6, 1)


def test_an_unresolved_unreviewed_moderate_event_blocks_the_next_session():
    assert session_blockers([EventState(1, Severity.MODERATE, resolved=False, reviewed=False)])


@pytest.mark.parametrize(("severity", "resolved", "reviewed"), [
    (Severity.MILD, False, False), (Severity.MODERATE, True, False), (Severity.SEVERE, False, True),
])
def test_mild_resolved_or_reviewed_events_do_not_block(severity, resolved, reviewed):
    assert session_blockers([EventState(1, severity, resolved=resolved, reviewed=reviewed)]) == []


def test_two_infections_after_the_same_lot_within_twelve_weeks_are_a_cluster():
    exposures = [Exposure(1, 7, DAY), Exposure(2, 7, DAY + dt.timedelta(days=10)), Exposure(3, 8, DAY)]
    infections = [Infection(1, DAY + dt.timedelta(days=30)), Infection(2, DAY + dt.timedelta(days=60))]
    clusters = infection_clusters(exposures, infections)
    assert [(c.lot_id, c.patient_ids) for c in clusters] == [(7, (1, 2))]


def test_an_infection_more_than_twelve_weeks_after_the_lot_does_not_count():
    exposures = [Exposure(1, 7, DAY), Exposure(2, 7, DAY)]
    infections = [Infection(1, DAY + dt.timedelta(days=30)), Infection(2, DAY + dt.timedelta(days=85))]
    assert infection_clusters(exposures, infections) == []


def test_the_twelve_week_boundary_counts():
    exposures = [Exposure(1, 7, DAY), Exposure(2, 7, DAY)]
    infections = [Infection(1, DAY + dt.timedelta(days=84)), Infection(2, DAY + dt.timedelta(days=84))]
    assert len(infection_clusters(exposures, infections, ClusterPolicy(window_days=84))) == 1


def test_one_infection_is_not_a_cluster():
    assert infection_clusters([Exposure(1, 7, DAY)], [Infection(1, DAY + dt.timedelta(days=20))]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.integers(1, 3), st.integers(0, 200)), max_size=20),
       st.lists(st.tuples(st.integers(1, 6), st.integers(0, 300)), max_size=8))
def test_every_cluster_member_was_exposed_to_the_lot_and_infected(raw_exposures, raw_infections):
    exposures = [Exposure(p, lot, DAY + dt.timedelta(days=d)) for p, lot, d in raw_exposures]
    infections = [Infection(p, DAY + dt.timedelta(days=d)) for p, d in raw_infections]
    for cluster in infection_clusters(exposures, infections):
        assert len(cluster.patient_ids) >= 2
        exposed = {e.patient_id for e in exposures if e.lot_id == cluster.lot_id}
        infected = {i.patient_id for i in infections}
        assert set(cluster.patient_ids) <= exposed & infected
        assert (cluster.last_onset - cluster.first_onset).days <= 84


def point(zone="vertex", volume="0.1"):
    return InjectionPoint(ScalpZone(zone), D("0.5"), D("0.5"), D(volume))


def test_the_map_totals_volume_by_zone():
    check = check_injection_map([point(), point("frontal", "0.2"), point("frontal")], formulation_volume_ml=D("2"), protocol=Protocol())
    assert check.total_volume_ml == D("0.4")
    assert check.volume_by_zone_ml == {"vertex": D("0.1"), "frontal": D("0.3")}
    assert check.warnings  # less than prescribed


def test_a_map_over_the_protocol_limit_is_refused():
    points = [point(volume="0.5")] * 9
    with pytest.raises(InvalidInput) as raised:
        check_injection_map(points, formulation_volume_ml=D("5"), protocol=Protocol())
    assert "protocol limit" in raised.value.errors[0].message


def test_a_map_over_the_prescribed_volume_is_refused():
    with pytest.raises(InvalidInput):
        check_injection_map([point(volume="0.3")] * 4, formulation_volume_ml=D("1"), protocol=Protocol())


def test_a_point_outside_the_diagram_is_refused_naming_it():
    bad = InjectionPoint(ScalpZone.VERTEX, D("1.2"), D("0.5"), D("0.1"))
    with pytest.raises(InvalidInput) as raised:
        check_injection_map([point(), bad], formulation_volume_ml=D("2"), protocol=Protocol())
    assert raised.value.errors[0].field == "injection_map[1].x"


def test_an_empty_map_is_refused():
    with pytest.raises(InvalidInput):
        check_injection_map([], formulation_volume_ml=D("2"), protocol=Protocol())


@pytest.mark.parametrize("language", ["en", "hi"])
def test_the_aftercare_sheet_round_trips_through_its_editable_text(language):
    sheet = DEFAULT_SHEETS[language]
    assert sheet_from_text(language, sheet.title, sheet_as_text(sheet)) == sheet


def test_the_english_sheet_says_no_hair_wash_for_a_day():
    assert "Do not wash your hair for one day." in sheet_as_text(DEFAULT_SHEETS["en"])


# --- the pre-session re-screen ----------------------------------------------------------------

from anagen.core.safety import SessionAnswers, rescreen_blockers, rescreen_for_session  # noqa: E402
from anagen.core.scales import PatternStage  # noqa: E402
from anagen.core.screening import Diagnosis, FindingCode, Intake, ScalpState, Verdict  # noqa: E402


def intake(**overrides):
    values = dict(
        age_years=D("34"), sex="female", pregnant=False, breastfeeding=False, planning_conception=False,
        conditions=frozenset(), medications=frozenset(), allergies=frozenset(),
        scalp=ScalpState(False, False, False), pattern=PatternStage("ludwig", "II"), diagnosis=Diagnosis.ANDROGENETIC_ALOPECIA,
    )
    values.update(overrides)
    return Intake(**values)


NOTHING_NEW = SessionAnswers(fever=False, scalp_infection=False, pregnant=False, new_medications=frozenset())


def test_a_calm_day_rescreens_eligible():
    result = rescreen_for_session(intake(), NOTHING_NEW, Protocol())
    assert result.verdict == Verdict.ELIGIBLE and rescreen_blockers(result, []) == []


def test_an_active_infection_today_now_finds_a_defer():
    answers = SessionAnswers(fever=False, scalp_infection=True, pregnant=False, new_medications=frozenset())
    result = rescreen_for_session(intake(), answers, Protocol())
    assert result.verdict == Verdict.DEFER
    assert rescreen_blockers(result, [])[0].startswith("Re-screen today")


def test_fever_today_defers_the_session():
    answers = SessionAnswers(fever=True, scalp_infection=False, pregnant=False, new_medications=frozenset())
    result = rescreen_for_session(intake(), answers, Protocol())
    assert FindingCode.FEVER_TODAY in {f.code for f in result.findings}
    assert result.verdict == Verdict.DEFER


def test_a_new_anticoagulant_needs_a_trichologists_acknowledgement():
    answers = SessionAnswers(fever=False, scalp_infection=False, pregnant=False, new_medications=frozenset({FindingCode.ANTICOAGULANT}))
    result = rescreen_for_session(intake(), answers, Protocol())
    assert rescreen_blockers(result, [])
    assert rescreen_blockers(result, ["anticoagulant"]) == []


# --- issue 17: the extended pre-session re-screen ------------------------------------------------------

from dataclasses import replace as _replace  # noqa: E402


@pytest.mark.parametrize(("answer", "code", "blocks_even_if_acknowledged"), [
    ({"breastfeeding": True}, FindingCode.BREASTFEEDING, True),
    ({"planning_conception": True}, FindingCode.PLANNING_CONCEPTION, False),
    ({"new_conditions": frozenset({FindingCode.CHEMOTHERAPY})}, FindingCode.CHEMOTHERAPY, True),
    ({"new_allergies": frozenset({"latex"})}, FindingCode.LATEX_ALLERGY, False),
    ({"new_allergies": frozenset({"biotin"})}, FindingCode.INGREDIENT_ALLERGY, False),
    ({"reaction_last_session": True}, FindingCode.REACTION_LAST_SESSION, False),
    ({"new_bald_patch": True}, FindingCode.NEW_BALD_PATCH, True),
    ({"scalp_inflammation": True}, FindingCode.ACTIVE_SCALP_INFLAMMATION, True),
])
def test_each_new_re_screen_answer_raises_its_finding_and_blocks_until_handled(answer, code, blocks_even_if_acknowledged):
    result = rescreen_for_session(intake(), _replace(NOTHING_NEW, **answer), Protocol())
    assert code in [f.code for f in result.findings]
    assert rescreen_blockers(result, [])  # nothing acknowledged: the session waits
    assert bool(rescreen_blockers(result, [str(code)])) is blocks_even_if_acknowledged


def test_an_unknown_new_condition_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as caught:
        _replace(NOTHING_NEW, new_conditions=frozenset({"flu"}))
    assert caught.value.errors[0].field == "new_conditions"


# --- issue 17: 5-ARI instructions on the aftercare sheet and the consent, in every sheet language ----------

from anagen.core.aftercare import (  # noqa: E402
    five_ari_consent_text,
    five_ari_languages,
    five_ari_section,
    with_drug_instructions,
)


def test_every_language_of_the_aftercare_sheet_has_the_5ari_instructions():
    assert set(DEFAULT_SHEETS) <= five_ari_languages()
    for language in DEFAULT_SHEETS:
        heading, points = five_ari_section(language, {"dutasteride", "finasteride"})
        assert heading and len(points) == 6
        assert five_ari_consent_text(language, {"dutasteride"}).count("\n- ") == 4


def test_the_blood_donation_wait_is_six_months_for_dutasteride_and_one_for_finasteride():
    _, dutasteride = five_ari_section("en", {"dutasteride"})
    _, finasteride = five_ari_section("en", {"finasteride"})
    assert "Do not donate blood for 6 months after your last dutasteride dose" in dutasteride[0]
    assert "Do not donate blood for 1 month after your last finasteride dose" in finasteride[0]
    assert any("must not handle" in p for p in dutasteride) and any("conceive" in p for p in dutasteride)
    _, hindi = five_ari_section("hi", {"dutasteride"})
    assert "6 महीने" in hindi[0] and "रक्तदान" in hindi[0]


def test_a_sheet_without_a_5ari_is_unchanged_and_with_one_leads_with_it():
    sheet = DEFAULT_SHEETS["en"]
    assert with_drug_instructions(sheet, {"biotin", "minoxidil"}) is sheet
    assert five_ari_consent_text("en", {"biotin"}) == ""
    led = with_drug_instructions(sheet, {"finasteride"})
    assert led.sections[0][0] == "Because your treatment contains finasteride" and led.sections[1:] == sheet.sections
