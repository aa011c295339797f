"""Appending to and verifying the audit trail.

Appends take a lock on the single chain-head row (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the
database's one writer, taken at BEGIN IMMEDIATE), so the critical section is one small read and two
small writes with no rendering or network inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.utils import load_backend
from django.http import HttpRequest
from django.utils import timezone

from anagen.audit import checkpoints, keys
from anagen.audit.chain import GENESIS_HASH, entry_hash
from anagen.audit.models import (
    Action,
    AuditChainHead,
    AuditEntry,
    AuditPatientRef,
    PatientWriteMark,
)
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


# --- page views: one entry per page naming every patient it showed ------------------------------


@dataclass
class PageView:
    """The list reads of one page being served: merged into one entry when the page is done."""

    reads: list[tuple[str, str, list[int]]] = dataclass_field(default_factory=list)  # (object type, object id, patients)

    @property
    def patient_ids(self) -> list[int]:
        return list(dict.fromkeys(pid for _, _, ids in self.reads for pid in ids))


_page_view: ContextVar[PageView | None] = ContextVar("anagen_audit_page_view", default=None)


@contextmanager
def page_view(page: Callable[[], str], actor: Callable[[], Actor]) -> Iterator[PageView]:
    """Within it, reads naming a list of patients (a list page, each panel of a dashboard) are
    gathered; at the end one entry records the page and every patient it showed (issue 19,
    finding 13: the home page wrote four). ``actor`` is asked at the end, once the request knows
    its user (an API token is read inside the view), and so is ``page``, once the URL is resolved."""
    view = PageView()
    token = _page_view.set(view)
    try:
        yield view
    finally:
        _page_view.reset(token)
        if len(view.reads) == 1:  # one list on the page: its own entry, as outside a page view
            object_type, object_id, ids = view.reads[0]
            record_bulk_read(actor(), object_type, object_id, ids)
        elif view.reads:
            record_bulk_read(actor(), "page_view", page(), view.patient_ids,
                             shown=list(dict.fromkeys(object_type for object_type, _, _ in view.reads)))


def _absorbed(action: str, object_type: str, object_id: object, patient_id: int | None, changes: Mapping[str, Any] | None) -> bool:
    view = _page_view.get()
    if view is None or action != Action.READ.value or patient_id is not None or not changes or set(changes) != {"patient_ids"}:
        return False
    view.reads.append((object_type, str(object_id), [int(pid) for pid in changes["patient_ids"]]))
    return True


def append(
    actor: Actor,
    action: str,
    *,
    object_type: str,
    object_id: object,
    patient_id: int | None,
    changes: Mapping[str, Any] | None = None,
    patient_clinic_id: int | None = None,
) -> AuditEntry | None:
    """Append one entry. ``patient_clinic_id`` is the patient's clinic when the actor has none (a
    system actor such as the retention purge): it keeps the patient's write mark in their clinic.

    A read naming a list of patients inside a page view (``page_view``) is folded into the page's
    one entry: nothing is written now and None is returned."""
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    if _absorbed(action, object_type, object_id, patient_id, changes):
        return None
    key = keys.current()  # read (or made) before the lock: no file work inside the critical section
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
            "key_id": key.key_id,
        }
        entry = AuditEntry(entry_hash=entry_hash(**fields, key=key.entry_key), **fields)
        entry.pk = _insert_entries(connection, [entry])
        _move_head(connection, seq, entry.entry_hash)
        _write_refs([entry])
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
    "changes", "ip_address", "prev_hash", "key_id", "entry_hash"))
_ROWS_PER_INSERT = 60  # 14 values a row: far below every backend's limit on parameters


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


def _named_patients(changes: Mapping[str, Any]) -> list[int]:
    ids = changes.get("patient_ids") if isinstance(changes, Mapping) else None
    if not isinstance(ids, list):
        return []
    return sorted({int(i) for i in ids if isinstance(i, int | str) and str(i).isdigit()})


def _write_refs(entries: Sequence[AuditEntry]) -> None:
    """The patients each entry names in ``patient_ids``, for the patient's access log."""
    refs = [AuditPatientRef(entry_seq=e.seq, clinic_id=e.clinic_id, patient_id=pid) for e in entries for pid in _named_patients(e.changes)]
    if refs:
        AuditPatientRef.objects.bulk_create(refs, batch_size=1000)


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


def record_read(actor: Actor, object_type: str, object_id: object, patient_id: int | None) -> AuditEntry | None:
    return append(actor, Action.READ, object_type=object_type, object_id=object_id, patient_id=patient_id)


# One entry names at most this many patients; a larger read is several entries in one transaction.
BULK_BATCH = 500


def record_bulk_read(actor: Actor, object_type: str, object_id: object, patient_ids: Sequence[int], *,
                     action: str = Action.READ.value, shown: Sequence[str] = ()) -> list[AuditEntry]:
    """A read or export that exposed many patients (a list, the registry CSV): entries naming
    them in batches of ``BULK_BATCH``, with an index row per patient so each of them sees it in
    their access log. Inside a page view, a plain list read joins the page's entry instead."""
    ids = list(dict.fromkeys(int(pid) for pid in patient_ids))
    if not ids:
        return []
    if not shown and _absorbed(action, object_type, object_id, None, {"patient_ids": ids}):
        return []
    batches = [ids[i:i + BULK_BATCH] for i in range(0, len(ids), BULK_BATCH)]
    extra: dict[str, Any] = {"shown": list(shown)} if shown else {}
    if len(batches) > 1:
        return _append_many(actor, action, object_type, [
            (f"{object_id} part {n} of {len(batches)}", None, {"patient_ids": batch, **extra}) for n, batch in enumerate(batches, start=1)])
    return _append_many(actor, action, object_type, [(object_id, None, {"patient_ids": batches[0], **extra})])


def record_reads(actor: Actor, object_type: str, items: Sequence[tuple[object, int | None]]) -> list[AuditEntry]:
    """One read entry per ``(object_id, patient_id)``, in order, written in one critical section.

    The same entries ``record_read`` would write one by one (each chained to the previous), but the
    chain head is locked once and the rows go in with one bulk insert: a list page of 25 or 100
    records costs the same handful of queries as a page of one (docs/performance.md).
    """
    return _append_many(actor, Action.READ.value, object_type, [(object_id, patient_id, {}) for object_id, patient_id in items])


def _append_many(actor: Actor, action: str, object_type: str, items: Sequence[tuple[object, int | None, Mapping[str, Any]]]) -> list[AuditEntry]:
    """Entries ``(object_id, patient_id, changes)`` of one action and type, chained in order under
    one lock, inserted in bulk with their patient index rows (reads and exports only: they mark
    no patient as written)."""
    if not items:
        return []
    key = keys.current()
    entry_key = key.entry_key
    connection = connections[router.db_for_write(AuditEntry)]
    with transaction.atomic(using=connection.alias):
        seq, prev_hash = _locked_head(connection)
        at = timezone.now()
        entries = []
        for object_id, patient_id, changes in items:
            seq += 1
            fields: dict[str, Any] = {
                "seq": seq,
                "at": at,
                "clinic_id": actor.clinic_id,
                "user_id": actor.user_id,
                "username": actor.username,
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "patient_id": patient_id,
                "changes": dict(changes),
                "ip_address": actor.ip_address,
                "prev_hash": prev_hash,
                "key_id": key.key_id,
            }
            prev_hash = entry_hash(**fields, key=entry_key)
            entries.append(AuditEntry(entry_hash=prev_hash, **fields))
        # The model's manager refuses bulk_create so nothing outside this module can write entries
        # around the chain; here the entries were chained above, under the head lock.
        _insert_entries(connection, entries)
        _move_head(connection, seq, prev_hash)
        _write_refs(entries)
    return entries


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries_checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    # What else was found, in words: entries before keying, the checkpoints compared, keys used.
    notes: tuple[str, ...] = ()


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


class _RefStream:
    """The patient index rows in (entry, patient) order, consumed alongside the entries."""

    def __init__(self) -> None:
        self._rows = AuditPatientRef.objects.order_by("entry_seq", "patient_id").values_list("entry_seq", "patient_id").iterator(chunk_size=5000)
        self._next: tuple[int, int] | None = next(self._rows, None)

    def take(self, seq: int) -> list[int]:
        found = []
        while self._next is not None and self._next[0] <= seq:
            if self._next[0] == seq:
                found.append(self._next[1])
            else:  # a row for an entry before this one that was not consumed: it names no entry
                return [-1]
            self._next = next(self._rows, None)
        return found

    def leftover(self) -> int | None:
        return self._next[0] if self._next is not None else None


def _recompute(entry: AuditEntry, key: bytes | None) -> str:
    return entry_hash(
        seq=entry.seq, at=entry.at, clinic_id=entry.clinic_id, user_id=entry.user_id, username=entry.username,
        action=entry.action, object_type=entry.object_type, object_id=entry.object_id, patient_id=entry.patient_id,
        changes=entry.changes, ip_address=entry.ip_address, prev_hash=entry.prev_hash, key_id=entry.key_id or "", key=key,
    )


def verify_chain(checkpoint_lines: list[checkpoints.FileLine] | None = None) -> VerifyResult:
    """Recompute every entry's keyed hash in order, then compare the trail with the signed
    checkpoints (by default the data folder's checkpoint file). Names the first entry that was
    edited, deleted or moved, or the checkpoint the trail no longer matches."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    legacy = 0
    used_keys: dict[str, int] = {}
    hashes_at: dict[int, str] = {}
    source = "the checkpoints given" if checkpoint_lines is not None else f"the checkpoint file {checkpoints.checkpoint_file()}"
    # Read once, before the entries: a checkpoint the worker appends meanwhile waits for the next run.
    lines = checkpoint_lines if checkpoint_lines is not None else checkpoints.read_file(checkpoints.checkpoint_file())
    wanted = {line.checkpoint.seq for line in lines if line.checkpoint}
    refs = _RefStream()
    for entry in _entries():
        count += 1
        if entry.seq != expected_seq:
            return VerifyResult(False, count, entry.seq, f"entries {expected_seq}..{entry.seq - 1} are missing (deleted)")
        if entry.prev_hash != expected_prev:
            return VerifyResult(False, count, entry.seq, "its link to the previous entry is broken (an entry was deleted or reordered)")
        if entry.key_id:
            key = keys.get(entry.key_id)
            if key is None:
                return VerifyResult(False, count, entry.seq, f"it is signed with audit key {entry.key_id}, which this server does not "
                                    f"have (copy the audit key folder from the server that wrote it: {keys.key_dir()})")
            recomputed = _recompute(entry, key.entry_key)
            used_keys[entry.key_id] = used_keys.get(entry.key_id, 0) + 1
        else:
            if used_keys:
                return VerifyResult(False, count, entry.seq, "it has no key although keyed entries come before it (forged or rewritten)")
            legacy += 1
            recomputed = _recompute(entry, None)
        if recomputed != entry.entry_hash:
            return VerifyResult(False, count, entry.seq, "its content does not match its hash (edited)")
        if refs.take(entry.seq) != _named_patients(entry.changes):
            return VerifyResult(False, count, entry.seq, "the index of the patients it names does not match it (rows of the "
                                "patients' access-log index were removed or added)")
        if entry.seq in wanted:
            hashes_at[entry.seq] = entry.entry_hash
        expected_prev = entry.entry_hash
        expected_seq += 1
    if refs.leftover():
        return VerifyResult(False, count, refs.leftover(), "the patients' access-log index names an entry that does not exist")
    last_seq = expected_seq - 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != last_seq or head.last_hash != expected_prev):
        return VerifyResult(False, count, expected_seq, f"the chain head records entry {head.seq}, but the trail ends at {last_seq} (entries at the end were deleted)")
    notes = []
    if legacy:
        notes.append(f"{legacy} entries from before the trail was keyed (plain SHA-256: only the checkpoints protect them)")
    if used_keys:
        notes.append("keyed entries: " + ", ".join(f"{n} with key {k}" for k, n in used_keys.items()))
    compared = _compare_checkpoints(lines, source, last_seq, hashes_at)
    if isinstance(compared, VerifyResult):
        return VerifyResult(False, count, compared.first_bad_seq, compared.problem, tuple(notes))
    return VerifyResult(True, count, notes=tuple([*notes, *compared]))


def _compare_checkpoints(lines: list[checkpoints.FileLine], source: str, last_seq: int,
                         hashes_at: dict[int, str]) -> VerifyResult | list[str]:
    """Every checkpoint must be signed by one of our keys and match the trail at its length; the
    trail may have grown since. Returns the first mismatch, or notes on what was compared."""
    valid = []
    for line in lines:
        if line.checkpoint is None:
            return VerifyResult(False, 0, None, f"line {line.number} of {source} is not a checkpoint ({line.problem}): the file was edited")
        signed = checkpoints.signature_ok(line.checkpoint)
        if signed is None:
            return VerifyResult(False, 0, None, f"the checkpoint on line {line.number} of {source} is signed with audit key "
                                f"{line.checkpoint.key_id}, which this server does not have")
        if not signed:
            return VerifyResult(False, 0, None, f"the checkpoint on line {line.number} of {source} has a bad signature (forged or edited)")
        valid.append(line.checkpoint)
    if not valid:
        return [f"no checkpoint in {source} yet: entries cut from the end would not show (anagen audit checkpoint writes one)"]
    for checkpoint in valid:
        if checkpoint.seq > last_seq:
            return VerifyResult(False, 0, last_seq + 1, f"the checkpoint of {checkpoint.at} counts {checkpoint.seq} entries but the trail "
                                f"ends at {last_seq}: entries {last_seq + 1}..{checkpoint.seq} were deleted")
        at_checkpoint = hashes_at.get(checkpoint.seq, GENESIS_HASH if checkpoint.seq == 0 else None)
        if at_checkpoint != checkpoint.head:
            return VerifyResult(False, 0, checkpoint.seq, f"entry {checkpoint.seq} no longer has the hash the checkpoint of "
                                f"{checkpoint.at} recorded: the trail up to it was rewritten")
    latest = max(valid, key=lambda c: c.seq)
    return [f"matches {len(valid)} signed checkpoint{'s' if len(valid) != 1 else ''} in {source}; the latest, of {latest.at}, "
            f"counts {latest.seq} entries ({last_seq - latest.seq} written since)"]


def verify_chain_in(database_settings: dict[str, Any],
                    checkpoint_lines: list[checkpoints.FileLine] | None = None) -> VerifyResult:
    """``verify_chain`` against another database than this process's own (a restored backup):
    ``database_settings`` is a Django DATABASES entry, ``checkpoint_lines`` the checkpoints to
    compare it with (a restored archive's own). The default connection is swapped for the check
    and put back, whatever happens."""
    conf = connections.configure_settings({"default": database_settings})["default"]
    wrapper = load_backend(conf["ENGINE"]).DatabaseWrapper(conf, "default")
    original = connections["default"]
    connections["default"] = wrapper
    try:
        return verify_chain(checkpoint_lines)
    finally:
        wrapper.close()
        connections["default"] = original
