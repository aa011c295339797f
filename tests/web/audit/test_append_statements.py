"""The audit append is written out as three short statements under the chain-head lock (read the
head, insert the entries, move the head) instead of being built by the ORM on every audited page;
what it stores must be exactly what the ORM stored, and the chain must verify."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anagen.audit import keys
from anagen.audit.chain import entry_hash
from anagen.audit.models import AuditChainHead, AuditEntry
from anagen.audit.services import Actor, append, record_reads, verify_chain

pytestmark = pytest.mark.django_db

ACTOR = Actor(user_id=7, username="Renée", clinic_id=3, ip_address="2001:db8::1")


def test_an_appended_entry_is_stored_as_given_and_its_hash_recomputes(db):
    changes = {"given_name": {"old": None, "new": "Aša"}, "count": {"old": "1", "new": "2"}}
    returned = append(ACTOR, "update", object_type="patient", object_id=42, patient_id=42, changes=changes)
    stored = AuditEntry.objects.get(pk=returned.pk)
    assert (stored.seq, stored.username, stored.object_id, stored.patient_id, stored.ip_address, stored.changes) == (
        returned.seq, "Renée", "42", 42, "2001:db8::1", changes)
    assert stored.at == returned.at and stored.at.tzinfo is not None
    assert stored.at.astimezone(UTC).microsecond == returned.at.astimezone(UTC).microsecond
    assert stored.entry_hash == entry_hash(
        seq=stored.seq, at=stored.at, clinic_id=stored.clinic_id, user_id=stored.user_id, username=stored.username,
        action=stored.action, object_type=stored.object_type, object_id=stored.object_id, patient_id=stored.patient_id,
        changes=stored.changes, ip_address=stored.ip_address, prev_hash=stored.prev_hash,
        key_id=stored.key_id, key=keys.get(stored.key_id).entry_key)
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.last_hash) == (stored.seq, stored.entry_hash)


def test_an_entry_with_no_actor_address_or_clinic_stores_nulls(db):
    entry = append(Actor.system("seed"), "read", object_type="report", object_id="x", patient_id=None)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.clinic_id, stored.user_id, stored.ip_address, stored.patient_id, stored.changes) == (None, None, None, None, {})


def test_many_reads_at_once_are_chained_in_order_across_several_inserts(db):
    append(ACTOR, "read", object_type="patient", object_id=1, patient_id=1)
    items = [(n, n % 5 or None) for n in range(150)]  # more rows than one insert statement takes
    entries = record_reads(ACTOR, "treatment_session", items)
    stored = list(AuditEntry.objects.filter(object_type="treatment_session").order_by("seq"))
    assert [(e.object_id, e.patient_id) for e in stored] == [(str(n), p) for n, p in items]
    assert [e.entry_hash for e in stored] == [e.entry_hash for e in entries]
    assert verify_chain().ok and verify_chain().entries_checked == 151


def test_an_append_is_the_head_read_the_insert_and_the_head_update(db):
    append(ACTOR, "read", object_type="patient", object_id=1, patient_id=1)
    with CaptureQueriesContext(connection) as queries:
        append(ACTOR, "read", object_type="patient", object_id=2, patient_id=2)
    statements = [q["sql"].split()[0].upper() for q in queries]
    assert [s for s in statements if s not in {"SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"}] == ["SELECT", "INSERT", "UPDATE"]


def test_the_head_is_recreated_if_it_is_missing(db):
    AuditChainHead.objects.all().delete()
    append(ACTOR, "read", object_type="patient", object_id=1, patient_id=1)
    append(ACTOR, "read", object_type="patient", object_id=2, patient_id=2)
    assert AuditChainHead.objects.get(pk=1).seq == 2
    assert verify_chain().ok
