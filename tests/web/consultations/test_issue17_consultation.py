"""Issue 17 in the consultation: the new codes and fields, blood results read while they are typed
(feeding the live screening panel), unreviewed abnormal results deferring telogen effluvium until
a clinician has reviewed them, free-text allergies as cautions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from anagen.consultations.models import Consultation, LabResult

from .test_consultation import BASE_FORM, TODAY, post_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(trichologist, patient):
    from anagen.audit.services import Actor
    from anagen.consultations.services import start_consultation

    return start_consultation(Actor.system("test", patient.clinic_id), patient, trichologist, TODAY)


def preview(client, consultation, **extra):
    return client.post(reverse("consultations:screening_preview", args=[consultation.pk]), {**BASE_FORM, **extra}).content.decode()


def test_lab_readings_appear_in_the_live_panel_while_typed_with_flag_converted_value_and_referral(client, trichologist, consultation):
    client.force_login(trichologist)
    panel = preview(client, consultation, **{"lab-zinc-value": "10.7", "lab-zinc-unit": "umol/L",
                                             "lab-haemoglobin-value": "7.5", "lab-haemoglobin-unit": "g/dL"})
    assert "Blood results" in panel and "refer urgently" in panel
    assert "µmol/L" in panel and "m[IU]" not in panel
    # The WHO grade in words, as the translation catalogue names it, never the bare code.
    assert '<span class="badge">Severe anaemia</span>' in panel and '<span class="badge">severe</span>' not in panel
    assert "for women" in panel and "for female" not in panel
    zinc = panel.split("<strong>Zinc</strong>")[1].split("</li>")[0]
    assert "Within range" in zinc  # 10.7 µmol/L is on the published cut-off, not below it
    assert LabResult.objects.count() == 0  # nothing saved by the panel


def test_an_unreviewed_abnormal_result_defers_telogen_effluvium_in_the_live_panel_until_reviewed(client, trichologist, consultation):
    client.force_login(trichologist)
    values = {"diagnosis_primary": "telogen_effluvium", "pattern": "", "lab-tsh-value": "9", "lab-tsh-unit": "m[IU]/L"}
    assert "Abnormal blood results not yet reviewed" in preview(client, consultation, **values)
    assert "Abnormal blood results not yet reviewed" not in preview(client, consultation, abnormal_labs_reviewed="on", **values)


def test_signing_with_an_unreviewed_abnormal_result_freezes_a_defer_and_reviewing_it_first_does_not(client, trichologist, consultation, patient):
    from anagen.audit.services import Actor
    from anagen.consultations.services import start_consultation

    client.force_login(trichologist)
    values = {"diagnosis_primary": "telogen_effluvium", "pattern": "", "lab-tsh-value": "9", "lab-tsh-unit": "m[IU]/L"}
    post_edit(client, consultation, action="confirm_sign", **values)
    signed = Consultation.objects.get(pk=consultation.pk)
    assert signed.screening["verdict"] == "defer"
    assert "abnormal_labs_unreviewed" in [f["code"] for f in signed.screening["findings"]]
    second = start_consultation(Actor.system("test", patient.clinic_id), patient, trichologist, TODAY)
    post_edit(client, second, action="confirm_sign", abnormal_labs_reviewed="on", **values)
    second.refresh_from_db()
    assert "abnormal_labs_unreviewed" not in [f["code"] for f in second.screening["findings"]]
    row = LabResult.objects.get(consultation=second, test="tsh")
    assert row.reviewed_by == trichologist and row.reviewed_at is not None


def test_a_changed_result_loses_its_review(client, trichologist, consultation):
    client.force_login(trichologist)
    post_edit(client, consultation, abnormal_labs_reviewed="on", **{"lab-tsh-value": "9"})
    consultation.refresh_from_db()
    post_edit(client, consultation, **{"lab-tsh-value": "10"})
    assert LabResult.objects.get(consultation=consultation, test="tsh").reviewed_at is None


def test_the_new_diagnosis_allergy_and_condition_codes_are_accepted(client, trichologist, consultation):
    client.force_login(trichologist)
    post_edit(client, consultation, action="confirm_sign", diagnosis_primary="traction_alopecia", pattern="",
              allergy_ingredients=["lidocaine", "latex"], condition_codes=["psoriasis", "active_cancer"],
              allergies_other="Penicillin; none")
    signed = Consultation.objects.get(pk=consultation.pk)
    codes = [f["code"] for f in signed.screening["findings"]]
    assert codes == ["traction_alopecia", "lidocaine_allergy", "latex_allergy", "other_allergy", "active_cancer", "psoriasis"]
    assert signed.screening["verdict"] == "defer"


def test_a_trigger_date_is_for_telogen_effluvium_and_not_after_the_visit(client, trichologist, consultation):
    client.force_login(trichologist)
    future = post_edit(client, consultation, diagnosis_primary="telogen_effluvium", pattern="",
                       te_trigger_on=(TODAY + dt.timedelta(days=1)).isoformat())
    assert future.status_code == 400
    wrong = post_edit(client, consultation, te_trigger_on=(TODAY - dt.timedelta(days=90)).isoformat())
    assert wrong.status_code == 400
    ok = post_edit(client, consultation, diagnosis_primary="telogen_effluvium", pattern="",
                   te_trigger_on=(TODAY - dt.timedelta(days=90)).isoformat())
    assert ok.status_code == 302
    assert Consultation.objects.get(pk=consultation.pk).te_trigger_on == TODAY - dt.timedelta(days=90)


def test_a_man_cannot_be_recorded_as_able_to_become_pregnant(client, trichologist, make_patient, clinic):
    from anagen.audit.services import Actor
    from anagen.consultations.services import start_consultation

    man = make_patient(clinic, sex="male")
    consultation = start_consultation(Actor.system("test", clinic.pk), man, trichologist, TODAY)
    client.force_login(trichologist)
    assert post_edit(client, consultation, able_to_become_pregnant="on").status_code == 400


def test_the_api_reads_and_writes_the_new_fields(client, trichologist, consultation):
    client.force_login(trichologist)
    url = f"/api/v1/consultations/{consultation.pk}"
    etag = client.get(url)["ETag"]
    body = {"presenting_complaint": "Shedding", "diagnosis_primary": "telogen_effluvium", "te_trigger_on": (TODAY - dt.timedelta(days=70)).isoformat(),
            "labs": {"haemoglobin": {"value": "7.9", "unit": "g/dL"}}, "labs_reviewed": True}
    response = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["te_trigger_on"] == (TODAY - dt.timedelta(days=70)).isoformat()
    lab = data["labs"][0]
    assert lab["severity"] == "severe" and "refer urgently" in lab["referral"] and lab["reviewed_by_id"] == trichologist.pk


def test_a_caution_a_stricter_rule_adds_after_signing_can_be_acknowledged_so_sessions_can_go_ahead(client, trichologist, consultation):
    from anagen.audit.services import Actor
    from anagen.consultations.services import acknowledge_caution

    client.force_login(trichologist)
    post_edit(client, consultation, action="confirm_sign", pattern="ludwig:III")
    signed = Consultation.objects.get(pk=consultation.pk)
    # As if signed before issue 17, when an advanced pattern was only information.
    screening = dict(signed.screening, findings=[{**f, "severity": "info"} for f in signed.screening["findings"]], verdict="eligible")
    Consultation.objects.filter(pk=signed.pk).update(screening=screening)
    signed.refresh_from_db()
    page = client.get(reverse("consultations:detail", args=[signed.pk])).content.decode()
    assert "Cautions under the current rules" in page and "advanced_pattern" in page
    acknowledge_caution(Actor.system("test", signed.clinic_id), signed, "advanced_pattern", "Combination discussed", trichologist)
    assert signed.acknowledgements.filter(code="advanced_pattern").exists()
