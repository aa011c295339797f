"""Use cases of the waiting list (issue 22, item 2; the rules are ``anagen.core.waitlist``):
a patient joins it from a booked course session and leaves it; a cancellation offers the freed
time to the waiting patients it suits (a portal page and a message through the reminders'
outbox); the first to accept gets it through the portal's own move. Each write is one
transaction with its audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anagen.accounts.models import Clinic
from anagen.accounts.protocols import protocol_for
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.core import waitlist as rules
from anagen.core.errors import NotFound
from anagen.patients.models import Patient
from anagen.patients.services import record_list_read
from anagen.portal import services as portal
from anagen.reminders import services as reminders
from anagen.scheduling.models import Appointment, Status
from anagen.waitlist.models import EntryEnd, FreedTime, SlotOffer, WaitingListEntry

# The actor of what the waiting list does by itself (offers made when an appointment is cancelled).
SYSTEM = "waiting-list"

TAKEN = gettext_lazy("Another patient has taken this time. You stay on the waiting list for an earlier time.")
LAPSED = gettext_lazy("This offer has lapsed: the time is now too close to move to online. You stay on the waiting list.")
SESSION_CHANGED = gettext_lazy("Your session has changed since this time was offered, so the offer no longer applies.")


class WaitlistError(portal.PortalError):
    """The waiting list refuses, with one message in the patient's language."""


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _facts(entry: WaitingListEntry) -> rules.Waiting:
    appointment = entry.appointment
    return rules.Waiting(entry.pk, entry.patient_id, appointment.practitioner_id, appointment.starts_at, entry.joined_starts_at,
                         appointment.status == Status.BOOKED)


def is_open(entry: WaitingListEntry, now: datetime | None = None) -> bool:
    return entry.ended_at is None and rules.entry_open(_facts(entry), _now(now))


def _open_entries() -> Any:
    return WaitingListEntry.objects.filter(ended_at__isnull=True, appointment__status=Status.BOOKED)


def _audit(actor: Actor, action: str, object_type: str, object_id: int, patient_id: int, changes: dict[str, Any]) -> None:
    audit.append(actor, action, object_type=object_type, object_id=object_id, patient_id=patient_id, changes=changes)


# --- the patient joins and leaves ----------------------------------------------------------------


def join(actor: Actor, patient: Patient, appointment_id: int, *, now: datetime | None = None) -> WaitingListEntry:
    """Put one of the patient's own booked course sessions on the waiting list for an earlier
    time: only a session the patient may move themselves (the portal's rules), once at a time."""
    now = _now(now)
    appointment = portal.own_appointment(patient, appointment_id)
    service = portal.self_service_for(appointment, now)
    if not service.allowed:
        raise WaitlistError(str(service.reason))
    try:
        with transaction.atomic():
            entry = WaitingListEntry.objects.create(clinic_id=patient.clinic_id, patient=patient, appointment=appointment,
                                                    joined_starts_at=appointment.starts_at, created_at=now)
            _audit(actor, Action.CREATE, "waitlist_entry", entry.pk, patient.pk,
                   {"appointment": {"old": None, "new": str(appointment.pk)},
                    "starts_at": {"old": None, "new": appointment.starts_at.isoformat()}})
    except IntegrityError as exc:
        raise WaitlistError(_("You are already on the waiting list for this session.")) from exc
    return entry


def _own_entry(patient: Patient, entry_id: int) -> WaitingListEntry:
    entry = WaitingListEntry.objects.select_related("appointment").filter(pk=entry_id, patient=patient,
                                                                          clinic_id=patient.clinic_id).first()
    if entry is None:
        raise NotFound
    return entry


def leave(actor: Actor, patient: Patient, entry_id: int, *, now: datetime | None = None) -> WaitingListEntry:
    """The patient leaves the waiting list for that session (once; again: refused)."""
    now = _now(now)
    entry = _own_entry(patient, entry_id)
    with transaction.atomic():
        ended = WaitingListEntry.objects.filter(pk=entry.pk, ended_at__isnull=True).update(ended_at=now, end_reason=EntryEnd.LEFT)
        if not ended:
            raise WaitlistError(_("You are no longer on the waiting list for this session."))
        _audit(actor, Action.UPDATE, "waitlist_entry", entry.pk, patient.pk, {"end_reason": {"old": None, "new": EntryEnd.LEFT}})
    entry.refresh_from_db()
    return entry


def end_entries(appointment: Appointment, reason: str, *, now: datetime | None = None) -> int:
    """End the open entry of a session moved or cancelled (the calendar's signals)."""
    now = _now(now)
    entries = list(WaitingListEntry.objects.filter(appointment_id=appointment.pk, ended_at__isnull=True))
    for entry in entries:
        if reason == EntryEnd.MOVED and entry.joined_starts_at == appointment.starts_at:
            continue
        WaitingListEntry.objects.filter(pk=entry.pk).update(ended_at=now, end_reason=reason)
        _audit(Actor.system(SYSTEM, appointment.clinic_id), Action.UPDATE, "waitlist_entry", entry.pk, entry.patient_id,
               {"end_reason": {"old": None, "new": reason}})
    return len(entries)


# --- a cancellation offers its time --------------------------------------------------------------


def offer_freed_time(appointment: Appointment, *, now: datetime | None = None) -> FreedTime | None:
    """Offer the time of a just-cancelled appointment to every waiting patient whose session it
    suits (``core.waitlist.wants``) and whose move to it the portal would allow now
    (``portal.may_move_to``: notice, open day, spacing, combination days, practitioner, room and
    patient free). Each offer is a portal page and a message on the patient's channels; audited.
    None when nobody is offered it."""
    now = _now(now)
    protocol = protocol_for(appointment.clinic)
    if not rules.may_offer(appointment.starts_at, protocol, now) or FreedTime.objects.filter(cancelled_appointment=appointment).exists():
        return None
    freed_facts = rules.FreedTime(appointment.starts_at, appointment.practitioner_id, appointment.patient_id)
    waiting = (_open_entries().filter(clinic_id=appointment.clinic_id, appointment__practitioner_id=appointment.practitioner_id,
                                      appointment__starts_at__gt=appointment.starts_at)
               .exclude(patient_id=appointment.patient_id)
               .select_related("patient", "appointment__clinic", "appointment__practitioner", "appointment__room"))
    chosen = [e for e in waiting if rules.wants(_facts(e), freed_facts, now) and portal.may_move_to(e.appointment, appointment.starts_at, now=now)]
    if not chosen:
        return None
    expires = rules.offer_deadline(appointment.starts_at, protocol)
    freed = FreedTime.objects.create(clinic_id=appointment.clinic_id, cancelled_appointment=appointment,
                                     practitioner_id=appointment.practitioner_id, starts_at=appointment.starts_at, created_at=now,
                                     expires_at=expires)
    system = Actor.system(SYSTEM, appointment.clinic_id)
    for entry in chosen:
        offer = SlotOffer.objects.create(clinic_id=appointment.clinic_id, freed=freed, entry=entry, patient=entry.patient,
                                         created_at=now, expires_at=expires)
        messages = reminders.queue_slot_offer(entry.patient, entry.appointment, freed.starts_at, expires, str(offer.pk), now=now)
        _audit(system, Action.CREATE, "waitlist_offer", offer.pk, entry.patient_id,
               {"appointment": {"old": None, "new": str(entry.appointment_id)},
                "offered_starts_at": {"old": None, "new": freed.starts_at.isoformat()},
                "channels": {"old": None, "new": sorted(m.channel for m in messages)}})
    return freed


# --- the patient reads and accepts ---------------------------------------------------------------


@dataclass(frozen=True)
class OfferView:
    offer: SlotOffer
    state: str  # "open", "taken" (by someone else), "accepted" (by this patient), "lapsed", "changed"

    @property
    def starts_at(self) -> datetime:
        return timezone.localtime(self.offer.freed.starts_at)


@dataclass(frozen=True)
class WaitingList:
    entries: list[WaitingListEntry]  # open ones
    offers: list[OfferView]  # of the last days, newest first


def _state(offer: SlotOffer, now: datetime) -> str:
    if offer.accepted_at is not None:
        return "accepted"
    if offer.freed.taken_at is not None:
        return "taken"
    if now >= offer.expires_at:
        return "lapsed"
    if offer.entry.ended_at is not None or not rules.entry_open(_facts(offer.entry), now):
        return "changed"
    return "open"


def own_waiting_list(actor: Actor, patient: Patient, *, now: datetime | None = None, days: int = 14) -> WaitingList:
    """The patient's open entries and the offers of the last ``days`` days (audited as a read)."""
    now = _now(now)
    entries = [e for e in _open_entries().filter(patient=patient, clinic_id=patient.clinic_id, appointment__starts_at__gt=now)
               .select_related("appointment__practitioner", "appointment__clinic").order_by("appointment__starts_at", "id")
               if is_open(e, now)]
    offers = list(SlotOffer.objects.filter(patient=patient, clinic_id=patient.clinic_id, created_at__gte=now - timedelta(days=days))
                  .select_related("freed", "entry__appointment").order_by("-created_at", "-id")[:20])
    if entries or offers:
        _audit(actor, Action.READ, "waitlist", patient.pk, patient.pk, {})
    return WaitingList(entries, [OfferView(o, _state(o, now)) for o in offers])


def accept(actor: Actor, patient: Patient, offer_id: int, *, now: datetime | None = None) -> Appointment:
    """Take an offered time: the portal's own move of the waiting session (its rules, the lock on
    the appointment, the calendar's slot constraint), the freed time marked taken, the offer
    accepted and the entry ended, all or nothing. Acceptances of one freed time queue on its row
    (SELECT ... FOR UPDATE); the later ones read ``TAKEN`` and keep their entries."""
    now = _now(now)
    found = SlotOffer.objects.filter(pk=offer_id, patient=patient, clinic_id=patient.clinic_id).first()
    if found is None:
        raise NotFound
    with transaction.atomic():
        freed = FreedTime.objects.select_for_update().get(pk=found.freed_id)
        offer = SlotOffer.objects.select_related("entry__appointment").get(pk=found.pk)
        if offer.accepted_at is not None:
            raise WaitlistError(_("You have already taken this time."))
        if freed.taken_at is not None:
            raise WaitlistError(str(TAKEN))
        if now >= offer.expires_at:
            raise WaitlistError(str(LAPSED))
        entry = offer.entry
        if entry.ended_at is not None or not rules.entry_open(_facts(entry), now):
            raise WaitlistError(str(SESSION_CHANGED))
        try:
            moved = portal.move_own_session(actor, patient, entry.appointment_id, freed.starts_at.isoformat(),
                                            expected_version=entry.appointment.version, now=now)
        except portal.PortalError as exc:
            if str(exc.message) == str(portal.TAKEN):
                raise WaitlistError(str(TAKEN)) from exc
            raise WaitlistError(exc.message) from exc
        FreedTime.objects.filter(pk=freed.pk).update(taken_at=now, taken_by=entry)
        SlotOffer.objects.filter(pk=offer.pk).update(accepted_at=now)
        # The move ended the entry as "moved" (the calendar's signal): it ended by this offer.
        WaitingListEntry.objects.filter(pk=entry.pk).update(ended_at=now, end_reason=EntryEnd.OFFER_TAKEN)
        _audit(actor, Action.UPDATE, "waitlist_offer", offer.pk, patient.pk,
               {"accepted": {"old": None, "new": now.isoformat()}, "starts_at": {"old": entry.joined_starts_at.isoformat(),
                                                                                  "new": moved.starts_at.isoformat()}})
    return moved


# --- reception and the API -----------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One line of reception's self-service list: ``kind`` "joined", "offered" or "taken"."""

    kind: str
    at: datetime
    patient: Patient | None
    starts_at: datetime  # the session waiting ("joined"), the time offered or taken
    count: int = 0  # "offered": how many patients
    session_number: int | None = None


def recent_events(clinic: Clinic, *, now: datetime | None = None, days: int = 7, limit: int = 20) -> list[Event]:
    """The waiting list's last ``days`` days for reception's Today panel, newest first: who
    joined, which freed times were offered (to how many) and who took one. Three queries."""
    since = _now(now) - timedelta(days=days)
    events = [Event("joined", e.created_at, e.patient, e.joined_starts_at, session_number=e.appointment.course_session_number)
              for e in WaitingListEntry.objects.filter(clinic=clinic, created_at__gte=since).select_related("patient", "appointment")
              .order_by("-created_at", "-id")[:limit]]
    freed = list(FreedTime.objects.filter(Q(created_at__gte=since) | Q(taken_at__gte=since), clinic=clinic)
                 .select_related("taken_by__patient", "taken_by__appointment").order_by("-created_at", "-id")[:limit])
    from_offers = dict(SlotOffer.objects.filter(freed__in=freed).values("freed_id").annotate(n=Count("id")).values_list("freed_id", "n"))
    for f in freed:
        if f.created_at >= since:
            events.append(Event("offered", f.created_at, None, f.starts_at, count=from_offers.get(f.pk, 0)))
        if f.taken_at is not None and f.taken_by is not None:
            events.append(Event("taken", f.taken_at, f.taken_by.patient, f.starts_at,
                                session_number=f.taken_by.appointment.course_session_number))
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]


def list_entries(actor: Actor, clinic: Clinic, *, open_only: bool = True, page: int = 1, page_size: int = 25,
                 now: datetime | None = None) -> Page[WaitingListEntry]:
    """The clinic's waiting-list entries (open ones by default: booked, ahead, not ended), oldest
    first; one audit entry names the patients listed."""
    now = _now(now)
    query = WaitingListEntry.objects.filter(clinic=clinic).select_related("patient", "appointment")
    if open_only:
        query = query.filter(ended_at__isnull=True, appointment__status=Status.BOOKED, appointment__starts_at__gt=now)
    found = page_of_query(query.order_by("created_at", "id"), page, page_size)
    if open_only:
        found = Page([e for e in found.items if e.joined_starts_at == e.appointment.starts_at], found.count, found.page, found.page_size)
    record_list_read(actor, list({e.patient_id: e.patient for e in found.items}.values()))
    return found
