"""The append-only, hash-chained audit trail of every read and change of patient data."""

from __future__ import annotations

from typing import Any

from django.db import models

from anagen.core.errors import ImmutableRecord


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecord("audit entries cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord("audit entries cannot be deleted")

    # bulk_create would bypass the chain: entries are only ever appended by anagen.audit.services.
    def bulk_create(self, *args: Any, **kwargs: Any) -> list[Any]:
        raise ImmutableRecord("audit entries are appended one at a time through audit.services")


class Action(models.TextChoices):
    READ = "read", "Read"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Export"


class AuditEntry(models.Model):
    # seq is the chain order; ids are not, since PostgreSQL sequences may skip or interleave.
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    clinic_id = models.BigIntegerField(null=True, db_index=True)
    user_id = models.BigIntegerField(null=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    # Plain ids, not foreign keys: the trail must outlive any record it speaks of.
    patient_id = models.BigIntegerField(null=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    # Text, not GenericIPAddressField: that one rewrites IPv6 on save, which would break the hash.
    ip_address = models.CharField(max_length=45, null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    # The audit key (anagen.audit.keys) whose HMAC made entry_hash; null for the plain SHA-256
    # entries written before the trail was keyed. Nullable so adding it is a plain ADD COLUMN:
    # SQLite would otherwise rebuild the table (and drop its append-only trigger).
    key_id = models.CharField(max_length=16, null=True, blank=True)
    entry_hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["clinic_id", "patient_id", "seq"], name="audit_clinic_patient"),
            models.Index(fields=["clinic_id", "user_id", "seq"], name="audit_clinic_user"),
            # The unfiltered trail: one clinic's entries, newest first (docs/performance.md).
            models.Index(fields=["clinic_id", "seq"], name="audit_clinic_seq"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord("audit entries cannot be deleted")


class AuditChainHead(models.Model):
    """One row: the last sequence number and hash. Appends lock it, so the chain stays ordered."""

    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class PatientWriteMark(models.Model):
    """The newest write to each patient's record: the ``seq`` of its last create, update or delete
    entry, kept by ``audit.services.append`` in the same transaction as the entry.

    Summaries built from a patient's record (``anagen.outcomes``: the non-responder flag, course
    outcomes) store the ``seq`` they were built from; a larger mark means they are out of date,
    whichever app wrote. Every write to a patient's record is audited, so nothing escapes it.
    Appends take the chain-head lock until they commit, so marks become visible in ``seq`` order:
    a reader that sees mark N has seen every mark below N.
    """

    patient_id = models.BigIntegerField(primary_key=True)
    clinic_id = models.BigIntegerField(null=True)
    seq = models.PositiveBigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["clinic_id", "seq"], name="writemark_clinic_seq")]

    def __str__(self) -> str:
        return f"patient {self.patient_id} last written at entry {self.seq}"


class CheckpointDelivery(models.Model):
    """A signed checkpoint on its way to an address outside this server (email or webhook), sent by
    ``anagen worker``. The checkpoint line itself is signed: a delivery row edited in the
    database only makes the receiver's signature check fail."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=500)
    checkpoint = models.TextField()
    status = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="checkpoint_delivery_due")]


class AuditPatientRef(models.Model):
    """Each patient an entry names in ``changes["patient_ids"]`` (a list page, a dashboard, the
    registry export), one row per patient, written with the entry under the chain lock.

    Derived from the entries (which the chain protects) so that a patient's own access log finds
    the bulk reads that showed them by an index, not by reading every list entry; ``anagen audit
    verify`` checks that the rows match the entries (issue 19, finding 3)."""

    entry_seq = models.PositiveBigIntegerField()
    clinic_id = models.BigIntegerField(null=True)
    patient_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry_seq", "patient_id"], name="audit_patient_ref_once")]
        indexes = [models.Index(fields=["clinic_id", "patient_id", "entry_seq"], name="audit_ref_clinic_patient")]
