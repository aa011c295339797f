from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.core.errors import ImmutableRecord
from anagen.treatments.models import Formulation

pytestmark = pytest.mark.django_db


def rows(*components, signoff=False, consent=False, action="save"):
    data = {"c-TOTAL_FORMS": str(len(components)), "c-INITIAL_FORMS": "0", "action": action}
    for index, (ingredient, volume, concentration) in enumerate(components):
        data.update({f"c-{index}-ingredient": ingredient, f"c-{index}-volume_ml": volume, f"c-{index}-concentration": concentration})
    if signoff:
        data["signoff"] = "on"
    if consent:
        data["consent_documented"] = "on"
    return data


def test_the_builder_starts_from_the_diagnosis_template_without_the_allergen(client, trichologist, patient, signed_consultation):
    client.force_login(trichologist)
    response = client.get(reverse("treatments:formulation_new", args=[patient.pk]))
    assert response.status_code == 200
    ingredients = [f.initial.get("ingredient") for f in response.context["formset"].forms]
    assert "ghk_cu" in ingredients and "biotin" not in ingredients
    assert "Biotin (vitamin B7) left out: allergy." in response.context["template_notes"]


def test_an_allergy_conflict_cannot_be_saved(client, trichologist, patient, signed_consultation):
    client.force_login(trichologist)
    response = client.post(reverse("treatments:formulation_new", args=[patient.pk]), rows(("biotin", "0.5", "0.5")))
    assert response.status_code == 400
    assert b"allergic to Biotin" in response.content
    assert not Formulation.objects.exists()


def test_a_total_over_the_protocol_limit_cannot_be_saved(client, trichologist, patient, signed_consultation):
    client.force_login(trichologist)
    response = client.post(reverse("treatments:formulation_new", args=[patient.pk]), rows(("ghk_cu", "2.5", "1"), ("dexpanthenol", "2", "50")))
    assert response.status_code == 400
    assert not Formulation.objects.exists()


def test_a_drug_component_needs_the_trichologists_signoff_and_documented_consent(client, trichologist, patient, signed_consultation):
    client.force_login(trichologist)
    url = reverse("treatments:formulation_new", args=[patient.pk])
    assert client.post(url, rows(("minoxidil", "0.5", "5"))).status_code == 400
    assert client.post(url, rows(("minoxidil", "0.5", "5"), signoff=True)).status_code == 400
    response = client.post(url, rows(("minoxidil", "0.5", "5"), signoff=True, consent=True))
    assert response.status_code == 302
    formulation = Formulation.objects.get()
    assert formulation.drug_signoff_by == trichologist and formulation.drug_consent_documented
    assert any(w["code"] == "off_label_drug" for w in formulation.warnings)


def test_a_valid_formulation_is_saved_with_its_components_and_audited(client, trichologist, patient, signed_consultation):
    client.force_login(trichologist)
    response = client.post(reverse("treatments:formulation_new", args=[patient.pk]), rows(("ghk_cu", "0.5", "1"), ("niacinamide", "0.4", "20")))
    assert response.status_code == 302
    formulation = Formulation.objects.get()
    assert [c.ingredient for c in formulation.components.all()] == ["ghk_cu", "niacinamide"]
    assert formulation.total_volume_ml == Decimal("0.9")
    assert AuditEntry.objects.filter(object_type="formulation", action="create", patient_id=patient.pk).exists()


def test_a_saved_formulation_is_never_changed(formulation):
    formulation.notes = "edit"
    with pytest.raises(ImmutableRecord):
        formulation.save()


def test_the_check_panel_shows_the_core_checks_live(client, trichologist, patient, signed_consultation):
    client.force_login(trichologist)
    response = client.post(reverse("treatments:formulation_check", args=[patient.pk]), rows(("ghk_cu", "0.5", "1"), ("ghk_cu", "0.5", "1")))
    assert b"already appears" in response.content
    assert not Formulation.objects.exists()


def test_no_formulation_without_a_signed_consultation(client, trichologist, patient):
    client.force_login(trichologist)
    response = client.get(reverse("treatments:formulation_new", args=[patient.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["practitioner", "reception", "clinic_admin"])
def test_only_a_trichologist_builds_a_formulation(client, clinic, make_user, patient, signed_consultation, role):
    client.force_login(make_user(clinic, role))
    assert client.get(reverse("treatments:formulation_new", args=[patient.pk])).status_code == 403


def test_another_clinic_gets_404_for_a_formulation(client, other_clinic, make_user, formulation):
    client.force_login(make_user(other_clinic, "trichologist"))
    assert client.get(reverse("treatments:formulation", args=[formulation.pk])).status_code == 404


def test_reception_cannot_read_a_formulation(client, receptionist, formulation):
    client.force_login(receptionist)
    assert client.get(reverse("treatments:formulation", args=[formulation.pk])).status_code == 403
