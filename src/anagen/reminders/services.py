"""Use cases of reminders: opt-in and opt-out, scheduling into the outbox, and sending from it.

Who receives what: a message is created and, again at send time, sent only when the patient has
a valid "reminders" consent (consents ledger) AND an active opt-in for the channel. Opting out
of the last channel withdraws the reminders consent.

Two workers never send one message twice: a worker claims a row before sending it, either with
``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL) or a conditional
``UPDATE ... SET status='sending' WHERE id=? AND status='pending'`` (SQLite, one row at a time);
only the worker whose claim changed the row sends it. A worker that dies while sending leaves a
row in ``sending``; ``recover_stuck`` returns it to ``pending`` after ``STUCK_AFTER`` (that one
message may then go twice: delivery is at least once only across crashes).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import socket
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from anagen.accounts.models import Clinic
from anagen.audit import services as audit
from anagen.audit.services import Actor
from anagen.consents import services as consents
from anagen.consents.models import Purpose
from anagen.core import display
from anagen.core import reminders as rules
from anagen.core.errors import Duplicate, InvalidInput, InvalidState, NotFound
from anagen.core.identifiers import format_phone
from anagen.patients.models import Patient
from anagen.procedures.models import TreatmentSession
from anagen.recall import services as recalls
from anagen.recall.models import Recall
from anagen.reminders import messaging
from anagen.reminders.models import (
    Channel,
    Language,
    MessageTemplate,
    OptInSource,
    OptOutToken,
    OutboxMessage,
    OutboxStatus,
    ReminderOptIn,
    ReminderSettings,
)
from anagen.reminders.providers import OutgoingMessage, SendFailed, provider_for
from anagen.scheduling.models import Appointment, Kind, Status
from anagen.treatments.models import Course

PROCEDURE_KINDS = frozenset({Kind.MESOTHERAPY_SESSION, Kind.PRF, Kind.EXOSOMES, Kind.PEPTIDE_THERAPY})
STUCK_AFTER = timedelta(minutes=10)


# --- protocol and templates ------------------------------------------------------------------


def settings_for(clinic: Clinic) -> ReminderSettings:
    found = ReminderSettings.objects.filter(clinic=clinic).first()
    return found or ReminderSettings(clinic=clinic)


def parse_hours(text: str) -> tuple[int, ...]:
    try:
        hours = tuple(int(part) for part in text.replace(";", ",").split(",") if part.strip())
    except ValueError as exc:
        raise InvalidInput.single("before_hours", gettext("Give whole hours separated by commas, e.g. 48, 3.")) from exc
    return hours


def protocol_for(clinic: Clinic) -> rules.ReminderProtocol:
    stored = settings_for(clinic)
    return rules.ReminderProtocol(
        before_hours=parse_hours(stored.before_hours),
        side_effect_check_hours=stored.side_effect_check_hours,
        maintenance_notice_days=stored.maintenance_notice_days,
        recall_days_before=stored.recall_days_before,
        max_attempts=stored.max_attempts,
        backoff_base_seconds=stored.backoff_base_seconds,
        backoff_max_seconds=stored.backoff_max_seconds,
    )


def save_settings(actor: Actor, clinic: Clinic, values: dict) -> ReminderSettings:
    """Validate through the core's protocol, then save (one transaction, audited)."""
    rules.ReminderProtocol(
        before_hours=parse_hours(values["before_hours"]),
        side_effect_check_hours=values["side_effect_check_hours"],
        maintenance_notice_days=values["maintenance_notice_days"],
        recall_days_before=values.get("recall_days_before", rules.ReminderProtocol.recall_days_before),
        max_attempts=values["max_attempts"],
        backoff_base_seconds=values["backoff_base_seconds"],
        backoff_max_seconds=values["backoff_max_seconds"],
    )
    with transaction.atomic():
        stored = settings_for(clinic)
        before = {f: getattr(stored, f) for f in values}
        for name, value in values.items():
            setattr(stored, name, value)
        stored.save()
        audit.append(actor, "update", object_type="reminder_settings", object_id=clinic.pk, patient_id=None,
                     changes=audit.diff(before, values))
    return stored


def save_template(actor: Actor, clinic: Clinic, values: dict) -> MessageTemplate:
    body = rules.check_template(values.get("body", ""))
    if values["channel"] == Channel.WHATSAPP and values.get("whatsapp_approved") and not values.get("whatsapp_template_name", "").strip():
        raise InvalidInput.single("whatsapp_template_name", gettext("Give the template name WhatsApp approved."))
    with transaction.atomic():
        template, created = MessageTemplate.objects.select_for_update().get_or_create(
            clinic=clinic, kind=values["kind"], channel=values["channel"], language=values["language"],
            defaults={"body": body},
        )
        template.body = body
        template.subject = values.get("subject", "").strip()
        template.whatsapp_template_name = values.get("whatsapp_template_name", "").strip()
        template.whatsapp_approved = bool(values.get("whatsapp_approved"))
        template.save()
        audit.append(actor, "create" if created else "update", object_type="reminder_template", object_id=template.pk,
                     patient_id=None, changes={"body": {"old": None, "new": body},
                                               "whatsapp_approved": {"old": None, "new": str(template.whatsapp_approved)}})
    return template


@dataclass(frozen=True)
class ResolvedTemplate:
    subject: str
    body: str
    whatsapp_name: str


def template_for(clinic: Clinic, kind: str, channel: str, language: str) -> ResolvedTemplate | None:
    """The clinic's template, else the default wording. WhatsApp: only an approved template."""
    stored = MessageTemplate.objects.filter(clinic=clinic, kind=kind, channel=channel, language=language).first()
    if stored is None and language != Language.ENGLISH:
        stored = MessageTemplate.objects.filter(clinic=clinic, kind=kind, channel=channel, language=Language.ENGLISH).first()
    if channel == Channel.WHATSAPP:
        if stored is None or not stored.whatsapp_approved or not stored.whatsapp_template_name:
            return None
        return ResolvedTemplate(stored.subject, stored.body, stored.whatsapp_template_name)
    if stored is not None:
        return ResolvedTemplate(stored.subject, stored.body, "")
    subject, body = rules.DEFAULT_TEMPLATES.get((rules.ReminderKind(kind), language)) or rules.DEFAULT_TEMPLATES[(rules.ReminderKind(kind), "en")]
    return ResolvedTemplate(subject, body, "")


# --- opt-in and opt-out ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    label: str
    address: str
    opt_in: ReminderOptIn | None

    @property
    def active(self) -> bool:
        return self.opt_in is not None and self.opt_in.active


def address_for(patient: Patient, channel: str) -> str:
    return patient.email if channel == Channel.EMAIL else patient.phone


def channel_rows(patient: Patient) -> list[ChannelRow]:
    stored = {o.channel: o for o in ReminderOptIn.objects.filter(patient=patient)}
    return [ChannelRow(c.value, c.label, address_for(patient, c.value), stored.get(c.value)) for c in Channel]


def read_channels(actor: Actor, patient: Patient) -> list[ChannelRow]:
    """``channel_rows``, audited as a read of the patient's reminder choices."""
    audit.record_read(actor, "reminder_opt_in", patient.pk, patient.pk)
    return channel_rows(patient)


def may_receive(patient: Patient, channel: str, on: datetime | None = None) -> bool:
    """A valid reminders consent AND an active opt-in for the channel (and an address)."""
    if not address_for(patient, channel):
        return False
    if not ReminderOptIn.objects.filter(patient=patient, channel=channel, opted_out_at__isnull=True).exists():
        return False
    return consents.has_valid_consent(patient, Purpose.REMINDERS, on)


def opt_in(actor: Actor, patient: Patient, channel: str, language: str = Language.ENGLISH, *, now: datetime | None = None) -> ReminderOptIn:
    if channel not in Channel.values:
        raise InvalidInput.single("channel", gettext("Choose email, SMS or WhatsApp."))
    if language not in Language.values:
        raise InvalidInput.single("language", gettext("Choose English, Hindi or Marathi."))
    if not address_for(patient, channel):
        raise InvalidInput.single("channel", gettext("The patient has no email address on record: add it first.") if channel == Channel.EMAIL
                                  else gettext("The patient has no phone number on record: add it first."))
    if not consents.has_valid_consent(patient, Purpose.REMINDERS):
        raise InvalidInput.single("channel", gettext("The patient has no valid consent for reminders: record a signed reminders consent first."))
    now = now or timezone.now()
    with transaction.atomic():
        row = ReminderOptIn.objects.select_for_update().filter(patient=patient, channel=channel).first()
        old = "opted in" if row is not None and row.active else "opted out" if row is not None else None
        if row is None:
            row = ReminderOptIn(clinic_id=patient.clinic_id, patient=patient, channel=channel)
        row.language, row.opted_in_at, row.opted_out_at, row.source = language, now, None, OptInSource.RECEPTION
        row.wording = messaging.opt_in_wording(patient.clinic, channel)
        row.save()
        audit.append(actor, "update" if old else "create", object_type="reminder_opt_in", object_id=row.pk, patient_id=patient.pk,
                     changes={"channel": {"old": None, "new": channel}, "status": {"old": old, "new": "opted in"},
                              "language": {"old": None, "new": language}, "wording": {"old": None, "new": row.wording}})
    return row


def opt_out(actor: Actor, patient: Patient, channel: str, source: str, *, now: datetime | None = None) -> bool:
    """Record the opt-out; withdraw the reminders consent when no channel remains. True if changed."""
    now = now or timezone.now()
    with transaction.atomic():
        row = ReminderOptIn.objects.select_for_update().filter(patient=patient, channel=channel).first()
        if row is None or not row.active:
            return False
        row.opted_out_at, row.source = now, source
        row.save()
        OutboxMessage.objects.filter(patient=patient, channel=channel, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.CANCELLED, last_error="patient opted out")
        audit.append(actor, "update", object_type="reminder_opt_in", object_id=row.pk, patient_id=patient.pk,
                     changes={"channel": {"old": None, "new": channel}, "status": {"old": "opted in", "new": "opted out"},
                              "source": {"old": None, "new": source}})
        if not ReminderOptIn.objects.filter(patient=patient, opted_out_at__isnull=True).exists():
            status = consents.consent_status(patient)[Purpose.REMINDERS]
            if status.is_valid and status.record is not None:
                consents.withdraw_consent(actor, status.record, f"Opted out of the last reminder channel ({OptInSource(source).label}).")
    return True


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_record(token: str) -> OptOutToken:
    """The unused token, else 404 (unknown and used tokens look alike)."""
    found = OptOutToken.objects.select_related("patient").filter(token_sha256=_token_hash(token), used_at__isnull=True).first()
    if found is None:
        raise NotFound
    return found


def opt_out_by_token(token: str, *, now: datetime | None = None) -> OptOutToken:
    now = now or timezone.now()
    with transaction.atomic():
        record = OptOutToken.objects.select_for_update().filter(token_sha256=_token_hash(token), used_at__isnull=True).first()
        if record is None:
            raise NotFound
        record.used_at = now
        record.save(update_fields=["used_at"])
        patient = record.patient
        opt_out(Actor.system("opt-out-link", patient.clinic_id), patient, record.channel, OptInSource.OPT_OUT_LINK, now=now)
    return record


def signature_for(body: bytes) -> str:
    secret = getattr(settings, "ANAGEN_REMINDER_INBOUND_SECRET", "")
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, signature: str) -> bool:
    """HMAC-SHA256 of the raw body with the shared secret; refused when no secret is set."""
    if not getattr(settings, "ANAGEN_REMINDER_INBOUND_SECRET", ""):
        return False
    return hmac.compare_digest(signature_for(body), (signature or "").strip().lower())


def inbound_reply(channel: str, phone: str, text: str, *, now: datetime | None = None) -> int:
    """A reply from a phone number: STOP opts every patient with that number out of the channel."""
    if channel not in (Channel.SMS, Channel.WHATSAPP) or not rules.is_stop_reply(text):
        return 0
    changed = 0
    for patient in Patient.objects.filter(phone=phone.strip()):
        if opt_out(Actor.system("stop-reply", patient.clinic_id), patient, channel, OptInSource.STOP_REPLY, now=now):
            changed += 1
    return changed


# --- scheduling ------------------------------------------------------------------------------


def _facts(appointment: Appointment, maintenance_ids: set[int]) -> rules.AppointmentFacts:
    return rules.AppointmentFacts(
        appointment_id=appointment.pk, starts_at=appointment.starts_at, ends_at=appointment.ends_at,
        status=appointment.status, is_procedure=appointment.kind in PROCEDURE_KINDS,
        is_maintenance=appointment.pk in maintenance_ids,
    )


def _maintenance_ids(appointments: list[Appointment]) -> set[int]:
    course_ids = {a.course_id for a in appointments if a.course_id and a.course_session_number}
    intensive = dict(Course.objects.filter(pk__in=course_ids).values_list("pk", "intensive_sessions"))
    return {
        a.pk for a in appointments
        if a.kind == Kind.MESOTHERAPY_SESSION and a.course_id in intensive and (a.course_session_number or 0) > intensive[a.course_id]
    }


def schedule_reminders(clinic: Clinic, now: datetime) -> int:
    """Create the outbox rows due at ``now`` for opted-in patients; safe to run again and again."""
    protocol = protocol_for(clinic)
    ahead = max(timedelta(hours=max(protocol.before_hours)), timedelta(days=protocol.maintenance_notice_days))
    behind = timedelta(hours=protocol.side_effect_stale_hours) + timedelta(days=1)
    appointments = list(
        Appointment.objects.filter(clinic=clinic, status__in=(Status.BOOKED, Status.COMPLETED),
                                   starts_at__gte=now - behind, starts_at__lte=now + ahead).select_related("patient")
    )
    maintenance = _maintenance_ids(appointments)
    opt_ins: dict[int, list[ReminderOptIn]] = {}
    for row in ReminderOptIn.objects.filter(patient_id__in={a.patient_id for a in appointments}, opted_out_at__isnull=True):
        opt_ins.setdefault(row.patient_id, []).append(row)
    consent_ok: dict[int, bool] = {}
    rows: list[OutboxMessage] = []
    for appointment in appointments:
        channels = opt_ins.get(appointment.patient_id)
        if not channels:
            continue
        due = rules.due_reminders(_facts(appointment, maintenance), now, protocol)
        if not due:
            continue
        if appointment.patient_id not in consent_ok:
            consent_ok[appointment.patient_id] = consents.has_valid_consent(appointment.patient, Purpose.REMINDERS, now)
        if not consent_ok[appointment.patient_id]:
            continue
        for reminder in due:
            for choice in channels:
                if not address_for(appointment.patient, choice.channel):
                    continue
                rows.append(OutboxMessage(
                    clinic=clinic, patient_id=appointment.patient_id, appointment=appointment, kind=reminder.kind.value,
                    channel=choice.channel, language=choice.language, appointment_starts_at=appointment.starts_at,
                    scheduled_for=reminder.send_at, expires_at=reminder.expires_at, next_attempt_at=reminder.send_at,
                    dedupe_key=rules.dedupe_key(appointment.pk, reminder.slot, choice.channel, appointment.starts_at),
                ))
    if not rows:
        return 0
    keys = [r.dedupe_key for r in rows]
    before = OutboxMessage.objects.filter(dedupe_key__in=keys).count()
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return OutboxMessage.objects.filter(dedupe_key__in=keys).count() - before


def schedule_recalls(clinic: Clinic, now: datetime) -> int:
    """Recompute the clinic's maintenance recalls from its course plans (anagen.recall), then queue
    each recall whose day has come: one message per opted-in channel, once (the recall is marked
    sent, and the dedupe key names the recall and channel). Recalls of patients without a valid
    reminders consent or any opt-in are marked sent with nothing queued: they are not owed later."""
    protocol = protocol_for(clinic)
    today = timezone.localtime(now, ZoneInfo(clinic.time_zone or settings.TIME_ZONE)).date()
    recalls.sync_clinic(clinic, today, protocol.recall_days_before, now=now)
    due = recalls.due_recalls(clinic, today)
    if not due:
        return 0
    opt_ins: dict[int, list[ReminderOptIn]] = {}
    for row in ReminderOptIn.objects.filter(patient_id__in={r.patient_id for r in due}, opted_out_at__isnull=True):
        opt_ins.setdefault(row.patient_id, []).append(row)
    created = 0
    for recall in due:
        with transaction.atomic():
            if not recalls.mark_sent(recall, now):
                continue
            patient = recall.patient
            channels = [c for c in opt_ins.get(patient.pk, []) if address_for(patient, c.channel)]
            if not channels or not consents.has_valid_consent(patient, Purpose.REMINDERS, now):
                continue
            end_of_due_day = datetime.combine(recall.due_date, datetime.min.time(), ZoneInfo(clinic.time_zone or settings.TIME_ZONE)) + timedelta(days=1)
            for choice in channels:
                _, made = OutboxMessage.objects.get_or_create(
                    dedupe_key=f"recall:{recall.pk}:{choice.channel}",
                    defaults={"clinic": clinic, "patient": patient, "recall": recall, "kind": rules.ReminderKind.RECALL.value,
                              "channel": choice.channel, "language": choice.language, "scheduled_for": now,
                              "expires_at": end_of_due_day, "next_attempt_at": now})
                created += int(made)
    return created


# --- the worker ------------------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:64]


def _due(now: datetime) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at", "id")


def claim_next(now: datetime, worker: str) -> OutboxMessage | None:
    """Claim one due message for this worker, or None. Never hands one row to two workers."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            row = _due(now).select_for_update(skip_locked=True).first()
            if row is None:
                return None
            OutboxMessage.objects.filter(pk=row.pk).update(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
        return OutboxMessage.objects.get(pk=row.pk)
    for _ in range(20):
        candidates = list(_due(now).values_list("pk", flat=True)[:10])
        if not candidates:
            return None
        for pk in candidates:
            claimed = OutboxMessage.objects.filter(pk=pk, status=OutboxStatus.PENDING).update(
                status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
            if claimed == 1:
                return OutboxMessage.objects.get(pk=pk)
    return None


def recover_stuck(now: datetime) -> int:
    """Rows left in 'sending' by a worker that died: back to pending."""
    return OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        status=OutboxStatus.PENDING, claimed_by="")


def _finish(message: OutboxMessage, now: datetime, **fields: object) -> None:
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING, claimed_by=message.claimed_by).update(**fields)


def _cancel(message: OutboxMessage, now: datetime, why: str) -> str:
    _finish(message, now, status=OutboxStatus.CANCELLED, last_error=why[:300])
    return OutboxStatus.CANCELLED


def public_base_url() -> str:
    return getattr(settings, "ANAGEN_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def _values(message: OutboxMessage, appointment: Appointment, token: str) -> dict[str, str]:
    clinic = message.clinic
    # An offer from the waiting list names the freed time it offers (kept in appointment_starts_at),
    # and links to the portal's page of offers: no id, no token (the portal needs sign-in).
    offer = message.kind == rules.ReminderKind.SLOT_OFFER
    moment = message.appointment_starts_at if offer and message.appointment_starts_at else appointment.starts_at
    local = timezone.localtime(moment, ZoneInfo(clinic.time_zone or settings.TIME_ZONE))
    values = {
        "clinic": clinic.name,
        "date": f"{local:%a} {local.day} {local:%b %Y}",
        "time": f"{local:%H:%M}",
        "clinic_phone": format_phone(clinic.phone or ""),
        "opt_out_url": public_base_url() + reverse("reminders:opt_out", args=[token]),
    }
    if offer:
        values["portal_url"] = public_base_url() + reverse("portal:waiting_list")
    return values


def _recall_values(message: OutboxMessage, recall: Recall, token: str, booking_token: str) -> dict[str, str]:
    clinic = message.clinic
    day = recall.due_date
    return {
        "clinic": clinic.name,
        "date": f"{day:%a} {day.day} {day:%b %Y}",
        "time": "",
        "clinic_phone": format_phone(clinic.phone or ""),
        "opt_out_url": public_base_url() + reverse("reminders:opt_out", args=[token]),
        # Nothing but the opaque token: no patient, clinic or recall id in the address.
        "booking_url": public_base_url() + reverse("portal:recall_link", args=[booking_token]),
    }


def send_message(message: OutboxMessage, now: datetime) -> str:
    """Check, render and send one claimed message; returns its new status."""
    message = OutboxMessage.objects.select_related("clinic", "patient", "appointment", "recall").get(pk=message.pk)
    appointment = message.appointment
    token = secrets.token_urlsafe(24)
    if message.kind == rules.ReminderKind.RECALL:
        if message.recall is None or not recalls.still_open(message.recall.pk):
            return _cancel(message, now, "the maintenance session is booked or no longer planned")
        if now >= message.expires_at:
            return _cancel(message, now, "stale: its time passed before it could be sent")
    else:
        if appointment is None:
            return _cancel(message, now, "no appointment")
        facts = _facts(appointment, _maintenance_ids([appointment]))
        why = rules.still_valid(message.kind, message.appointment_starts_at or appointment.starts_at, facts, now, message.expires_at)
        if why:
            return _cancel(message, now, why)
    patient = message.patient
    if not may_receive(patient, message.channel, now):
        return _cancel(message, now, "no opt-in for this channel")
    template = template_for(message.clinic, message.kind, message.channel, message.language)
    address = address_for(patient, message.channel)
    if message.kind == rules.ReminderKind.RECALL:
        booking_token = recalls.new_token()
        values = _recall_values(message, message.recall, token, booking_token)
    else:
        values = _values(message, appointment, token)
    route = messaging.route_for(message.clinic, message.channel, message.kind, message.language, address, values, now)
    if template is None:
        if not (route.whatsapp_template or route.free_text_allowed):
            return _cancel(message, now, "no approved WhatsApp template")
        # An approved template (Cloud API) names the wording; else free text inside the window.
        wording = (rules.DEFAULT_TEMPLATES.get((message.kind, message.language))
                   or rules.DEFAULT_TEMPLATES.get((message.kind, Language.ENGLISH)))
        if wording is None:
            return _cancel(message, now, "no approved WhatsApp template")
        template = ResolvedTemplate(wording[0], wording[1], route.whatsapp_template)
    elif route.whatsapp_template:
        template = ResolvedTemplate(template.subject, template.body, route.whatsapp_template)
    elif template.whatsapp_name:
        # A template approved in the wording table: its placeholders, in order, fill {{1}}, {{2}}, ...
        route = messaging.route_with_wording_parameters(route, template.body, values, message.language)
    OptOutToken.objects.create(token_sha256=_token_hash(token), patient=patient, channel=message.channel, message=message, created_at=now)
    if message.kind == rules.ReminderKind.RECALL:
        recalls.store_link(message.recall.pk, booking_token, now)
    outgoing = OutgoingMessage(
        outbox_id=message.pk, channel=message.channel, to=address,
        body=rules.render(template.body, values), subject=template.subject, language=message.language,
        template_values=values, route=replace(route, whatsapp_template=template.whatsapp_name),
    )
    attempts = message.attempts + 1
    try:
        provider_id = provider_for(message.channel).send(outgoing)
    except SendFailed as exc:
        protocol = protocol_for(message.clinic)
        if not exc.retryable or rules.gives_up(attempts, protocol):
            _finish(message, now, status=OutboxStatus.FAILED, attempts=attempts, last_error=str(exc)[:300])
            return OutboxStatus.FAILED
        _finish(message, now, status=OutboxStatus.PENDING, attempts=attempts, last_error=str(exc)[:300], claimed_by="",
                next_attempt_at=now + timedelta(seconds=rules.backoff_seconds(attempts, protocol)))
        return OutboxStatus.PENDING
    with transaction.atomic():
        _finish(message, now, status=OutboxStatus.SENT, attempts=attempts, sent_at=now, provider_message_id=provider_id[:120], last_error="")
        audit.append(Actor.system("reminder-worker", message.clinic_id), "export", object_type="reminder", object_id=message.pk,
                     patient_id=patient.pk, changes={"channel": {"old": None, "new": message.channel},
                                                     "kind": {"old": None, "new": message.kind}})
    return OutboxStatus.SENT


@dataclass
class RunResult:
    scheduled: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


def run_once(now: datetime, *, worker: str | None = None, limit: int = 500, schedule: bool = True) -> RunResult:
    """One pass of the worker: schedule every clinic's due reminders, then send what is due."""
    worker = worker or worker_name()
    result = RunResult()
    recover_stuck(now)
    if schedule:
        for clinic in Clinic.objects.all():
            result.scheduled += schedule_reminders(clinic, now)
            result.scheduled += schedule_recalls(clinic, now)
    for _ in range(limit):
        message = claim_next(now, worker)
        if message is None:
            break
        status = send_message(message, now)
        if status == OutboxStatus.SENT:
            result.sent += 1
        elif status == OutboxStatus.PENDING:
            result.retrying += 1
        elif status == OutboxStatus.FAILED:
            result.failed += 1
        else:
            result.cancelled += 1
    return result


# --- reading ---------------------------------------------------------------------------------


def failed_messages(clinic: Clinic, limit: int = 50) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(clinic=clinic, status=OutboxStatus.FAILED).select_related("patient").order_by("-next_attempt_at")[:limit])


def patient_messages(patient: Patient, limit: int = 20) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(patient=patient).order_by("-scheduled_for", "-id")[:limit])


def retry_failed(actor: Actor, clinic: Clinic, message_id: int, now: datetime | None = None) -> OutboxMessage:
    """Put a failed message back in the queue once (staff fixed the address or the provider)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id, clinic=clinic).first()
        if message is None:
            raise NotFound
        if message.status != OutboxStatus.FAILED:
            raise InvalidState("Only a failed message can be retried.", field="message")
        message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, now
        message.expires_at = max(message.expires_at, now + timedelta(hours=1)) if message.kind != "before" else message.expires_at
        message.save()
        audit.append(actor, "update", object_type="reminder", object_id=message.pk, patient_id=message.patient_id,
                     changes={"status": {"old": "failed", "new": "pending"}})
    return message


# --- the aftercare sheet, sent on request ------------------------------------------------------

# Clinic protocol: advice "for your visit" that could not go out within two days is not sent late.
AFTERCARE_VALID_FOR = timedelta(hours=48)


def sendable_channels(patient: Patient, on: datetime | None = None) -> list[ChannelRow]:
    """The channels this patient may be sent a message on now (consent, opt-in, an address)."""
    return [row for row in channel_rows(patient) if row.active and may_receive(patient, row.channel, on)]


def send_aftercare(actor: Actor, session: TreatmentSession, channel: str, *, now: datetime | None = None) -> OutboxMessage:
    """Queue the aftercare message of a signed session on one of the patient's channels; the
    worker sends it like any reminder. The message says the advice is in the portal (no treatment
    named in a text message); once per session and channel."""
    now = now or timezone.now()
    if channel not in Channel.values:
        raise InvalidInput.single("channel", gettext("Choose email, SMS or WhatsApp."))
    patient, label = session.patient, Channel(channel).label
    if not may_receive(patient, channel, now):
        raise InvalidInput.single("channel", gettext("%(name)s has not agreed to messages by %(channel)s: record the reminders "
                                                     "consent and turn the channel on first.") % {"name": patient.full_name, "channel": label})
    language = session.aftercare_language if session.aftercare_language in Language.values else Language.ENGLISH
    if (template_for(session.clinic, rules.ReminderKind.AFTERCARE, channel, language) is None
            and messaging.approved_for(session.clinic, channel, rules.ReminderKind.AFTERCARE, language) is None):
        raise InvalidInput.single("channel", gettext("No approved %(channel)s template for aftercare messages: a clinic admin adds one first.") % {"channel": label})
    key = f"aftercare:{session.pk}:{channel}"
    with transaction.atomic():
        existing = OutboxMessage.objects.filter(dedupe_key=key).first()
        if existing is not None:
            raise Duplicate(f"The aftercare message for this session was already sent by {label} "
                            f"({display.moment(timezone.localtime(existing.created_at))}).", field="channel")
        appointment = session.appointment
        message = OutboxMessage.objects.create(
            clinic_id=session.clinic_id, patient=patient, appointment=appointment, kind=rules.ReminderKind.AFTERCARE.value,
            channel=channel, language=language, appointment_starts_at=appointment.starts_at, scheduled_for=now,
            expires_at=now + AFTERCARE_VALID_FOR, dedupe_key=key, next_attempt_at=now)
        audit.append(actor, "create", object_type="reminder", object_id=message.pk, patient_id=patient.pk,
                     changes=audit.snapshot_created({"kind": "aftercare", "channel": channel, "treatment_session": session.pk}))
    return message


# --- an earlier time offered from the waiting list (issue 22, item 2) --------------------------


def queue_slot_offer(patient: Patient, appointment: Appointment, offered_starts_at: datetime, expires_at: datetime, key: str, *,
                     now: datetime | None = None) -> list[OutboxMessage]:
    """Queue the message offering ``offered_starts_at`` to a waiting patient about their session
    ``appointment``: one per channel the patient may receive messages on, in that channel's
    language, lapsing at ``expires_at`` (the offer's cut-off). ``key`` names the offer (once per
    offer and channel). None when the patient has no such channel: the portal still shows it."""
    now = now or timezone.now()
    rows = []
    for row in sendable_channels(patient, now):
        if not address_for(patient, row.channel):
            continue
        message, _made = OutboxMessage.objects.get_or_create(
            dedupe_key=f"slot-offer:{key}:{row.channel}"[:120],
            defaults={"clinic_id": patient.clinic_id, "patient": patient, "appointment": appointment,
                      "kind": rules.ReminderKind.SLOT_OFFER.value, "channel": row.channel, "language": row.opt_in.language,  # type: ignore[union-attr]
                      "appointment_starts_at": offered_starts_at, "scheduled_for": now, "expires_at": expires_at,
                      "next_attempt_at": now})
        rows.append(message)
    return rows
