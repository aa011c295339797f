from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor, append, verify_chain
from anagen.core.errors import ImmutableRecord

from .tampering import chain_of, tamper

pytestmark = pytest.mark.django_db


def test_reading_a_patient_is_audited(client, trichologist, patient):
    client.force_login(trichologist)
    client.get(reverse("patients:detail", args=[patient.pk]))
    entry = AuditEntry.objects.filter(action="read", object_type="patient").get()
    assert (entry.user_id, entry.patient_id, entry.clinic_id) == (trichologist.pk, patient.pk, trichologist.clinic_id)


def test_a_list_page_audits_which_patients_it_showed(client, receptionist, patient):
    client.force_login(receptionist)
    client.get(reverse("patients:list"))
    entry = AuditEntry.objects.get(object_type="patient_list")
    assert entry.changes == {"patient_ids": [patient.pk]}


def test_creating_a_patient_is_audited_with_its_values(patient):
    entry = AuditEntry.objects.get(action="create", patient_id=patient.pk)
    assert entry.changes["given_name"] == {"old": None, "new": "Asha"}
    assert entry.changes["mrn"]["new"] == patient.mrn


def test_the_application_cannot_update_or_delete_an_entry(patient):
    entry = AuditEntry.objects.first()
    entry.username = "someone else"
    with pytest.raises(ImmutableRecord):
        entry.save()
    with pytest.raises(ImmutableRecord):
        entry.delete()
    with pytest.raises(ImmutableRecord):
        AuditEntry.objects.all().update(username="x")
    with pytest.raises(ImmutableRecord):
        AuditEntry.objects.all().delete()


def test_the_database_itself_refuses_an_update(patient):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET username = 'x'")



def test_verify_passes_an_intact_chain(db):
    chain_of(5)
    result = verify_chain()
    assert result.ok and result.entries_checked == 5


def test_verify_names_an_edited_entry(db):
    chain_of(5)
    tamper("UPDATE audit_auditentry SET username = 'nobody' WHERE seq = 3")
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "edited" in result.problem


def test_verify_names_the_entry_after_a_deleted_one(db):
    chain_of(5)
    tamper("DELETE FROM audit_auditentry WHERE seq = 2")
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "missing" in result.problem


def test_verify_notices_the_last_entries_were_deleted(db):
    chain_of(5)
    tamper("DELETE FROM audit_auditentry WHERE seq >= 4")
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 4)


def test_verify_names_a_reordered_entry(db):
    chain_of(5)
    # Swap entries 2 and 4 wholesale (sequence numbers stay in place): the links no longer meet.
    tamper("UPDATE audit_auditentry SET seq = 1000 WHERE seq = 2")
    tamper("UPDATE audit_auditentry SET seq = 2 WHERE seq = 4")
    tamper("UPDATE audit_auditentry SET seq = 4 WHERE seq = 1000")
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, 2)


def test_an_admin_browses_the_trail_by_patient_and_by_user(client, admin_user, trichologist, patient, make_patient):
    other = make_patient(admin_user.clinic, given_name="Other")
    client.force_login(trichologist)
    client.get(reverse("patients:detail", args=[patient.pk]))
    client.get(reverse("patients:detail", args=[other.pk]))
    client.force_login(admin_user)
    by_patient = client.get(reverse("audit:trail"), {"patient": patient.pk})
    assert {e.patient_id for e in by_patient.context["page"].object_list} == {patient.pk}
    by_user = client.get(reverse("audit:trail"), {"person": trichologist.pk})
    assert {e.user_id for e in by_user.context["page"].object_list} == {trichologist.pk}
    assert len(by_user.context["page"].object_list) == 2


def test_the_trail_shows_only_the_admins_own_clinic(client, admin_user, other_admin, other_clinic, make_patient):
    make_patient(other_clinic)
    client.force_login(admin_user)
    response = client.get(reverse("audit:trail"))
    assert all(e.clinic_id == admin_user.clinic_id for e in response.context["page"].object_list)
    assert not any(e.clinic_id == other_clinic.pk for e in response.context["page"].object_list)


def test_a_write_marks_the_patient_and_a_read_does_not(db, clinic, patient):
    from anagen.audit.models import PatientWriteMark
    from anagen.audit.services import record_read

    actor = Actor(user_id=None, username="t", clinic_id=clinic.pk, ip_address=None)
    written = append(actor, "update", object_type="patient", object_id=patient.pk, patient_id=patient.pk)
    record_read(actor, "patient", patient.pk, patient.pk)
    append(actor, "export", object_type="patient", object_id=patient.pk, patient_id=patient.pk)
    mark = PatientWriteMark.objects.get(pk=patient.pk)
    assert (mark.seq, mark.clinic_id) == (written.seq, clinic.pk)
    # A system actor without a clinic (the retention purge) still marks the patient's own clinic,
    # which the caller names (the audit app does not read the registry).
    purge = append(Actor.system("purge"), "update", object_type="patient", object_id=patient.pk, patient_id=patient.pk,
                   patient_clinic_id=clinic.pk)
    mark.refresh_from_db()
    assert (mark.seq, mark.clinic_id) == (purge.seq, clinic.pk)
    with pytest.raises(ValueError, match="patient_clinic_id"):
        append(Actor.system("purge"), "update", object_type="patient", object_id=patient.pk, patient_id=patient.pk)
