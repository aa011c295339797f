"""Appending to and verifying the audit trail.

Appends take a lock on the single chain-head row (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the
database's one writer, taken at BEGIN IMMEDIATE), so the critical section is one small read and two
small writes with no rendering or network inside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from anagen.audit.chain import GENESIS_HASH, entry_hash
from anagen.audit.models import Action, AuditChainHead, AuditEntry, PatientWriteMark
from anagen.core.errors import NotFound


@dataclass(frozen=True)
class Actor:
    """Who did something and from where: what every audited service needs from a request."""

    user_id: int | None
    username: str
    clinic_id: int | None
    ip_address: str | None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user = request.user
        return cls(
            user_id=user.pk if user.is_authenticated else None,
            username=user.get_username() if user.is_authenticated else "",
            clinic_id=getattr(user, "clinic_id", None),
            ip_address=client_ip(request),
        )

    @classmethod
    def system(cls, name: str, clinic_id: int | None = None) -> Actor:
        """A command-line or background actor, e.g. ``seed`` or ``import``."""
        return cls(user_id=None, username=name, clinic_id=clinic_id, ip_address=None)


def client_ip(request: HttpRequest) -> str | None:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _plain(value: Any) -> Any:
    """Values in ``changes`` are stored as text so their hash survives any database round trip."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, date | datetime | Decimal | int | float):
        return value.isoformat() if isinstance(value, date | datetime) else str(value)
    return str(value)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields whose value changed, as ``{field: {"old": ..., "new": ...}}``."""
    changed: dict[str, dict[str, Any]] = {}
    for field in sorted(set(before) | set(after)):
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old != new:
            changed[field] = {"old": old, "new": new}
    return changed


def snapshot_created(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {field: {"old": None, "new": _plain(value)} for field, value in sorted(values.items()) if value not in (None, "")}


def lock_chain() -> AuditChainHead:
    """Lock the chain head until the caller's transaction ends; call inside ``transaction.atomic``.

    Appends take this lock; a service that also locks its own rows and then appends (stock
    movements lock their lot) takes it first, so every transaction locks in the same order, chain
    head first, and two of them can never wait on each other.
    """
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def append(
    actor: Actor,
    action: str,
    *,
    object_type: str,
    object_id: object,
    patient_id: int | None,
    changes: Mapping[str, Any] | None = None,
    patient_clinic_id: int | None = None,
) -> AuditEntry:
    """Append one entry. ``patient_clinic_id`` is the patient's clinic when the actor has none (a
    system actor such as the retention purge): it keeps the patient's write mark in their clinic."""
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    connection = connections[router.db_for_write(AuditEntry)]
    with transaction.atomic(using=connection.alias):
        seq, prev_hash = _locked_head(connection)
        seq += 1
        fields: dict[str, Any] = {
            "seq": seq,
            "at": timezone.now(),
            "clinic_id": actor.clinic_id,
            "user_id": actor.user_id,
            "username": actor.username,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "patient_id": patient_id,
            "changes": {k: v for k, v in (changes or {}).items()},
            "ip_address": actor.ip_address,
            "prev_hash": prev_hash,
        }
        entry = AuditEntry(entry_hash=entry_hash(**fields), **fields)
        entry.pk = _insert_entries(connection, [entry])
        _move_head(connection, seq, entry.entry_hash)
        if patient_id is not None and action in WRITES:
            clinic_id = actor.clinic_id if actor.clinic_id is not None else patient_clinic_id
            if clinic_id is None:
                raise ValueError("a write to a patient's record by an actor without a clinic needs patient_clinic_id")
            _mark_patient_written(patient_id, clinic_id, seq)
    entry._state.adding, entry._state.db = False, connection.alias
    return entry


# The append's statements, written out: every audited page runs them, and through the ORM building
# them cost more than the database took to run them (docs/performance.md). The values go through
# the model fields' own adaptation, so what is stored (and hashed) is what the ORM would store.
_ENTRY_FIELDS = tuple(AuditEntry._meta.get_field(name) for name in (
    "seq", "at", "clinic_id", "user_id", "username", "action", "object_type", "object_id", "patient_id",
    "changes", "ip_address", "prev_hash", "entry_hash"))
_ROWS_PER_INSERT = 60  # 13 values a row: far below every backend's limit on parameters


def _locked_head(connection: Any) -> tuple[int, str]:
    """The chain head's sequence number and hash, locked until the transaction ends (PostgreSQL:
    FOR UPDATE; SQLite: the write lock its BEGIN IMMEDIATE took)."""
    quote = connection.ops.quote_name
    sql = (f"SELECT {quote('seq')}, {quote('last_hash')} FROM {quote(AuditChainHead._meta.db_table)} WHERE "
           f"{quote('id')} = 1{' FOR UPDATE' if connection.features.has_select_for_update else ''}")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None:  # a database emptied by a test's flush (a migration creates the row)
        head = lock_chain()
        return head.seq, head.last_hash
    return int(row[0]), row[1]


def _move_head(connection: Any, seq: int, last_hash: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(AuditChainHead._meta.db_table)} SET {quote('seq')} = %s, {quote('last_hash')} = %s "
                       f"WHERE {quote('id')} = 1", [seq, last_hash])


def _insert_entries(connection: Any, entries: Sequence[AuditEntry]) -> int | None:
    """Inserts the entries in order; returns the id of the last one where the database says it
    (PostgreSQL, SQLite 3.35+), else None."""
    quote = connection.ops.quote_name
    table = quote(AuditEntry._meta.db_table)
    columns = ", ".join(quote(f.column) for f in _ENTRY_FIELDS)
    one_row = "(" + ", ".join(["%s"] * len(_ENTRY_FIELDS)) + ")"
    returning = connection.features.can_return_columns_from_insert
    last_id = None
    with connection.cursor() as cursor:
        for start in range(0, len(entries), _ROWS_PER_INSERT):
            chunk = entries[start:start + _ROWS_PER_INSERT]
            params = [f.get_db_prep_save(getattr(e, f.attname), connection) for e in chunk for f in _ENTRY_FIELDS]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one_row] * len(chunk))}"
            if returning and len(chunk) == 1:
                cursor.execute(sql + f" RETURNING {quote(AuditEntry._meta.pk.column)}", params)
                last_id = cursor.fetchone()[0]
            else:
                cursor.execute(sql, params)
    return last_id


WRITES = frozenset({Action.CREATE.value, Action.UPDATE.value, Action.DELETE.value})


def _mark_patient_written(patient_id: int, clinic_id: int, seq: int) -> None:
    """One upsert (INSERT ... ON CONFLICT DO UPDATE on both databases), under the chain lock."""
    PatientWriteMark.objects.bulk_create(
        [PatientWriteMark(patient_id=patient_id, clinic_id=clinic_id, seq=seq)],
        update_conflicts=True, unique_fields=["patient_id"], update_fields=["clinic_id", "seq"],
    )


def read_in_clinic(actor: Actor, clinic: Any, queryset: Any, object_id: int, object_type: str) -> Any:
    """One record of the actor's clinic, its read audited; any other clinic's id (or none) is 404.

    For models with ``clinic`` and ``patient_id``: consultations, formulations, courses, sessions.
    """
    if clinic is None:
        raise NotFound
    try:
        record = queryset.get(pk=object_id, clinic=clinic)
    except queryset.model.DoesNotExist as exc:
        raise NotFound from exc
    record_read(actor, object_type, record.pk, record.patient_id)
    return record


def record_read(actor: Actor, object_type: str, object_id: object, patient_id: int | None) -> AuditEntry:
    return append(actor, Action.READ, object_type=object_type, object_id=object_id, patient_id=patient_id)


def record_reads(actor: Actor, object_type: str, items: Sequence[tuple[object, int | None]]) -> list[AuditEntry]:
    """One read entry per ``(object_id, patient_id)``, in order, written in one critical section.

    The same entries ``record_read`` would write one by one (each chained to the previous), but the
    chain head is locked once and the rows go in with one bulk insert: a list page of 25 or 100
    records costs the same handful of queries as a page of one (docs/performance.md).
    """
    if not items:
        return []
    connection = connections[router.db_for_write(AuditEntry)]
    with transaction.atomic(using=connection.alias):
        seq, prev_hash = _locked_head(connection)
        at = timezone.now()
        entries = []
        for object_id, patient_id in items:
            seq += 1
            fields: dict[str, Any] = {
                "seq": seq,
                "at": at,
                "clinic_id": actor.clinic_id,
                "user_id": actor.user_id,
                "username": actor.username,
                "action": Action.READ.value,
                "object_type": object_type,
                "object_id": str(object_id),
                "patient_id": patient_id,
                "changes": {},
                "ip_address": actor.ip_address,
                "prev_hash": prev_hash,
            }
            prev_hash = entry_hash(**fields)
            entries.append(AuditEntry(entry_hash=prev_hash, **fields))
        # The model's manager refuses bulk_create so nothing outside this module can write entries
        # around the chain; here the entries were chained above, under the head lock.
        _insert_entries(connection, entries)
        _move_head(connection, seq, prev_hash)
    return entries


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries_checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def verify_chain() -> VerifyResult:
    """Recompute every hash in order; name the first entry that was edited, deleted or moved."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in _entries():
        count += 1
        if entry.seq != expected_seq:
            return VerifyResult(False, count, entry.seq, f"entries {expected_seq}..{entry.seq - 1} are missing (deleted)")
        if entry.prev_hash != expected_prev:
            return VerifyResult(False, count, entry.seq, "its link to the previous entry is broken (an entry was deleted or reordered)")
        recomputed = entry_hash(
            seq=entry.seq,
            at=entry.at,
            clinic_id=entry.clinic_id,
            user_id=entry.user_id,
            username=entry.username,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            patient_id=entry.patient_id,
            changes=entry.changes,
            ip_address=entry.ip_address,
            prev_hash=entry.prev_hash,
        )
        if recomputed != entry.entry_hash:
            return VerifyResult(False, count, entry.seq, "its content does not match its hash (edited)")
        expected_prev = entry.entry_hash
        expected_seq += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.last_hash != expected_prev):
        return VerifyResult(False, count, expected_seq, f"the chain head records entry {head.seq}, but the trail ends at {expected_seq - 1} (entries at the end were deleted)")
    return VerifyResult(True, count)
