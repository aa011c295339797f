"""A patient's "who opened my record" shows the lists and exports that showed them among others
(issue 19, finding 3): the attack exported the registry CSV and opened list and search pages, and
the patient saw none of it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.audit.models import AuditEntry, AuditPatientRef
from anagen.audit.services import BULK_BATCH, Actor, record_bulk_read, verify_chain

pytestmark = pytest.mark.django_db


def _log(client, patient_user):
    client.force_login(patient_user)
    return client.get(reverse("portal:access_log")).context["rows"]


def test_the_registry_export_shows_in_every_listed_patients_access_log(client, patient, patient_user, other_patient, admin_user):
    staff = client.__class__()
    staff.force_login(admin_user)
    assert staff.get(reverse("interop:registry_export")).status_code == 200
    rows = _log(client, patient_user)
    exported = [r for r in rows if r.action == "downloaded or exported"]
    assert exported and exported[0].who == admin_user.get_full_name() and exported[0].role == "Clinic admin" and "with you in it" in exported[0].what
    assert set(AuditPatientRef.objects.filter(patient_id__in=[patient.pk, other_patient.pk]).values_list("patient_id", flat=True)) == {
        patient.pk, other_patient.pk}


def test_a_search_page_that_showed_the_patient_is_in_their_log_and_one_that_did_not_is_not(client, patient, patient_user, other_patient,
                                                                                          receptionist):
    staff = client.__class__()
    staff.force_login(receptionist)
    staff.post(reverse("patients:list"), {"q": patient.family_name})
    staff.post(reverse("patients:list"), {"q": other_patient.family_name})
    rows = [r for r in _log(client, patient_user) if r.who == receptionist.get_full_name() and r.action == "opened"]
    assert len(rows) == 1 and rows[0].what == "a list of patients, with you in it"


def test_a_large_export_is_written_in_batches_each_naming_its_patients(clinic, patient):
    actor = Actor.system("test", clinic.pk)
    ids = [patient.pk, *range(10_000, 10_000 + BULK_BATCH + 10)]
    entries = record_bulk_read(actor, "patient_registry", clinic.pk, ids, action="export")
    assert len(entries) == 2
    assert [len(e.changes["patient_ids"]) for e in entries] == [BULK_BATCH, 11]
    assert AuditPatientRef.objects.filter(entry_seq__in=[e.seq for e in entries]).count() == len(ids)
    assert verify_chain().ok


def test_verify_notices_an_index_row_removed_to_hide_a_read_from_the_patient(clinic, patient):
    from django.db import connection

    record_bulk_read(Actor.system("test", clinic.pk), "patient_list", "page", [patient.pk])
    entry = AuditEntry.objects.latest("seq")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditpatientref WHERE patient_id = %s", [patient.pk])
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, entry.seq)
    assert "index" in result.problem
