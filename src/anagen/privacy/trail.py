"""The audit trail as a privacy officer reads it (issue 19, finding 13): who (name and role), when
(clinic time), what was done in words, to which patient (name and record number, and every
patient a list showed), filtered by dates, person, patient and action, on the page or as CSV.

Reading the trail shows patients' names, so it is itself audited: a page names every patient on
it, an export every patient in the file (batched, so each sees it in their portal).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from anagen.accounts.models import Clinic, Role, User
from anagen.audit import services as audit
from anagen.audit.models import Action, AuditEntry, AuditPatientRef
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.audit.words import action_words, object_words
from anagen.core.errors import InvalidInput
from anagen.patients.models import Patient

PAGE_SIZE = 50
# Keys of ``changes`` that are not field changes: the patients a list named, the panels of a page.
LIST_KEYS = frozenset({"patient_ids", "shown"})


@dataclass(frozen=True)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    person: User | None = None
    patient: Patient | None = None
    action: str = ""


def entries(clinic: Clinic, filters: Filters) -> QuerySet[AuditEntry]:
    """The clinic's entries, newest first. A patient's filter also finds the lists and exports
    that showed the patient among others."""
    qs = AuditEntry.objects.filter(clinic_id=clinic.pk)
    zone = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=zone))
    if filters.date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
    if filters.person is not None:
        qs = qs.filter(user_id=filters.person.pk)
    if filters.patient is not None:
        listed = AuditPatientRef.objects.filter(clinic_id=clinic.pk, patient_id=filters.patient.pk).values("entry_seq")
        qs = qs.filter(Q(patient_id=filters.patient.pk) | Q(seq__in=listed))
    if filters.action:
        qs = qs.filter(action=filters.action)
    return qs.order_by("-seq")


def list_entries(clinic: Clinic, *, patient_id: int | None = None, user_id: int | None = None, action: str | None = None,
                 page: int = 1, page_size: int = PAGE_SIZE) -> Page[AuditEntry]:
    """The clinic's entries as stored, newest first (the API's trail): those about one patient, by
    one member of staff, of one action. A ``user_id`` not on the clinic's staff is refused."""
    qs = AuditEntry.objects.filter(clinic_id=clinic.pk)
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if user_id is not None:
        if not User.objects.filter(pk=user_id, clinic=clinic).exists():
            raise InvalidInput.single("user_id", "No such member of staff in your clinic.")
        qs = qs.filter(user_id=user_id)
    if action is not None:
        qs = qs.filter(action=action)
    return page_of_query(qs.order_by("-seq"), page, page_size)


@dataclass(frozen=True)
class PatientLabel:
    id: int
    label: str
    mrn: str


@dataclass(frozen=True)
class Row:
    seq: int
    at: dt.datetime
    who: str
    role: str
    action: str
    what: str
    patient: PatientLabel | None
    listed: list[PatientLabel]
    changes: list[tuple[str, str, str]]
    ip_address: str

    @property
    def when(self) -> str:
        return dateformat.format(timezone.localtime(self.at), "j M Y, H:i:s")

    @property
    def patients_text(self) -> str:
        people = ([self.patient] if self.patient else []) + self.listed
        return "; ".join(p.label for p in people)


def _listed_ids(entry: AuditEntry) -> list[int]:
    ids = entry.changes.get("patient_ids") if isinstance(entry.changes, dict) else None
    return [int(i) for i in ids] if isinstance(ids, list) else []


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _changes(entry: AuditEntry) -> list[tuple[str, str, str]]:
    out = []
    for name, change in (entry.changes or {}).items():
        if name in LIST_KEYS:
            continue
        label = name.replace("_", " ")
        if isinstance(change, dict) and ("old" in change or "new" in change):
            out.append((label, _value(change.get("old")), _value(change.get("new"))))
        else:
            out.append((label, "", _value(change)))
    return out


def _what(entry: AuditEntry) -> str:
    words = object_words(entry.object_type)
    shown = entry.changes.get("shown") if isinstance(entry.changes, dict) else None
    if isinstance(shown, list) and shown:
        words = _("%(page)s: %(lists)s") % {"page": words, "lists": ", ".join(object_words(s) for s in shown)}
    listed = len(_listed_ids(entry))
    if listed:
        words = _("%(what)s (%(count)d patients)") % {"what": words, "count": listed} if listed != 1 else \
            _("%(what)s (1 patient)") % {"what": words}
    return words


def rows(clinic: Clinic, page_entries: Iterable[AuditEntry]) -> list[Row]:
    """The entries in words, with the people and patients they name looked up in two queries."""
    page_entries = list(page_entries)
    users = {u.pk: u for u in User.objects.filter(pk__in={e.user_id for e in page_entries if e.user_id})}
    patient_ids = {e.patient_id for e in page_entries if e.patient_id} | {pid for e in page_entries for pid in _listed_ids(e)}
    patients = {p.pk: PatientLabel(p.pk, f"{p.full_name} ({p.mrn})", p.mrn)
                for p in Patient.objects.filter(clinic=clinic, pk__in=patient_ids).only("pk", "given_name", "family_name", "mrn")}
    roles = dict(Role.choices)
    out = []
    for entry in page_entries:
        user = users.get(entry.user_id) if entry.user_id else None
        if user is not None:
            who, role = (user.get_full_name() or user.username), str(roles.get(user.role, ""))
        else:
            who, role = _("Anagen (automatic)"), entry.username
        gone = PatientLabel(entry.patient_id or 0, _("patient no. %(id)s") % {"id": entry.patient_id}, "")
        out.append(Row(
            seq=entry.seq, at=entry.at, who=who, role=role, action=action_words(entry.action), what=_what(entry),
            patient=patients.get(entry.patient_id, gone) if entry.patient_id else None,
            listed=[patients[pid] for pid in _listed_ids(entry) if pid in patients],
            changes=_changes(entry), ip_address=entry.ip_address or "",
        ))
    return out


def shown_patient_ids(page_rows: Iterable[Row]) -> list[int]:
    return list(dict.fromkeys(p.id for row in page_rows for p in ([row.patient] if row.patient else []) + row.listed if p.id))


def record_page_read(actor: Actor, page_rows: list[Row]) -> None:
    """The page names these patients: one entry naming them all."""
    audit.record_bulk_read(actor, "audit_trail", "page", shown_patient_ids(page_rows))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (a name typed as =HYPERLINK(...)) stays text."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


CSV_COLUMNS = ["entry", "when", "who", "role", "action", "what", "patients", "changes", "from"]
CHUNK = 2000


def _chunks(qs: QuerySet[AuditEntry]) -> Iterator[list[AuditEntry]]:
    batch: list[AuditEntry] = []
    for entry in qs.iterator(chunk_size=CHUNK):
        batch.append(entry)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def export_csv(actor: Actor, clinic: Clinic, filters: Filters) -> Iterator[str]:
    """The filtered trail as CSV lines. Every patient the file will name is written to the trail
    first (batched), then the lines are produced chunk by chunk."""
    qs = entries(clinic, filters)
    named: dict[int, None] = {}
    for entry in qs.only("patient_id", "changes").iterator(chunk_size=CHUNK):
        if entry.patient_id:
            named[entry.patient_id] = None
        for pid in _listed_ids(entry):
            named[pid] = None
    existing = set(Patient.objects.filter(clinic=clinic, pk__in=list(named)).values_list("pk", flat=True)) if named else set()
    audit.record_bulk_read(actor, "audit_trail_export", clinic.pk, [pid for pid in named if pid in existing], action=Action.EXPORT.value)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for batch in _chunks(qs):
            for row in rows(clinic, batch):
                changes = "; ".join(f"{name}: {old} → {new}" if old else f"{name}: {new}" for name, old, new in row.changes)
                writer.writerow([_cell(v) for v in (row.seq, row.when, row.who, row.role, row.action, row.what, row.patients_text,
                                                     changes, row.ip_address)])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()

    return lines()
