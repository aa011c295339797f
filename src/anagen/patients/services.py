"""Use cases of the patient registry. Each write is one transaction with its audit entry."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext

from anagen.accounts.models import Clinic, Language
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.core.errors import InvalidInput, NotFound, Refused, StaleWrite
from anagen.patients.models import DEMOGRAPHIC_FIELDS, MrnCounter, Patient


class DuplicateSuspected(Exception):
    """A patient with the same phone and date of birth exists; the user must confirm."""

    def __init__(self, candidates: list[Patient]):
        self.candidates = candidates
        super().__init__("a patient with this phone number and date of birth already exists")


class DuplicateAbhaNumber(Refused):
    """Another patient of the clinic has this ABHA number (an ABHA number is one person's)."""

    kind = "duplicate-abha-number"

    def __init__(self) -> None:
        super().__init__(gettext("Another patient of this clinic already has this ABHA number."), "abha_number")


def likely_duplicates(clinic: Clinic, phone: str, date_of_birth: Any, exclude_id: int | None = None) -> list[Patient]:
    qs = Patient.objects.filter(clinic=clinic, phone=phone, date_of_birth=date_of_birth)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return list(qs[:5])


def _next_mrn(clinic: Clinic) -> str:
    counter, _ = MrnCounter.objects.select_for_update().get_or_create(clinic=clinic)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{clinic.mrn_prefix}-{counter.last_number:06d}"


def _abha_taken(clinic: Clinic, abha_number: str, exclude_id: int | None = None) -> bool:
    if not abha_number:
        return False
    qs = Patient.objects.filter(clinic=clinic, abha_number=abha_number)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.exists()


def register_patient(
    actor: Actor, clinic: Clinic, values: Mapping[str, Any], *, confirm_duplicate: bool = False
) -> Patient:
    candidates = likely_duplicates(clinic, values["phone"], values["date_of_birth"])
    if candidates and not confirm_duplicate:
        raise DuplicateSuspected(candidates)
    if _abha_taken(clinic, values.get("abha_number", "")):
        raise DuplicateAbhaNumber()
    try:
        with transaction.atomic():
            patient = Patient(clinic=clinic, mrn=_next_mrn(clinic), **values)
            patient.save()
            changes = audit.snapshot_created({**values, "mrn": patient.mrn})
            audit.append(actor, Action.CREATE, object_type="patient", object_id=patient.pk, patient_id=patient.pk, changes=changes)
    except IntegrityError as exc:
        # Two receptionists registering the same ABHA number at once: the constraint decides.
        raise DuplicateAbhaNumber() from exc
    return patient


def update_patient(actor: Actor, patient: Patient, values: Mapping[str, Any], *, expected_version: int | None) -> Patient:
    if _abha_taken(patient.clinic, values.get("abha_number", ""), exclude_id=patient.pk):
        raise DuplicateAbhaNumber()
    with transaction.atomic():
        current = Patient.objects.select_for_update().get(pk=patient.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleWrite()
        # The preferred language is changed here by reception's form (the portal's own switch is set_preferred_language).
        fields = (*DEMOGRAPHIC_FIELDS, "preferred_language") if "preferred_language" in values else DEMOGRAPHIC_FIELDS
        before = {field: getattr(current, field) for field in fields}
        changes = audit.diff(before, values)
        if not changes:
            return current
        for field, value in values.items():
            setattr(current, field, value)
        current.version += 1
        current.save()
        audit.append(actor, Action.UPDATE, object_type="patient", object_id=current.pk, patient_id=current.pk, changes=changes)
    return current


def clear_duplicate_check(actor: Actor, patient: Patient) -> Patient:
    """Reception has compared a record made by online booking with the registry and found it
    is a new person (or merged what it needed): the "check for duplicates" flag goes."""
    with transaction.atomic():
        current = Patient.objects.select_for_update().get(pk=patient.pk)
        if not current.needs_duplicate_check:
            return current
        current.needs_duplicate_check = False
        current.version += 1
        current.save(update_fields=["needs_duplicate_check", "version", "updated_at"])
        audit.append(actor, Action.UPDATE, object_type="patient", object_id=current.pk, patient_id=current.pk,
                     changes=audit.diff({"needs_duplicate_check": True}, {"needs_duplicate_check": False}))
    return current


def get_patient(actor: Actor, clinic: Clinic | None, patient_id: int, *, audit_read: bool = True) -> Patient:
    """The patient if it belongs to the actor's clinic, else 404: other clinics' ids do not exist."""
    if clinic is None:
        raise NotFound
    try:
        patient = Patient.objects.select_related("clinic").get(pk=patient_id, clinic=clinic)
    except Patient.DoesNotExist as exc:
        raise NotFound from exc
    if audit_read:
        audit.record_read(actor, "patient", patient.pk, patient.pk)
    return patient


_DIGITS = re.compile(r"\D")
SEARCH_INDEX = "patients_patient_search"
TRIGRAM = 3


def search_patients(clinic: Clinic, query: str) -> QuerySet[Patient]:
    """Patients of one clinic matching a name, a phone number (any format) or a record number.

    Every word must be in the given or the family name (in any order, anywhere in it); or the text
    is the record number or its end; or its digits are in the phone number."""
    qs = Patient.objects.filter(clinic=clinic)
    text = query.strip()
    if not text:
        return qs.order_by("family_name", "given_name", "id")
    mrn_tail = text.lstrip("0") or text
    condition = Q(mrn__iexact=text) | Q(mrn__iendswith=mrn_tail)
    words = text.split()
    name_condition = Q()
    for word in words:
        name_condition &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    condition |= name_condition
    digits = _DIGITS.sub("", text)[-10:]
    if len(digits) >= 4:
        # Stored numbers are E.164; a search for "98200 12345" must find "+919820012345".
        condition |= Q(phone__contains=digits)
    candidates = _indexed_candidates(words, mrn_tail, digits if len(digits) >= 4 else "")
    if candidates is not None:
        qs = qs.filter(pk__in=candidates)
    return qs.filter(condition).order_by("family_name", "given_name", "id")


def _indexed_candidates(words: list[str], mrn_tail: str, digits: str) -> RawSQL | None:
    """SQLite: the ids the trigram index (migration 0003) finds for the search, a superset of the
    matches (its case folding is wider than LIKE's), so the exact conditions still decide. None
    when the index cannot narrow the search: on PostgreSQL (its own trigram indexes serve the
    conditions directly), without the index, or when a word is under three characters."""
    if connection.vendor != "sqlite" or not _has_search_index() or min(len(w) for w in words) < TRIGRAM:
        return None
    if len(mrn_tail) < TRIGRAM:
        return None

    def phrase(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    names = " AND ".join(f"{{given_name family_name}}: {phrase(w)}" for w in words)
    parts = [f"({names})", f"{{mrn}}: {phrase(mrn_tail)}"]
    if digits:
        parts.append(f"{{phone}}: {phrase(digits)}")
    return RawSQL(f"SELECT rowid FROM {SEARCH_INDEX} WHERE {SEARCH_INDEX} MATCH %s", [" OR ".join(parts)])


_search_index: dict[str, bool] = {}


def _has_search_index() -> bool:
    """Whether this SQLite database has the index (an SQLite without FTS5 gets none); asked once
    per database file and process."""
    name = str(connection.settings_dict["NAME"])
    if name not in _search_index:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [SEARCH_INDEX])
            _search_index[name] = cursor.fetchone() is not None
    return _search_index[name]


def list_patients(actor: Actor, clinic: Clinic, query: str = "", *, page: int = 1, page_size: int = 25) -> Page[Patient]:
    """One page of ``search_patients`` (every patient without a query), in one audit entry naming
    every patient listed."""
    found = page_of_query(search_patients(clinic, query), page, page_size)
    record_list_read(actor, found.items)
    return found


def record_list_read(actor: Actor, patients: list[Patient]) -> None:
    """A list page shows names and numbers: one audit entry naming every patient on the page."""
    if not patients:
        return
    audit.append(
        actor,
        Action.READ,
        object_type="patient_list",
        object_id="page",
        patient_id=None,
        changes={"patient_ids": [p.pk for p in patients]},
    )


def set_preferred_language(actor: Actor, patient: Patient, language: str) -> Patient:
    """The language the patient reads (portal, and what the clinic gives them), set by the patient
    in the portal or by staff in the registry; the change is audited like any other."""
    if language not in Language.values:
        raise InvalidInput.single("preferred_language", f"Choose one of {', '.join(Language.values)}.")
    with transaction.atomic():
        current = Patient.objects.select_for_update().get(pk=patient.pk)
        changes = audit.diff({"preferred_language": current.preferred_language}, {"preferred_language": language})
        if changes:
            current.preferred_language = language
            current.version += 1
            current.save(update_fields=["preferred_language", "version", "updated_at"])
            audit.append(actor, Action.UPDATE, object_type="patient", object_id=current.pk, patient_id=current.pk, changes=changes)
    patient.preferred_language = language
    return current
