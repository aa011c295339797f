"""Issue 17 at the session: the extended re-screen, numbing spray and a lidocaine allergy, a full
re-consultation after 12 months, and the 5-ARI instructions on the aftercare sheet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from anagen.procedures.models import TreatmentSession

from .conftest import session_post

pytestmark = pytest.mark.django_db


def record_url(ready):
    return reverse("procedures:record", args=[ready["appointment"].pk])


@pytest.mark.parametrize(("answer", "words"), [
    ({"breastfeeding_today": "on"}, b"Breastfeeding"),
    ({"new_bald_patch": "on"}, b"new bald patch"),
    ({"scalp_inflammation_today": "on"}, b"inflammation"),
    ({"new_condition_codes": ["chemotherapy"]}, b"oncologist"),
    ({"reaction_last_session": "on"}, b"reaction after the last session"),
    ({"planning_conception_today": "on"}, b"Planning conception"),
])
def test_each_new_re_screen_answer_blocks_the_session_until_handled(client, practitioner, ready, answer, words):
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"], **answer))
    assert response.status_code == 400 and words in response.content
    assert not TreatmentSession.objects.exists()


def test_a_new_allergy_to_an_ingredient_of_the_lot_refuses_the_session(client, practitioner, ready):
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"], new_allergy_codes=["dexpanthenol"]))
    assert response.status_code == 400 and not TreatmentSession.objects.exists()


def test_numbing_spray_is_refused_for_a_patient_allergic_to_lidocaine(client, practitioner, ready):
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"], new_allergy_codes=["lidocaine"], numbing_spray="on"))
    assert response.status_code == 400 and b"allergic to lidocaine" in response.content


def test_the_answers_are_kept_with_the_signed_session(client, practitioner, ready):
    client.force_login(practitioner)
    client.post(record_url(ready), session_post(ready["lot"]))
    session = TreatmentSession.objects.get()
    assert (session.breastfeeding_today, session.new_bald_patch, session.new_condition_codes) == (False, False, [])


def test_a_session_needs_a_re_consultation_once_the_last_is_older_than_12_months(client, practitioner, ready):
    from anagen.consultations.models import Consultation

    consultation = Consultation.objects.get(patient=ready["appointment"].patient)
    Consultation.objects.filter(pk=consultation.pk).update(consulted_on=ready["today"] - dt.timedelta(days=370))
    client.force_login(practitioner)
    response = client.post(record_url(ready), session_post(ready["lot"]))
    assert response.status_code == 400 and b"re-consultation" in response.content
    assert not TreatmentSession.objects.exists()


def test_a_formulation_with_a_5ari_puts_its_instructions_on_the_aftercare_sheet_in_english_and_hindi(
    client, practitioner, trichologist, ready, actor,
):
    from anagen.consultations.models import Consultation
    from anagen.core.formulation import Component
    from anagen.treatments.services import save_formulation

    consultation = Consultation.objects.get(patient=ready["appointment"].patient)
    save_formulation(actor, consultation, [Component("ghk_cu", Decimal("1.0"), Decimal("1")), Component("dexpanthenol", Decimal("0.5"), Decimal("50")),
                                           Component("finasteride", Decimal("0.5"), Decimal("0.5"))],
                     author=trichologist, signoff=True, consent_documented=True)
    client.force_login(practitioner)
    assert client.post(record_url(ready), session_post(ready["lot"], volume_discrepancy_reason="r")).status_code == 302
    session = TreatmentSession.objects.get()
    english = client.get(reverse("procedures:aftercare", args=[session.pk])).content.decode()
    assert "Do not donate blood for 1 month after your last finasteride dose" in english
    hindi = client.get(reverse("procedures:aftercare", args=[session.pk]) + "?lang=hi").content.decode()
    assert "रक्तदान" in hindi
    api = client.get(f"/api/v1/sessions/{session.pk}/aftercare").json()
    assert api["sections"][0]["heading"] == "Because your treatment contains finasteride"
