"""Names with invisible characters (issue 19, finding 10): what the attack stored, and what now happens."""

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse

from anagen.patients.models import Patient
from anagen.patients.names import InvalidName, clean_name

pytestmark = pytest.mark.django_db

VALID = {
    "given_name": "Ravi", "family_name": "Kulkarni", "date_of_birth": "1985-03-02", "sex": "male",
    "phone": "98200 55555", "email": "", "address": "", "emergency_contact_name": "",
    "emergency_contact_phone": "", "abha_number": "", "abha_address": "",
}


def _register(client, **names):
    return client.post(reverse("patients:create"), {**VALID, **names})


def test_a_name_of_only_a_zero_width_space_is_refused(client, receptionist):
    client.force_login(receptionist)
    response = _register(client, given_name="\u200b")
    assert response.status_code == 400
    assert "given_name" in response.context["form"].errors
    assert Patient.objects.count() == 0


def test_a_name_with_no_letter_is_refused(client, receptionist):
    client.force_login(receptionist)
    response = _register(client, given_name="-- 12 --")
    assert response.status_code == 400
    assert "at least one letter" in " ".join(response.context["form"].errors["given_name"])


def test_a_zero_width_space_inside_a_name_is_removed_so_search_finds_it(client, receptionist):
    client.force_login(receptionist)
    assert _register(client, family_name="Jo\u200bshi").status_code == 302
    assert Patient.objects.get().family_name == "Joshi"
    response = client.post(reverse("patients:list"), {"q": "Joshi"})
    assert b"Joshi" in response.content and response.context["page"].paginator.count == 1


def test_a_right_to_left_override_is_refused_so_staff_read_what_is_stored(client, receptionist):
    client.force_login(receptionist)
    response = _register(client, family_name="\u202eilotaP")
    assert response.status_code == 400
    assert "direction" in " ".join(response.context["form"].errors["family_name"])
    assert Patient.objects.count() == 0


def test_the_emergency_contact_name_follows_the_same_rules(client, receptionist):
    client.force_login(receptionist)
    response = _register(client, emergency_contact_name="Sita\u2067", emergency_contact_phone="+91 98200 44444")
    assert response.status_code == 400
    assert "emergency_contact_name" in response.context["form"].errors


def test_a_decomposed_name_is_stored_in_nfc(client, receptionist):
    client.force_login(receptionist)
    decomposed = unicodedata.normalize("NFD", "Zoë")
    assert decomposed != "Zoë"
    assert _register(client, given_name=decomposed).status_code == 302
    assert Patient.objects.get().given_name == "Zoë"


@pytest.mark.parametrize("name", ["नि\u200dशा", "ശ്\u200dരീ"])
def test_a_joiner_between_letters_of_an_indic_script_is_kept(name):
    assert clean_name(name, required=True) == name


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("  Asha   Rani ", "Asha Rani"), ("Asha\u00adRani", "AshaRani"), ("\ufeffAsha", "Asha"), ("A\u200dsha", "Asha"),
])
def test_spaces_are_collapsed_and_invisible_characters_removed(raw, cleaned):
    assert clean_name(raw, required=True) == cleaned


@pytest.mark.parametrize("raw", ["Asha\x07", "Asha\ue000", "Asha\U000e0041"])
def test_control_private_use_and_tag_characters_are_refused(raw):
    with pytest.raises(InvalidName):
        clean_name(raw, required=True)


def test_an_empty_optional_name_stays_empty():
    assert clean_name(" \u200b ", required=False) == ""
