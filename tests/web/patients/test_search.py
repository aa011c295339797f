"""The patient search: the same answers whether the trigram index narrows it (SQLite's FTS5, PostgreSQL's
pg_trgm) or the clinic's rows are read (words under three characters)."""

from __future__ import annotations

import pytest

from anagen.audit.services import Actor


@pytest.fixture
def registry(clinic, make_patient):
    return {
        "asha": make_patient(clinic, given_name="Asha", family_name="Deshpande", phone="+919820012345"),
        "rahul": make_patient(clinic, given_name="Rahul", family_name="Kulkarni", phone="+919833300000"),
        "sharma": make_patient(clinic, given_name="Śarmā", family_name="Iyer", phone="+919844400000"),
    }


def found(clinic, query):
    from anagen.patients.services import search_patients

    return {p.given_name for p in search_patients(clinic, query)}


@pytest.mark.parametrize(("query", "names"), [
    ("desh", {"Asha"}),
    ("PANDE", {"Asha"}),
    ("pande asha", {"Asha"}),
    ("asha kul", set()),
    ("ulkar", {"Rahul"}),
    ("98200 12345", {"Asha"}),
    ("+91 98333 00000", {"Rahul"}),
    ("Śarmā", {"Śarmā"}),
    ("as", {"Asha"}),
    ("a", {"Asha", "Rahul", "Śarmā"}),
])
def test_it_finds_a_word_anywhere_in_a_name_or_the_digits_of_a_phone(clinic, registry, query, names):
    assert found(clinic, query) == names


def test_it_finds_a_record_number_or_its_end(clinic, registry):
    mrn = registry["rahul"].mrn
    assert found(clinic, mrn) == {"Rahul"}
    assert found(clinic, mrn.lower()) == {"Rahul"}
    assert found(clinic, mrn.split("-")[-1]) == {"Rahul"}  # the number with its leading zeros
    assert found(clinic, mrn.split("-")[-1].lstrip("0")) == {"Rahul"}


@pytest.mark.parametrize("query", ['a"b', '"', "asha OR rahul", "NEAR(asha rahul)", "asha*", "-asha", "{given_name}: asha", "^asha", "a'sh"])
def test_search_syntax_in_a_query_is_just_text(clinic, registry, query):
    assert found(clinic, query) == set()


def test_the_index_follows_edits_of_a_name(clinic, registry):
    from anagen.patients.services import update_patient

    asha = registry["asha"]
    values = {field: getattr(asha, field) for field in ("given_name", "family_name", "date_of_birth", "sex", "phone", "email", "address",
                                                        "emergency_contact_name", "emergency_contact_phone", "abha_number", "abha_address")}
    update_patient(Actor.system("test", clinic.pk), asha, {**values, "family_name": "Gokhale"}, expected_version=None)
    assert found(clinic, "gokhale") == {"Asha"}
    assert found(clinic, "deshpande") == set()


def test_another_clinic_s_patients_are_never_found(clinic, other_clinic, registry, make_patient):
    make_patient(other_clinic, given_name="Asha", family_name="Deshpande", phone="+919820012399")
    from anagen.patients.services import search_patients

    assert [p.pk for p in search_patients(clinic, "deshpande")] == [registry["asha"].pk]
