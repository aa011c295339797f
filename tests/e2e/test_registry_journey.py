from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_doctor_signs_in_and_reaches_the_patient_list(page, sign_in, trichologist, make_patient):
    for family in ["Iyer", "Nair", "Menon"]:
        make_patient(trichologist.clinic, family_name=family)
    sign_in(trichologist.username)
    page.get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    for family in ["Iyer", "Nair", "Menon"]:
        expect(page.get_by_role("cell", name=re.compile(family))).to_be_visible()


def test_reception_registers_a_patient_correcting_a_bad_phone(page, sign_in, receptionist):
    sign_in(receptionist.username)
    page.goto("/patients/new/")
    page.get_by_label("Given name").fill("Kavya")
    page.get_by_label("Family name").fill("Deshmukh")
    page.get_by_label("Date of birth").fill("1992-08-14")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Phone", exact=True).fill("12345")
    page.get_by_role("button", name="Register patient").click()
    phone_group = page.locator(".field", has=page.get_by_label("Phone", exact=True))
    expect(phone_group).to_contain_text("Enter a valid phone number")
    page.get_by_label("Phone", exact=True).fill("98765 43210")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("heading", name=re.compile("Kavya Deshmukh"))).to_be_visible()
    expect(page.get_by_text("+91 98765 43210")).to_be_visible()


def test_live_search_narrows_the_list_as_you_type(page, sign_in, receptionist, make_patient):
    make_patient(receptionist.clinic, given_name="Zoya", family_name="Shaikh")
    make_patient(receptionist.clinic, given_name="Arjun", family_name="Reddy")
    sign_in(receptionist.username)
    page.goto("/patients/")
    page.get_by_label("Search patients").fill("shaikh")
    expect(page.get_by_role("link", name="Zoya Shaikh")).to_be_visible()
    expect(page.get_by_role("link", name="Arjun Reddy")).to_have_count(0)
