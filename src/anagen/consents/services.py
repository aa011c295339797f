"""Use cases of consent. Each write is one transaction with its audit entry.

When is a consent valid? (``has_valid_consent``; the rule sessions rely on)

- Only the patient's **latest** record for the purpose counts (latest by signing time). Older
  records are superseded history.
- It is valid while its last event is *granted*: a withdrawal ends it. Consenting again after a
  withdrawal means signing a new record against the current text; there is no "re-grant" event,
  so every grant carries its own signature and text version.
- A new text version does **not** silently invalidate earlier consents. It does when the clinic
  admin publishes it with *requires re-consent*: from its publication, records signed on earlier
  versions of the same purpose and language are no longer valid until the patient signs again.
  (Versions are numbered per language, so a Hindi text is re-issued separately from the English.)
- ``on`` asks the question at a past moment: only records, events and re-consent versions that
  existed then are considered. A session documented later can so be checked against the consent
  in force when it was performed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import dateformat, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anagen.accounts.models import Clinic, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.consents.models import (
    ConsentEvent,
    ConsentRecord,
    ConsentText,
    EventKind,
    Language,
    Method,
    Purpose,
)
from anagen.consents.signature import InvalidSignature, inspect_png
from anagen.core import display
from anagen.core.errors import Conflict, NotFound, Refused
from anagen.patients.models import Patient

MAX_TYPED_NAME = 200


class ConsentError(Refused):
    """A consent cannot be recorded as asked; ``field`` names the input at fault (or None)."""

    def __init__(self, message: str, field: str | None = None):
        # On "text" the text shown is no longer the one to sign (a newer version, or signed
        # already): the record's state refuses it, not the input.
        super().__init__(message, field, kind="stale-text" if field == "text" else None)


class ConsentMissing(Conflict):
    """No valid consent for a purpose: the action needing it must not go ahead."""

    kind = "consent-missing"

    def __init__(self, message: str, patient: Patient, purpose: str, status: PurposeStatus):
        super().__init__(message)
        self.patient = patient
        self.purpose = purpose
        self.status = status


class State:
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"
    RECONSENT_REQUIRED = "reconsent_required"
    NONE = "none"


STATE_LABELS = {
    State.GRANTED: _("Consent given"),
    State.WITHDRAWN: _("Withdrawn"),
    State.RECONSENT_REQUIRED: _("New version: must sign again"),
    State.NONE: _("Not signed"),
}


@dataclass(frozen=True)
class PurposeStatus:
    purpose: str
    state: str
    record: ConsentRecord | None = None
    withdrawn_at: datetime | None = None
    superseding_text: ConsentText | None = None

    @property
    def is_valid(self) -> bool:
        return self.state == State.GRANTED

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def purpose_label(self) -> str:
        return Purpose(self.purpose).label


# --- texts ---------------------------------------------------------------------------------


def publish_text(
    actor: Actor,
    clinic: Clinic,
    purpose: str,
    language: str,
    title: str,
    body: str,
    *,
    requires_reconsent: bool = False,
) -> ConsentText:
    """Publish the next version of a clinic's text for a purpose and language."""
    if purpose not in Purpose.values:
        raise ConsentError(f"Unknown purpose {purpose!r}.", "purpose")
    if language not in Language.values:
        raise ConsentError(f"Unknown language {language!r}.", "language")
    title, body = title.strip(), body.strip()
    if not title:
        raise ConsentError(gettext("The title is required."), "title")
    if not body:
        raise ConsentError(gettext("The text is required."), "body")
    with transaction.atomic():
        # One publisher at a time per clinic, so two admins cannot both take the same number.
        Clinic.objects.select_for_update().filter(pk=clinic.pk).first()
        last = ConsentText.objects.filter(clinic=clinic, purpose=purpose, language=language).aggregate(v=Max("version"))["v"]
        text = ConsentText.objects.create(
            clinic=clinic,
            purpose=purpose,
            language=language,
            version=(last or 0) + 1,
            title=title,
            body=body,
            requires_reconsent=requires_reconsent,
            published_at=timezone.now(),
            created_by_id=actor.user_id,
        )
        audit.append(
            actor,
            Action.CREATE,
            object_type="consent_text",
            object_id=text.pk,
            patient_id=None,
            changes=audit.snapshot_created(
                {
                    "purpose": purpose,
                    "language": language,
                    "version": text.version,
                    "title": title,
                    "body_sha256": hashlib.sha256(body.encode()).hexdigest(),
                    "requires_reconsent": requires_reconsent,
                }
            ),
        )
    return text


def current_text(clinic: Clinic, purpose: str, language: str = Language.ENGLISH) -> ConsentText | None:
    """The latest published version for a purpose and language, or None if there is none."""
    return (
        ConsentText.objects.filter(clinic=clinic, purpose=purpose, language=language)
        .order_by("-version")
        .first()
    )


def texts_by_purpose(clinic: Clinic) -> dict[str, list[ConsentText]]:
    """Every version of every text, newest first, grouped by purpose (all purposes present)."""
    grouped: dict[str, list[ConsentText]] = {p: [] for p in Purpose.values}
    for text in ConsentText.objects.filter(clinic=clinic).select_related("created_by").order_by("purpose", "language", "-version"):
        grouped[text.purpose].append(text)
    return grouped


def list_texts(clinic: Clinic, *, purpose: str | None = None, language: str | None = None, page: int = 1,
               page_size: int = 25) -> Page[ConsentText]:
    """Every version, by purpose, language and newest version first; texts name no patient."""
    records = ConsentText.objects.filter(clinic=clinic)
    if purpose is not None:
        records = records.filter(purpose=purpose)
    if language is not None:
        records = records.filter(language=language)
    return page_of_query(records.order_by("purpose", "language", "-version", "id"), page, page_size)


def get_text(clinic: Clinic | None, text_id: int) -> ConsentText:
    if clinic is None:
        raise NotFound
    try:
        return ConsentText.objects.get(pk=text_id, clinic=clinic)
    except ConsentText.DoesNotExist as exc:
        raise NotFound from exc


# --- signing and withdrawing ---------------------------------------------------------------


def sign_consent(
    actor: Actor,
    patient: Patient,
    text: ConsentText,
    *,
    method: str,
    signature_png: bytes | None = None,
    typed_name: str | None = None,
    acknowledged: bool = False,
    witness: User,
) -> ConsentRecord:
    """Record the patient's signature on exactly ``text``, which must be the current version."""
    if text.clinic_id != patient.clinic_id:
        raise ConsentError(gettext("This consent text belongs to another clinic."), "text")
    if not (witness.is_active and witness.clinic_id == patient.clinic_id and witness.is_clinic_staff):
        raise ConsentError(gettext("The witness must be an active member of this clinic's staff."), "witness")
    png: bytes | None = None
    name = ""
    if method == Method.DRAWN:
        if not signature_png:
            raise ConsentError(gettext("The signature is empty: ask the patient to sign in the box."), "signature_png")
        try:
            inspect_png(signature_png)
        except InvalidSignature as exc:
            raise ConsentError(str(exc), "signature_png") from exc
        png = bytes(signature_png)
    elif method == Method.TYPED:
        name = " ".join((typed_name or "").split())
        if not name:
            raise ConsentError(gettext("Type the patient's full name."), "typed_name")
        if len(name) > MAX_TYPED_NAME:
            raise ConsentError(gettext("The name is longer than %(max)s characters.") % {"max": MAX_TYPED_NAME}, "typed_name")
        if not acknowledged:
            raise ConsentError(gettext("The patient must tick the box to confirm they have read and agree."), "acknowledged")
    else:
        raise ConsentError(gettext("Choose how the patient signs: drawn signature or typed name."), "method")

    with transaction.atomic():
        latest = current_text(patient.clinic, text.purpose, text.language)
        if latest is None or latest.pk != text.pk:
            raise ConsentError(
                gettext("A newer version of this text was published while the form was open. Read the new version with "
                        "the patient and sign again."),
                "text",
            )
        in_force = _status_for(text.purpose, list(ConsentRecord.objects.filter(patient=patient, purpose=text.purpose)
                                                      .select_related("text").prefetch_related("events")), [], timezone.now())
        if in_force.state == State.GRANTED and in_force.record is not None and in_force.record.text_id == text.pk:
            # A second submit of the same signature (a double click, back and re-submit): say what exists.
            when = display.moment(timezone.localtime(in_force.record.signed_at))
            raise ConsentError(gettext("%(name)s already signed version %(version)s of this consent on %(when)s; it is in force.") % {
                "name": patient.full_name, "version": text.version, "when": when}, "text")
        now = timezone.now()
        record = ConsentRecord.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            text=text,
            purpose=text.purpose,
            signed_at=now,
            method=method,
            signature_png=png,
            signature_sha256=hashlib.sha256(png).hexdigest() if png else "",
            typed_name=name,
            acknowledged=bool(acknowledged),
            witness=witness,
        )
        ConsentEvent.objects.create(record=record, kind=EventKind.GRANTED, at=now, by=witness, by_name=actor.username)
        audit.append(
            actor,
            Action.CREATE,
            object_type="consent",
            object_id=record.pk,
            patient_id=patient.pk,
            changes=audit.snapshot_created(
                {
                    "purpose": text.purpose,
                    "text_id": text.pk,
                    "text_version": text.version,
                    "language": text.language,
                    "method": method,
                    "signature_sha256": record.signature_sha256,
                    "typed_name": name,
                    "acknowledged": bool(acknowledged),
                    "witness_id": witness.pk,
                    "signed_at": now,
                    "status": EventKind.GRANTED,
                }
            ),
        )
    return record


def withdraw_consent(actor: Actor, record: ConsentRecord, reason: str) -> ConsentEvent:
    """Withdraw the patient's current consent for the record's purpose. The record stays."""
    reason = reason.strip()
    if not reason:
        raise ConsentError(gettext("Give the reason for the withdrawal (the patient's words are enough)."), "reason")
    with transaction.atomic():
        # Lock the record's row so two withdrawals of one consent cannot both be recorded.
        record = ConsentRecord.objects.select_for_update().get(pk=record.pk)
        if _last_event(record).kind == EventKind.WITHDRAWN:
            raise ConsentError(gettext("This consent has already been withdrawn."))
        latest = _latest_record(record.patient_id, record.purpose)
        if latest.pk != record.pk:
            raise ConsentError(gettext("A later consent for this purpose replaces this one: withdraw that one instead."))
        now = timezone.now()
        event = ConsentEvent.objects.create(
            record=record, kind=EventKind.WITHDRAWN, at=now, by_id=actor.user_id, by_name=actor.username, reason=reason
        )
        audit.append(
            actor,
            Action.UPDATE,
            object_type="consent",
            object_id=record.pk,
            patient_id=record.patient_id,
            changes={
                "status": {"old": EventKind.GRANTED.value, "new": EventKind.WITHDRAWN.value},
                "reason": {"old": None, "new": reason},
                "withdrawn_at": {"old": None, "new": now.isoformat()},
            },
        )
    return event


def _last_event(record: ConsentRecord) -> ConsentEvent:
    return ConsentEvent.objects.filter(record=record).order_by("-at", "-id").first()  # type: ignore[return-value]


def _latest_record(patient_id: int, purpose: str) -> ConsentRecord:
    return ConsentRecord.objects.filter(patient_id=patient_id, purpose=purpose).order_by("-signed_at", "-id").first()  # type: ignore[return-value]


# --- reading -------------------------------------------------------------------------------


def patient_records(patient: Patient) -> list[ConsentRecord]:
    """Every record of a patient, newest first, with its text, witness and events loaded."""
    return list(
        ConsentRecord.objects.filter(patient=patient)
        .select_related("text", "witness")
        .prefetch_related(Prefetch("events", queryset=ConsentEvent.objects.select_related("by").order_by("at", "id")))
        .order_by("-signed_at", "-id")
    )


def _reconsent_texts(clinic_id: int) -> list[ConsentText]:
    return list(ConsentText.objects.filter(clinic_id=clinic_id, requires_reconsent=True).order_by("published_at"))


def _status_for(
    purpose: str, records: Iterable[ConsentRecord], reconsent: list[ConsentText], on: datetime
) -> PurposeStatus:
    candidates = [r for r in records if r.purpose == purpose and r.signed_at <= on]
    if not candidates:
        return PurposeStatus(purpose, State.NONE)
    latest = max(candidates, key=lambda r: (r.signed_at, r.pk))
    events = [e for e in latest.events.all() if e.at <= on]
    if events and events[-1].kind == EventKind.WITHDRAWN:
        return PurposeStatus(purpose, State.WITHDRAWN, latest, withdrawn_at=events[-1].at)
    for text in reconsent:
        if (
            text.purpose == purpose
            and text.language == latest.text.language
            and text.version > latest.text.version
            and text.published_at <= on
        ):
            return PurposeStatus(purpose, State.RECONSENT_REQUIRED, latest, superseding_text=text)
    return PurposeStatus(purpose, State.GRANTED, latest)


def consent_status(patient: Patient, on: datetime | None = None) -> dict[str, PurposeStatus]:
    """The status of every purpose for a patient (three queries, whatever the history)."""
    on = on or timezone.now()
    records = patient_records(patient)
    reconsent = _reconsent_texts(patient.clinic_id)
    return {purpose: _status_for(purpose, records, reconsent, on) for purpose in Purpose.values}


def consent_states(clinic_id: int, patient_ids: Iterable[int], purpose: str, on: datetime | None = None) -> dict[int, PurposeStatus]:
    """One purpose's status for many patients of one clinic in three queries, whatever their
    number (the day's lists and the patient header): the same rule as ``consent_status``."""
    on = on or timezone.now()
    ids = sorted(set(patient_ids))
    records: dict[int, list[ConsentRecord]] = {pk: [] for pk in ids}
    rows = (ConsentRecord.objects.filter(clinic_id=clinic_id, patient_id__in=ids, purpose=purpose)
            .select_related("text").prefetch_related(Prefetch("events", queryset=ConsentEvent.objects.order_by("at", "id"))))
    for record in rows:
        records[record.patient_id].append(record)
    reconsent = [t for t in _reconsent_texts(clinic_id) if t.purpose == purpose]
    return {pk: _status_for(purpose, records[pk], reconsent, on) for pk in ids}


def has_valid_consent(patient: Patient, purpose: str, on: datetime | None = None) -> bool:
    """Whether the patient's consent for ``purpose`` was in force at ``on`` (default: now)."""
    return consent_status(patient, on)[purpose].is_valid


def require_valid_consent(patient: Patient, purpose: str, on: datetime | None = None) -> PurposeStatus:
    """Raise ConsentMissing, with a message for staff, unless the consent is in force.

    Sessions call this with ``Purpose.TREATMENT`` before a session is performed or documented.
    """
    status = consent_status(patient, on)[purpose]
    if status.is_valid:
        return status
    values = {"who": patient.full_name, "what": str(Purpose(purpose).label).lower()}
    if status.state == State.WITHDRAWN:
        values["when"] = (dateformat.format(timezone.localtime(status.withdrawn_at), "j M Y") if status.withdrawn_at
                          else gettext("earlier"))
        message = gettext("%(who)s withdrew consent for %(what)s on %(when)s. A new signed consent is needed first.") % values
    elif status.state == State.RECONSENT_REQUIRED:
        values["version"] = status.superseding_text.version if status.superseding_text else "?"
        message = gettext("%(who)s must sign the new consent text for %(what)s (version %(version)s) first.") % values
    else:
        message = gettext("%(who)s has not signed consent for %(what)s. Record a signed consent first.") % values
    raise ConsentMissing(message, patient, purpose, status)


def get_record(actor: Actor, clinic: Clinic | None, record_id: int, *, audit_as: str | None = "consent") -> ConsentRecord:
    """A record of the actor's clinic (else 404), its read audited under ``audit_as``."""
    if clinic is None:
        raise NotFound
    try:
        record = ConsentRecord.objects.select_related("patient", "text", "witness", "clinic").get(pk=record_id, clinic=clinic)
    except ConsentRecord.DoesNotExist as exc:
        raise NotFound from exc
    if audit_as:
        audit.record_read(actor, audit_as, record.pk, record.patient_id)
    return record


def record_status(record: ConsentRecord) -> PurposeStatus:
    """The status of the record's purpose for its patient, to show beside one record."""
    return consent_status(record.patient)[record.purpose]


# --- DPDP ledger and purpose checks ---------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    """One event of a patient's consent ledger, with the exact text version it concerns."""

    at: datetime
    purpose: str
    purpose_label: str
    kind: str
    kind_label: str
    record_id: int
    text_id: int
    text_version: int
    text_language: str
    text_title: str
    recorded_by: str
    reason: str


def read_consents(actor: Actor, patient: Patient) -> dict[str, PurposeStatus]:
    """``consent_status``, audited as a read of the patient's consents."""
    audit.record_read(actor, "patient_consents", patient.pk, patient.pk)
    return consent_status(patient)


def read_ledger(actor: Actor, patient: Patient) -> list[LedgerEntry]:
    """``ledger``, audited as a read of the patient's consent history."""
    audit.record_read(actor, "patient_consent_ledger", patient.pk, patient.pk)
    return ledger(patient)


def ledger(patient: Patient) -> list[LedgerEntry]:
    """Every consent event of the patient, all purposes, oldest first (granted, withdrawn, granted again...)."""
    events = (
        ConsentEvent.objects.filter(record__patient=patient)
        .select_related("record__text", "record__witness", "by")
        .order_by("at", "id")
    )
    entries = []
    for event in events:
        record = event.record
        if event.kind == EventKind.GRANTED:
            by = str(record.witness)
        else:
            by = str(event.by) if event.by else event.by_name
        entries.append(
            LedgerEntry(
                at=event.at,
                purpose=record.purpose,
                purpose_label=Purpose(record.purpose).label,
                kind=event.kind,
                kind_label=EventKind(event.kind).label,
                record_id=record.pk,
                text_id=record.text_id,
                text_version=record.text.version,
                text_language=record.text.get_language_display(),
                text_title=record.text.title,
                recorded_by=by,
                reason=event.reason,
            )
        )
    return entries


def marketing_photo_allowed(patient: Patient, on: datetime | None = None) -> bool:
    """Whether the patient's photographs may be used in marketing now (or at ``on``).

    Only a valid "marketing_photographs" consent allows it; a withdrawal takes effect at once,
    since the status is read from the ledger on every call (nothing is cached).
    """
    return has_valid_consent(patient, Purpose.MARKETING_PHOTOGRAPHS, on)


def patients_allowing(clinic: Clinic, purpose: str, on: datetime | None = None) -> set[int]:
    """Ids of the clinic's patients whose consent for ``purpose`` is in force (a few queries in all)."""
    on = on or timezone.now()
    records = list(
        ConsentRecord.objects.filter(clinic=clinic, purpose=purpose, signed_at__lte=on)
        .select_related("text")
        .prefetch_related(Prefetch("events", queryset=ConsentEvent.objects.order_by("at", "id")))
    )
    reconsent = _reconsent_texts(clinic.pk)
    by_patient: dict[int, list[ConsentRecord]] = {}
    for record in records:
        by_patient.setdefault(record.patient_id, []).append(record)
    return {pid for pid, recs in by_patient.items() if _status_for(purpose, recs, reconsent, on).is_valid}
