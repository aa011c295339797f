"""When a consent is valid, and the guard sessions call before a treatment is performed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anagen.audit.services import Actor
from anagen.consents import services
from anagen.consents.services import ConsentMissing, State, require_valid_consent

pytestmark = pytest.mark.django_db


def test_a_new_version_alone_does_not_invalidate_earlier_consents(patient, publish, sign):
    sign(patient, publish("treatment"))
    publish("treatment", body="Clearer wording, same substance.")
    assert services.has_valid_consent(patient, "treatment")


def test_a_new_version_that_requires_reconsent_invalidates_earlier_consents(patient, publish, sign):
    sign(patient, publish("treatment"))
    before = timezone.now()
    v2 = publish("treatment", body="Adds dutasteride and its effects on pregnancy.", requires_reconsent=True)
    status = services.consent_status(patient)["treatment"]
    assert (status.state, status.superseding_text) == (State.RECONSENT_REQUIRED, v2)
    assert not services.has_valid_consent(patient, "treatment")
    # It was valid until the new version was published.
    assert services.has_valid_consent(patient, "treatment", on=before)
    sign(patient, v2)
    assert services.has_valid_consent(patient, "treatment")


def test_reconsent_applies_to_the_language_that_was_re_issued(patient, publish, sign):
    sign(patient, publish("treatment", language="hi"))
    publish("treatment", language="en")
    publish("treatment", language="en", requires_reconsent=True)
    assert services.has_valid_consent(patient, "treatment")
    publish("treatment", language="hi", requires_reconsent=True)
    assert not services.has_valid_consent(patient, "treatment")


def test_validity_can_be_asked_at_a_past_moment(patient, treatment_text, sign):
    before_signing = timezone.now() - timedelta(seconds=1)
    record = sign(patient, treatment_text)
    signed = timezone.now()
    services.withdraw_consent(Actor.system("test", patient.clinic_id), record, "Moved away.")
    assert not services.has_valid_consent(patient, "treatment", on=before_signing)
    assert services.has_valid_consent(patient, "treatment", on=signed)
    assert not services.has_valid_consent(patient, "treatment")


def test_consent_for_one_purpose_says_nothing_about_another(patient, publish, sign):
    sign(patient, publish("photographs"))
    publish("marketing_photographs")
    status = services.consent_status(patient)
    assert status["photographs"].is_valid
    assert status["marketing_photographs"].state == State.NONE
    assert status["treatment"].state == State.NONE
    assert set(status) == {"treatment", "photographs", "marketing_photographs", "reminders", "abdm_sharing"}


def test_no_session_without_a_treatment_consent(patient):
    with pytest.raises(ConsentMissing) as raised:
        require_valid_consent(patient, "treatment")
    assert raised.value.message == "Asha Patil has not signed consent for mesotherapy treatment. Record a signed consent first."
    assert raised.value.status.state == State.NONE


def test_the_guard_names_a_withdrawal_and_a_required_reconsent(patient, publish, sign):
    record = sign(patient, publish("treatment"))
    assert require_valid_consent(patient, "treatment").record == record
    services.withdraw_consent(Actor.system("test", patient.clinic_id), record, "Pregnant.")
    with pytest.raises(ConsentMissing, match=r"Asha Patil withdrew consent for mesotherapy treatment on \d+ \w{3} \d{4}"):
        require_valid_consent(patient, "treatment")
    sign(patient, publish("treatment"))
    publish("treatment", requires_reconsent=True)
    with pytest.raises(ConsentMissing, match=r"must sign the new consent text for mesotherapy treatment \(version 3\)"):
        require_valid_consent(patient, "treatment")


def test_consents_belong_to_the_patients_clinic(patient, other_clinic, publish, sign, make_user, trichologist):
    theirs = publish("treatment", clinic=other_clinic)
    with pytest.raises(services.ConsentError) as raised:
        sign(patient, theirs)
    assert raised.value.field == "text"
    outsider = make_user(other_clinic, "reception")
    with pytest.raises(services.ConsentError) as raised:
        sign(patient, publish("treatment"), witness=outsider)
    assert raised.value.field == "witness"



def test_the_demo_seed_publishes_texts_in_english_hindi_and_marathi_and_signs_consents(clinic, other_clinic, make_user, make_patient):
    from anagen.consents.models import ConsentRecord, ConsentText
    from anagen.demo.consents import seed_consents
    from anagen.demo.seed import SEEDERS, SeedContext

    assert SEEDERS.count(seed_consents) == 1
    staff = {role: make_user(clinic, r) for role, r in [("admin", "clinic_admin"), ("doctor", "trichologist"), ("nurse", "practitioner"), ("reception", "reception")]}
    patients = [make_patient(clinic, given_name=f"P{i}") for i in range(12)]
    seed_consents(SeedContext(clinic=clinic, branch=other_clinic, staff=staff, patients=patients))
    texts = ConsentText.objects.filter(clinic=clinic)
    assert {(t.purpose, t.language, t.version) for t in texts} == {(p, lang, 1) for p in services.Purpose.values for lang in ("en", "hi", "mr")}
    assert ConsentText.objects.filter(clinic=other_clinic).count() == 15
    assert all("\u0900" <= ch <= "\u097f" for t in texts.filter(language__in=("hi", "mr")) for ch in t.title if ch.isalpha())
    treatment = texts.get(purpose="treatment", language="en").body
    for risk in ["24 to 48 hours", "mycobacterial", "allergic", "patchy hair loss", "not guaranteed", "withdraw"]:
        assert risk in treatment
    with_treatment = [p for p in patients if services.has_valid_consent(p, "treatment")]
    assert len(patients) * 2 // 3 < len(with_treatment) < len(patients)
    assert all(services.has_valid_consent(p, "photographs") for p in with_treatment)
    marketing = ConsentRecord.objects.get(purpose="marketing_photographs")
    assert services.consent_status(marketing.patient)["marketing_photographs"].state == State.WITHDRAWN
