"""Issue 17 in the formulation builder and the API: dose caps refused, one 5-ARI, the patient's
context from the consultation, the trichologist's written override and acknowledgement, ready-made
products checked against allergies through their ingredient lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from anagen.treatments.models import Formulation

from .test_formulation import rows

pytestmark = pytest.mark.django_db


def _consult(patient, trichologist, **values):
    from anagen.audit.services import Actor
    from anagen.consultations.services import (
        acknowledge_caution,
        save_draft,
        sign_consultation,
        start_consultation,
    )

    actor = Actor.system("test", patient.clinic_id)
    consultation = start_consultation(actor, patient, trichologist, dt.date.today())
    save_draft(actor, consultation, {"presenting_complaint": "Thinning", "diagnosis_primary": "androgenetic_alopecia", **values},
               measurements=None, labs={}, expected_version=None)
    signed = sign_consultation(actor, consultation, trichologist)
    for finding in signed.screening["findings"]:
        if finding["severity"] == "caution":
            acknowledge_caution(actor, signed, finding["code"], "Considered", trichologist)
    return signed


def test_four_millilitres_of_minoxidil_at_5_mg_per_ml_is_refused_naming_the_ingredient(client, trichologist, patient):
    _consult(patient, trichologist)
    client.force_login(trichologist)
    response = client.post(reverse("treatments:formulation_new", args=[patient.pk]),
                           rows(("minoxidil", "4", "5"), signoff=True, consent=True))
    assert response.status_code == 400 and b"Minoxidil 20 mg per session" in response.content
    assert not Formulation.objects.exists()


def test_a_5ari_for_a_woman_able_to_become_pregnant_needs_contraception_and_a_recent_negative_test(client, trichologist, patient):
    today = dt.date.today()
    _consult(patient, trichologist, able_to_become_pregnant=True, contraception_documented_on=today - dt.timedelta(days=30))
    client.force_login(trichologist)
    refused = client.post(reverse("treatments:formulation_new", args=[patient.pk]),
                          rows(("finasteride", "0.5", "0.5"), signoff=True, consent=True))
    assert refused.status_code == 400 and b"negative pregnancy test" in refused.content
    _consult(patient, trichologist, able_to_become_pregnant=True, contraception_documented_on=today - dt.timedelta(days=30),
             negative_pregnancy_test_on=today - dt.timedelta(days=2))
    saved = client.post(reverse("treatments:formulation_new", args=[patient.pk]), rows(("finasteride", "0.5", "0.5"), signoff=True, consent=True))
    assert saved.status_code == 302


def test_a_5ari_for_telogen_effluvium_is_saved_only_with_the_trichologists_written_reason(client, trichologist, make_patient, clinic):
    man = make_patient(clinic, sex="male")
    _consult(man, trichologist, diagnosis_primary="telogen_effluvium")
    client.force_login(trichologist)
    url = reverse("treatments:formulation_new", args=[man.pk])
    refused = client.post(url, rows(("dutasteride", "0.5", "0.1"), signoff=True, consent=True))
    assert refused.status_code == 400 and b"telogen effluvium" in refused.content
    data = {**rows(("dutasteride", "0.5", "0.1"), signoff=True, consent=True), "te_override_reason": "Pattern loss beneath the effluvium"}
    assert client.post(url, data).status_code == 302
    formulation = Formulation.objects.get(patient=man)
    assert any("Pattern loss beneath the effluvium" in w["message"] for w in formulation.warnings)


def test_minoxidil_with_low_blood_pressure_needs_an_acknowledgement(client, trichologist, patient):
    _consult(patient, trichologist, condition_codes=["low_blood_pressure"])
    client.force_login(trichologist)
    url = reverse("treatments:formulation_new", args=[patient.pk])
    assert client.post(url, rows(("minoxidil", "0.5", "5"), signoff=True, consent=True)).status_code == 400
    data = {**rows(("minoxidil", "0.5", "5"), signoff=True, consent=True), "caution_reason": "BP 128/84 today; physician agrees"}
    assert client.post(url, data).status_code == 302


def test_a_named_ready_made_product_holding_an_allergen_is_refused_through_the_api(client, trichologist, patient):
    from anagen.catalog.models import Product

    _consult(patient, trichologist, allergy_ingredients=["biotin"])
    cocktail = Product.objects.create(clinic=patient.clinic, name="Vital cocktail", vial_type="multi_dose", vial_volume_ml=Decimal("5"))
    cocktail.components.create(ingredient_code="biotin", concentration=Decimal("0.5"), concentration_unit="mg/mL")
    client.force_login(trichologist)
    body = {"patient_id": patient.pk, "components": [{"ingredient": "zinc", "volume_ml": "1", "concentration": "0.1"}],
            "product_ids": [cocktail.pk]}
    response = client.post("/api/v1/formulations", body, content_type="application/json")
    assert response.status_code in (400, 422) and b"Biotin (vitamin B7), which the patient is allergic to" in response.content
    assert not Formulation.objects.exists()


def test_a_product_of_another_clinic_cannot_be_named(client, trichologist, patient, other_clinic):
    from anagen.catalog.models import Product

    _consult(patient, trichologist)
    theirs = Product.objects.create(clinic=other_clinic, name="Theirs", vial_type="multi_dose", vial_volume_ml=Decimal("5"))
    client.force_login(trichologist)
    body = {"patient_id": patient.pk, "components": [{"ingredient": "zinc", "volume_ml": "1", "concentration": "0.1"}],
            "product_ids": [theirs.pk]}
    response = client.post("/api/v1/formulations", body, content_type="application/json")
    assert response.status_code in (400, 422) and not Formulation.objects.exists()


def test_the_api_saves_named_products_and_two_5aris_are_refused(client, trichologist, make_patient, clinic):
    from anagen.catalog.models import Product

    man = make_patient(clinic, sex="male")
    _consult(man, trichologist)
    serum = Product.objects.create(clinic=clinic, name="Zinc serum", vial_type="single_dose", vial_volume_ml=Decimal("2"))
    serum.components.create(ingredient_code="zinc", concentration=Decimal("0.1"), concentration_unit="mg/mL")
    client.force_login(trichologist)
    body = {"patient_id": man.pk, "components": [{"ingredient": "zinc", "volume_ml": "1", "concentration": "0.1"}], "product_ids": [serum.pk]}
    created = client.post("/api/v1/formulations", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["product_ids"] == [serum.pk]
    both = {"patient_id": man.pk, "signoff": True, "consent_documented": True, "components": [
        {"ingredient": "dutasteride", "volume_ml": "0.5", "concentration": "0.1"},
        {"ingredient": "finasteride", "volume_ml": "0.5", "concentration": "0.5"}]}
    refused = client.post("/api/v1/formulations", both, content_type="application/json")
    assert refused.status_code in (400, 422) and b"one 5-alpha-reductase inhibitor" in refused.content
