"""Texts are versioned and never edited; signed records and their history are never changed."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.audit.services import verify_chain
from anagen.consents.models import ConsentEvent, ConsentRecord, ConsentText
from anagen.core.errors import ImmutableRecord

pytestmark = pytest.mark.django_db


def test_the_clinic_admin_publishes_a_new_version_instead_of_editing(client, admin_user, treatment_text):
    client.force_login(admin_user)
    form = client.get(reverse("consents:text_publish"), {"purpose": "treatment", "language": "en"})
    assert form.context["form"].initial["body"] == treatment_text.body
    response = client.post(
        reverse("consents:text_publish"),
        {"purpose": "treatment", "language": "en", "title": "Mesotherapy", "body": "New risks section.", "requires_reconsent": "on"},
    )
    v2 = ConsentText.objects.get(version=2)
    assert response.status_code == 302 and response["Location"] == reverse("consents:text_detail", args=[v2.pk])
    assert (v2.body, v2.requires_reconsent, v2.created_by) == ("New risks section.", True, admin_user)
    treatment_text.refresh_from_db()
    assert treatment_text.body == "The treatment text the patient reads."
    entry = AuditEntry.objects.get(object_type="consent_text", object_id=str(v2.pk))
    assert (entry.action, entry.user_id, entry.changes["version"]["new"]) == ("create", admin_user.pk, "2")


def test_publishing_refuses_an_empty_text_next_to_the_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("consents:text_publish"), {"purpose": "treatment", "language": "en", "title": "T", "body": ""})
    assert response.status_code == 400 and "body" in response.context["form"].errors
    assert ConsentText.objects.count() == 0


def test_versions_count_up_per_purpose_and_language(publish, other_clinic):
    versions = [publish("treatment").version, publish("treatment").version, publish("treatment", language="hi").version, publish("reminders").version, publish("treatment", clinic=other_clinic).version]
    assert versions == [1, 2, 1, 1, 1]


def test_two_texts_cannot_share_a_version_number(treatment_text):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentText.objects.create(clinic=treatment_text.clinic, purpose="treatment", language="en", version=1, title="x", body="y", published_at=timezone.now())


def test_published_texts_cannot_be_changed_through_the_orm(treatment_text):
    treatment_text.body = "Quietly edited."
    with pytest.raises(ImmutableRecord):
        treatment_text.save()
    with pytest.raises(ImmutableRecord):
        ConsentText.objects.filter(pk=treatment_text.pk).update(body="Quietly edited.")
    with pytest.raises(ImmutableRecord):
        treatment_text.delete()


def test_signed_records_and_events_cannot_be_changed_or_deleted_through_the_orm(patient, treatment_text, sign):
    record = sign(patient, treatment_text)
    record.typed_name = "Someone else"
    with pytest.raises(ImmutableRecord):
        record.save()
    with pytest.raises(ImmutableRecord):
        ConsentRecord.objects.filter(pk=record.pk).update(typed_name="Someone else")
    with pytest.raises(ImmutableRecord):
        ConsentRecord.objects.bulk_update([record], ["typed_name"])
    with pytest.raises(ImmutableRecord):
        record.delete()
    with pytest.raises(ImmutableRecord):
        ConsentRecord.objects.all().delete()
    event = record.events.get()
    event.kind = "withdrawn"
    with pytest.raises(ImmutableRecord):
        event.save()
    with pytest.raises(ImmutableRecord):
        ConsentEvent.objects.filter(record=record).update(kind="withdrawn")
    with pytest.raises(ImmutableRecord):
        ConsentEvent.objects.filter(record=record).delete()
    fresh = ConsentRecord.objects.get(pk=record.pk)
    assert fresh.typed_name == "Asha Patil" and fresh.events.get().kind == "granted"


@pytest.mark.parametrize("table", ["consents_consentrecord", "consents_consentevent", "consents_consenttext"])
def test_the_database_refuses_an_update_that_bypasses_the_orm(patient, treatment_text, sign, table):
    sign(patient, treatment_text)
    column = {"consents_consentrecord": "typed_name", "consents_consentevent": "reason", "consents_consenttext": "body"}[table]
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = 'edited'")


def test_signing_and_withdrawing_are_audited_and_the_chain_holds(client, receptionist, patient, treatment_text, sign):
    record = sign(patient, treatment_text)
    client.force_login(receptionist)
    client.get(reverse("consents:patient", args=[patient.pk]))
    client.post(reverse("consents:withdraw", args=[record.pk]), {"reason": "Travelling abroad for a year."})
    created = AuditEntry.objects.get(action="create", object_type="consent")
    assert (created.object_id, created.patient_id) == (str(record.pk), patient.pk)
    assert created.changes["text_version"]["new"] == "1"
    assert created.changes["method"]["new"] == "typed"
    assert created.changes["witness_id"]["new"] == str(record.witness_id)
    updated = AuditEntry.objects.get(action="update", object_type="consent")
    assert (updated.user_id, updated.patient_id) == (receptionist.pk, patient.pk)
    assert updated.changes["status"] == {"old": "granted", "new": "withdrawn"}
    assert updated.changes["reason"]["new"] == "Travelling abroad for a year."
    read = AuditEntry.objects.get(action="read", object_type="patient_consents")
    assert (read.user_id, read.patient_id) == (receptionist.pk, patient.pk)
    assert verify_chain().ok
