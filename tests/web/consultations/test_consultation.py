from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.consultations.models import (
    Consultation,
    LabResult,
    MeasurementSet,
    ScreeningDeferral,
)
from anagen.core.errors import ImmutableRecord

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()

BASE_FORM = {
    "consulted_on": TODAY.isoformat(),
    "presenting_complaint": "Thinning at the crown for two years",
    "complaint_duration_months": "24",
    "pattern": "ludwig:II",
    "diagnosis_primary": "androgenetic_alopecia",
    "lab-ferritin-unit": "ng/mL",
    "lab-vitamin_d_25oh-unit": "ng/mL",
    "lab-tsh-unit": "m[IU]/L",
    "lab-zinc-unit": "ug/dL",
    "lab-vitamin_b12-unit": "pg/mL",
    "lab-haemoglobin-unit": "g/dL",
}


@pytest.fixture
def consultation(trichologist, patient):
    from anagen.audit.services import Actor
    from anagen.consultations.services import start_consultation

    return start_consultation(Actor.system("test", patient.clinic_id), patient, trichologist, TODAY)


def post_edit(client, consultation, **extra):
    data = {**BASE_FORM, "version": consultation.version, **extra}
    return client.post(reverse("consultations:edit", args=[consultation.pk]), data)


def test_a_trichologist_starts_a_consultation_from_the_patient(client, trichologist, patient):
    client.force_login(trichologist)
    response = client.post(reverse("consultations:start", args=[patient.pk]))
    consultation = Consultation.objects.get()
    assert response["Location"] == reverse("consultations:edit", args=[consultation.pk])
    assert (consultation.status, consultation.author) == ("draft", trichologist)


@pytest.mark.parametrize("role", ["practitioner", "reception", "clinic_admin"])
def test_only_a_trichologist_starts_or_edits_a_consultation(client, clinic, make_user, patient, consultation, role):
    client.force_login(make_user(clinic, role))
    assert client.post(reverse("consultations:start", args=[patient.pk])).status_code == 403
    assert client.get(reverse("consultations:edit", args=[consultation.pk])).status_code == 403


def test_reception_cannot_read_a_consultation(client, receptionist, consultation):
    client.force_login(receptionist)
    assert client.get(reverse("consultations:detail", args=[consultation.pk])).status_code == 403


def test_another_clinics_trichologist_gets_404(client, other_clinic, make_user, consultation):
    client.force_login(make_user(other_clinic, "trichologist"))
    for name in ["detail", "edit"]:
        assert client.get(reverse(f"consultations:{name}", args=[consultation.pk])).status_code == 404
    assert client.post(reverse("consultations:screening_preview", args=[consultation.pk]), BASE_FORM).status_code == 404


def test_saving_a_draft_stores_measurements_and_labs_together(client, trichologist, consultation):
    client.force_login(trichologist)
    response = post_edit(
        client, consultation, action="save",
        **{"m-pull_grasped": "50", "m-pull_extracted": "4", "m-site_zone": "mid_scalp", "m-site_offset_cm": "10",
           "m-site_note": "midline, 10 cm behind the hairline", "m-density_per_cm2": "142",
           "lab-ferritin-value": "22", "lab-ferritin-reference_low": "15", "lab-ferritin-reference_high": "150"},
    )
    assert response.status_code == 302
    measurements = MeasurementSet.objects.get(consultation=consultation)
    assert (measurements.pull_extracted, measurements.density_per_cm2) == (4, 142)
    lab = LabResult.objects.get(consultation=consultation)
    assert (lab.test, lab.value, lab.unit) == ("ferritin", 22, "ng/mL")
    entry = AuditEntry.objects.filter(object_type="consultation", action="update").last()
    assert "measurements.density_per_cm2" in entry.changes
    assert "labs.ferritin.value" in entry.changes


@pytest.mark.parametrize(
    ("field", "value", "form_field", "message"),
    [
        ("m-density_per_cm2", "900", "density_per_cm2", "density_per_cm2"),
        ("m-pull_extracted", "70", "pull_extracted", "cannot exceed"),
        ("m-global_photo_score", "5", "global_photo_score", "-3"),
        ("lab-haemoglobin-value", "45", "value", "at most"),
    ],
)
def test_out_of_range_values_are_refused_naming_the_field_and_nothing_is_saved(client, trichologist, consultation, field, value, form_field, message):
    client.force_login(trichologist)
    extra = {"m-pull_grasped": "50", "m-pull_extracted": "2", "m-site_zone": "vertex", "m-site_offset_cm": "12", "m-density_per_cm2": "150", field: value}
    response = post_edit(client, consultation, action="save", **extra)
    assert response.status_code == 400
    assert message.encode() in response.content
    consultation.refresh_from_db()
    assert consultation.presenting_complaint == ""
    assert not MeasurementSet.objects.exists()
    assert not LabResult.objects.exists()


def test_a_pull_test_needs_both_counts(client, trichologist, consultation):
    client.force_login(trichologist)
    response = post_edit(client, consultation, action="save", **{"m-pull_grasped": "50"})
    assert response.status_code == 400
    assert "pull_extracted" in response.context["measurement_form"].errors


def test_the_screening_panel_shows_a_caution_as_the_form_changes(client, trichologist, consultation):
    client.force_login(trichologist)
    response = client.post(
        reverse("consultations:screening_preview", args=[consultation.pk]),
        {**BASE_FORM, "medication_codes": ["anticoagulant"]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Eligible with cautions" in response.content
    assert b"anticoagulant" in response.content.lower()
    consultation.refresh_from_db()
    assert consultation.medication_codes == []  # the preview saved nothing


def test_the_panel_says_what_is_missing_before_it_can_screen(client, trichologist, consultation):
    client.force_login(trichologist)
    response = client.post(reverse("consultations:screening_preview", args=[consultation.pk]), {**BASE_FORM, "diagnosis_primary": ""})
    assert b"primary diagnosis" in response.content.lower()


def test_signing_freezes_the_screening_and_the_record(client, trichologist, consultation):
    client.force_login(trichologist)
    response = post_edit(client, consultation, action="confirm_sign", medication_codes=["anticoagulant"])
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == "signed"
    assert consultation.screening["verdict"] == "eligible_with_cautions"
    # The edit page now refuses changes and sends the user to the read-only record.
    response = post_edit(client, consultation, action="save", presenting_complaint="changed")
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.presenting_complaint == BASE_FORM["presenting_complaint"]


def test_a_signed_consultation_cannot_be_changed_through_the_orm(client, trichologist, consultation):
    client.force_login(trichologist)
    post_edit(client, consultation, action="confirm_sign")
    consultation.refresh_from_db()
    consultation.notes = "sneaky"
    with pytest.raises(ImmutableRecord):
        consultation.save()
    with pytest.raises(ImmutableRecord):
        consultation.delete()


def test_signing_needs_a_complaint_and_a_diagnosis(client, trichologist, consultation):
    client.force_login(trichologist)
    response = post_edit(client, consultation, action="confirm_sign", presenting_complaint="", diagnosis_primary="")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "presenting_complaint" in errors and "diagnosis_primary" in errors
    consultation.refresh_from_db()
    assert consultation.status == "draft"


def test_a_caution_blocks_booking_until_acknowledged_with_a_reason(client, trichologist, consultation, patient):
    from anagen.consultations.services import booking_status

    client.force_login(trichologist)
    post_edit(client, consultation, action="confirm_sign", medication_codes=["anticoagulant"])
    assert not booking_status(patient, TODAY)[1].allowed
    url = reverse("consultations:acknowledge", args=[consultation.pk])
    client.post(url, {"code": "anticoagulant", "reason": ""})
    assert not booking_status(patient, TODAY)[1].allowed
    client.post(url, {"code": "anticoagulant", "reason": "INR stable at 2.1; physician agrees; pressure after each point"})
    assert booking_status(patient, TODAY)[1].allowed
    entry = AuditEntry.objects.get(object_type="screening_acknowledgement")
    assert entry.changes["code"]["new"] == "anticoagulant"


def test_a_stop_finding_blocks_booking(client, trichologist, consultation, patient):
    from anagen.consultations.services import booking_status

    client.force_login(trichologist)
    post_edit(client, consultation, action="confirm_sign", condition_codes=["bleeding_disorder"])
    _, decision = booking_status(patient, TODAY)
    assert not decision.allowed
    assert "Not eligible" in decision.reasons[0]


def test_a_defer_blocks_booking_until_the_review_date(client, trichologist, consultation, patient):
    from anagen.consultations.services import booking_status

    client.force_login(trichologist)
    post_edit(client, consultation, action="confirm_sign", breastfeeding="on")
    review = TODAY + dt.timedelta(days=90)
    client.post(reverse("consultations:defer", args=[consultation.pk]), {"review_on": review.isoformat(), "reason": "Breastfeeding until March"})
    assert not booking_status(patient, TODAY)[1].allowed
    assert not booking_status(patient, review - dt.timedelta(days=1))[1].allowed
    assert booking_status(patient, review)[1].allowed


def test_a_review_date_in_the_past_is_refused(client, trichologist, consultation):
    client.force_login(trichologist)
    post_edit(client, consultation, action="confirm_sign", pregnant="on")
    client.post(reverse("consultations:defer", args=[consultation.pk]), {"review_on": TODAY.isoformat(), "reason": "x"})
    assert not ScreeningDeferral.objects.exists()


def test_an_addendum_is_kept_beside_a_signed_consultation(client, trichologist, consultation):
    client.force_login(trichologist)
    post_edit(client, consultation, action="confirm_sign")
    client.post(reverse("consultations:addendum", args=[consultation.pk]), {"reason": "Lab result arrived", "text": "Ferritin 12 ng/mL"})
    consultation.refresh_from_db()
    assert [a.text for a in consultation.addenda.all()] == ["Ferritin 12 ng/mL"]
    assert consultation.presenting_complaint == BASE_FORM["presenting_complaint"]
    response = client.get(reverse("consultations:detail", args=[consultation.pk]))
    assert b"Ferritin 12 ng/mL" in response.content


def test_reading_a_consultation_is_audited(client, trichologist, consultation):
    client.force_login(trichologist)
    post_edit(client, consultation, action="confirm_sign")
    client.get(reverse("consultations:detail", args=[consultation.pk]))
    assert AuditEntry.objects.filter(object_type="consultation", action="read", patient_id=consultation.patient_id).exists()


def test_a_practitioner_reads_but_cannot_acknowledge(client, clinic, make_user, trichologist, consultation):
    client.force_login(trichologist)
    post_edit(client, consultation, action="confirm_sign", medication_codes=["anticoagulant"])
    client.force_login(make_user(clinic, "practitioner"))
    assert client.get(reverse("consultations:detail", args=[consultation.pk])).status_code == 200
    response = client.post(reverse("consultations:acknowledge", args=[consultation.pk]), {"code": "anticoagulant", "reason": "ok"})
    assert response.status_code == 403
