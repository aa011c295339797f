"""Use cases of online booking by new patients (issue 22, item 1).

1. ``free_consultation_times``: the clinic calendar's free first-consultation starts on an open day,
   from the scheduling app's own free-slot search (``scheduling.services.free_starts``) within the
   opening hours and closures (``accounts.protocols.opening_hours``).
2. ``request_code``: the patient's details and chosen time are kept in a ``BookingRequest`` and a
   six-digit code goes to their mobile through the clinic's message provider (the reminders app's
   SMS or WhatsApp adapter; email as the fallback when one was given).
3. ``confirm_code``: a right code, within its lifetime and tries (``anagen.core.online_booking``),
   creates in one transaction a provisional patient flagged for reception's duplicate check and
   the booked consultation, audited with the actor "online booking". The calendar's unique slot
   holds decide a race: the loser hears that the time was just taken, and keeps their verified
   details to choose another (``book_verified``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anagen.accounts.models import Clinic, Language, Role, User
from anagen.accounts.protocols import opening_hours, opening_hours_on
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.booking.models import BookingRequest, CodeChannel, OnlineBookingSettings
from anagen.core import display
from anagen.core import online_booking as rules
from anagen.core.errors import Conflict, FieldError, InvalidInput, NotFound
from anagen.core.identifiers import IdentifierError, normalise_indian_mobile
from anagen.patients import services as patients
from anagen.patients.models import Sex
from anagen.patients.names import InvalidName, clean_name
from anagen.reminders.messaging import account_for
from anagen.reminders.providers import OutgoingMessage, Route, SendFailed, provider_for
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment, Kind, Room

log = logging.getLogger("anagen.booking")

ACTOR_NAME = "online booking"
# Unfinished requests (the code never typed) hold a name and a number: gone after a day.
STALE_REQUEST_HOURS = 24


class BookingClosed(Conflict):
    kind = "invalid-state"
    default_message = "This clinic does not take bookings online."


class BookingRefused(Conflict):
    """The request looks automated (the honeypot field was filled)."""

    kind = "invalid-state"
    default_message = "Your request could not be accepted. Please call the clinic."


class SlotGone(Conflict):
    """The chosen time was taken (by reception or another patient) before the booking committed."""

    kind = "duplicate"
    default_message = "That time was just taken. Choose another."


class CodeNotSent(Conflict):
    kind = "invalid-state"
    default_message = "The code could not be sent."


class CodeExpired(Conflict):
    kind = "invalid-state"
    default_message = "This code has expired."


class CodeUsedUp(Conflict):
    kind = "invalid-state"
    default_message = "Too many wrong codes."


def actor_for(clinic: Clinic, ip_address: str | None) -> Actor:
    """Who the audit trail names for what a patient does on the public pages."""
    return Actor(user_id=None, username=ACTOR_NAME, clinic_id=clinic.pk, ip_address=ip_address)


# --- the clinic's settings ----------------------------------------------------------------------


def settings_for(clinic: Clinic) -> OnlineBookingSettings:
    return OnlineBookingSettings.objects.filter(clinic=clinic).first() or OnlineBookingSettings(clinic=clinic)


SETTING_FIELDS = ("enabled", "code_channel", "whatsapp_template", "whatsapp_language_code", "dlt_template_id")


def save_settings(actor: Actor, clinic: Clinic, values: dict) -> OnlineBookingSettings:
    cleaned = {
        "enabled": bool(values.get("enabled")),
        "code_channel": str(values.get("code_channel") or ""),
        "whatsapp_template": str(values.get("whatsapp_template") or "").strip(),
        "whatsapp_language_code": str(values.get("whatsapp_language_code") or "").strip(),
        "dlt_template_id": str(values.get("dlt_template_id") or "").strip(),
    }
    errors = []
    if cleaned["code_channel"] not in CodeChannel.values:
        errors.append(FieldError("code_channel", _("Choose SMS or WhatsApp.")))
    if cleaned["enabled"] and cleaned["code_channel"] == CodeChannel.WHATSAPP and not cleaned["whatsapp_template"]:
        errors.append(FieldError("whatsapp_template", _("Give the approved template the code is sent with.")))
    if cleaned["dlt_template_id"] and not (cleaned["dlt_template_id"].isdigit() and len(cleaned["dlt_template_id"]) == 19):
        errors.append(FieldError("dlt_template_id", _("The DLT template ID is the 19-digit number the DLT platform issued.")))
    if cleaned["enabled"] and cleaned["code_channel"] == CodeChannel.SMS and not cleaned["dlt_template_id"]:
        errors.append(FieldError("dlt_template_id", _("Every SMS to an Indian number needs its DLT template ID.")))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        stored = OnlineBookingSettings.objects.select_for_update().filter(clinic=clinic).first() or OnlineBookingSettings(clinic=clinic)
        before = {f: getattr(stored, f) for f in SETTING_FIELDS}
        for name, value in cleaned.items():
            setattr(stored, name, value)
        stored.save()
        audit.append(actor, Action.UPDATE, object_type="online_booking_settings", object_id=clinic.pk, patient_id=None,
                     changes=audit.diff(before, cleaned))
    return stored


def clinics_taking_bookings() -> list[Clinic]:
    return list(Clinic.objects.filter(online_booking__enabled=True).order_by("name"))


def open_clinic(clinic_id: int) -> Clinic:
    """The clinic of a public booking page; NotFound for an unknown id."""
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None:
        raise NotFound
    return clinic


def takes_bookings(clinic: Clinic) -> bool:
    return settings_for(clinic).enabled


# --- free times --------------------------------------------------------------------------------


def consultation_minutes(clinic: Clinic) -> int:
    return scheduling.durations_for(clinic)[Kind.CONSULTATION]


def _consultants(clinic: Clinic) -> list[User]:
    """Who sees a new patient: the trichologists (the clinic's other practitioners treat)."""
    return list(scheduling.bookable_practitioners(clinic).filter(role=Role.TRICHOLOGIST))


def open_days(clinic: Clinic, today: date) -> list[date]:
    """The days a patient may choose: within the booking horizon, on the clinic's open weekdays,
    not on a closure."""
    days = rules.bookable_days(today)
    hours = opening_hours_on(clinic, days)
    return [day for day in days if hours[day] is not None]


def _free_on(clinic: Clinic, day: date, now: datetime) -> dict[datetime, tuple[User, Room]]:
    hours = opening_hours(clinic, day)
    if hours is None or not rules.is_bookable_day(day, timezone.localdate(now)):
        return {}
    minutes = consultation_minutes(clinic)
    found: dict[datetime, tuple[User, Room]] = {}
    for person in _consultants(clinic):
        for start, practitioner, room in scheduling.free_starts(clinic, day, minutes, opens=hours[0], closes=hours[1],
                                                                 practitioner=person, now=now, limit=96):
            found.setdefault(start, (practitioner, room))
    return dict(sorted(found.items()))


def free_consultation_times(clinic: Clinic, day: date, now: datetime) -> list[datetime]:
    """The starts a new patient may choose on ``day`` (aware datetimes, sorted)."""
    return list(_free_on(clinic, day, now))


# --- the code ----------------------------------------------------------------------------------


def _hmac(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def _code_hash(request_id: int, code: str) -> str:
    return _hmac(f"booking-code:{request_id}:{code}")


def _phone_hash(phone: str) -> str:
    return _hmac(f"booking-number:{phone}")


def new_code() -> str:
    return f"{secrets.randbelow(10 ** rules.CODE_DIGITS):0{rules.CODE_DIGITS}d}"


@dataclass(frozen=True)
class Details:
    """What the patient typed, as the public form passed it on (strings and a date)."""

    given_name: str
    family_name: str
    date_of_birth: date | None
    sex: str
    phone: str
    email: str = ""
    language: str = Language.ENGLISH


def _clean(details: Details, today: date) -> dict:
    errors: list[FieldError] = []
    values: dict = {}
    for field, required in (("given_name", True), ("family_name", False)):
        try:
            values[field] = clean_name(getattr(details, field) or "", required=required)
        except InvalidName:
            errors.append(FieldError(field, _("Enter your name in letters, e.g. Priya.") if required
                                     else _("Enter your family name in letters, or leave it empty.")))
    if details.date_of_birth is None:
        errors.append(FieldError("date_of_birth", _("Enter your date of birth.")))
    elif details.date_of_birth > today or today.year - details.date_of_birth.year > 120:
        errors.append(FieldError("date_of_birth", _("Enter your real date of birth.")))
    else:
        values["date_of_birth"] = details.date_of_birth
    if details.sex not in Sex.values:
        errors.append(FieldError("sex", _("Choose one.")))
    else:
        values["sex"] = details.sex
    try:
        values["phone"] = normalise_indian_mobile(details.phone or "")
    except IdentifierError:
        errors.append(FieldError("phone", _("Enter an Indian mobile number, e.g. 98200 12345.")))
    values["email"] = (details.email or "").strip()
    values["language"] = details.language if details.language in Language.values else Language.ENGLISH
    if errors:
        raise InvalidInput(errors)
    return values


def _message(clinic: Clinic, channel: str, booking: BookingRequest, code: str, to: str) -> OutgoingMessage:
    with translation.override(booking.language):
        body = _("%(code)s is your code to confirm your consultation at %(clinic)s. It is valid for %(minutes)s minutes. "
                 "Do not share it.") % {"code": code, "clinic": clinic.name, "minutes": int(rules.CODE_LIFETIME.total_seconds() // 60)}
        subject = _("Your booking code")
    config = settings_for(clinic)
    account = account_for(clinic)
    if channel == CodeChannel.WHATSAPP:
        route = Route(whatsapp_template=config.whatsapp_template, template_language_code=config.whatsapp_language_code,
                      template_parameters=(code,), whatsapp_phone_number_id=account.whatsapp_phone_number_id,
                      button_parameters=(code,))
    elif channel == CodeChannel.SMS:
        route = Route(sms_sender_id=account.sms_sender_id, dlt_template_id=config.dlt_template_id)
    else:
        route = Route()
    return OutgoingMessage(outbox_id=booking.pk, channel=channel, to=to, body=body, subject=subject,
                           language=booking.language, template_values={"code": code, "clinic": clinic.name}, route=route)


def _send(clinic: Clinic, booking: BookingRequest, code: str) -> str:
    """Send the code by the clinic's channel; by email if that fails and an address was given.
    Returns the channel that carried it."""
    channel = settings_for(clinic).code_channel
    try:
        provider_for(channel).send(_message(clinic, channel, booking, code, booking.phone))
        return channel
    except SendFailed as exc:
        # The provider's reason names no number and no text (reminders.providers).
        log.warning("online booking request %s: the code did not go by %s (%s)", booking.pk, channel, exc)
        if not booking.email:
            raise
    provider_for("email").send(_message(clinic, "email", booking, code, booking.email))
    return "email"


def _purge_stale(now: datetime) -> None:
    BookingRequest.objects.filter(appointment__isnull=True, created_at__lt=now - timedelta(hours=STALE_REQUEST_HOURS)).delete()


def request_code(clinic: Clinic, *, starts_at: datetime, details: Details, honeypot: str = "",
                 now: datetime | None = None) -> BookingRequest:
    """Keep the request and send its code; InvalidInput names the field at fault."""
    now = now or timezone.now()
    if honeypot.strip():
        raise BookingRefused(_("Your request could not be accepted. Please call the clinic to book."))
    if not takes_bookings(clinic):
        raise BookingClosed(_("This clinic does not take bookings online. Please call the clinic."))
    values = _clean(details, timezone.localdate(now))
    if not isinstance(starts_at, datetime) or starts_at not in _free_on(clinic, timezone.localtime(starts_at).date(), now):
        raise InvalidInput.single("starts_at", _("That time is not free any more. Choose another."))
    phone_hash = _phone_hash(values["phone"])
    recent = list(BookingRequest.objects.filter(phone_hash=phone_hash, sent_at__gt=now - rules.CODES_PER_NUMBER_WINDOW)
                  .values_list("sent_at", flat=True))
    if not rules.number_may_receive_code(recent, now):
        raise InvalidInput.single("phone", _("Several codes were sent to this number in the last hour. "
                                             "Try again in an hour, or call the clinic."))
    _purge_stale(now)
    code = new_code()
    with transaction.atomic():
        booking = BookingRequest.objects.create(clinic=clinic, starts_at=starts_at, phone_hash=phone_hash, sent_at=now,
                                                code_hash="", **values)
        booking.code_hash = _code_hash(booking.pk, code)
        booking.save(update_fields=["code_hash"])
    try:
        booking.sent_by = _send(clinic, booking, code)
    except SendFailed as exc:
        booking.delete()
        raise CodeNotSent(_("We could not send the code just now. Try again in a few minutes, or call the clinic."),
                          field="phone") from exc
    booking.save(update_fields=["sent_by"])
    log.info("online booking request %s: code sent by %s", booking.pk, booking.sent_by)
    return booking


def pending_request(clinic: Clinic, request_id: int | None) -> BookingRequest:
    found = BookingRequest.objects.filter(pk=request_id, clinic=clinic).first() if request_id else None
    if found is None:
        raise NotFound
    return found


@dataclass(frozen=True)
class Booked:
    appointment: Appointment
    clinic: Clinic

    @property
    def when(self) -> str:
        local = timezone.localtime(self.appointment.starts_at)
        return f"{display.day(local.date())}, {display.clock(local)}"


def confirm_code(booking: BookingRequest, code: str, *, ip_address: str | None = None, now: datetime | None = None) -> Booked:
    """Check a code; on the right one, book. Raises InvalidInput (wrong code, with the tries left),
    CodeExpired, CodeUsedUp, or SlotGone (the number is then verified: choose another time)."""
    now = now or timezone.now()
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == rules.CODE_DIGITS):
        raise InvalidInput.single("code", _("Enter the %(digits)s digits of the code we sent.") % {"digits": rules.CODE_DIGITS})
    with transaction.atomic():
        current = BookingRequest.objects.select_for_update().get(pk=booking.pk)
        if current.done:
            raise CodeUsedUp(_("This booking is already confirmed."))
        if current.verified_at is None:
            matches = hmac.compare_digest(current.code_hash, _code_hash(current.pk, code))
            verdict = rules.judge_code(rules.CodeState(sent_at=current.sent_at, failed_tries=current.failed_tries), matches=matches, now=now)
            if verdict is rules.CodeVerdict.EXPIRED:
                raise CodeExpired(_("This code has expired. Start again to get a new one."), field="code")
            if verdict in (rules.CodeVerdict.WRONG, rules.CodeVerdict.USED_UP):
                if current.failed_tries < rules.MAX_CODE_TRIES:
                    BookingRequest.objects.filter(pk=current.pk).update(failed_tries=current.failed_tries + 1)
                    current.failed_tries += 1
                left = rules.tries_left(current.failed_tries)
                if left == 0 or verdict is rules.CodeVerdict.USED_UP:
                    refusal: Exception | None = CodeUsedUp(_("Too many wrong codes: this code no longer works. Start again to get a new one."),
                                                   field="code")
                else:
                    refusal = InvalidInput.single("code", _("That code is not right. %(left)s tries left.") % {"left": left})
            else:
                current.verified_at = now
                current.save(update_fields=["verified_at"])
                refusal = None
        else:
            refusal = None
    # Raised after the block so the counted try is committed, not rolled back with the refusal.
    if refusal is not None:
        raise refusal
    return book_verified(current, current.starts_at, ip_address=ip_address, now=now)


def book_verified(booking: BookingRequest, starts_at: datetime, *, ip_address: str | None = None,
                  now: datetime | None = None) -> Booked:
    """Book a request whose number the code verified: the provisional patient and the consultation
    in one transaction, or SlotGone with nothing written."""
    now = now or timezone.now()
    clinic = booking.clinic
    with transaction.atomic():
        current = BookingRequest.objects.select_for_update().get(pk=booking.pk)
        if current.done:
            raise CodeUsedUp(_("This booking is already confirmed."))
        if current.verified_at is None or now >= rules.verified_until(current.verified_at):
            raise CodeExpired(_("Your confirmation has expired. Start again to get a new code."))
        free = _free_on(clinic, timezone.localtime(starts_at).date(), now)
        if starts_at not in free:
            raise SlotGone(_("That time was just taken. Choose another: your details are kept."), field="starts_at")
        practitioner, room = free[starts_at]
        actor = actor_for(clinic, ip_address)
        try:
            with transaction.atomic():
                patient = patients.register_patient(actor, clinic, {
                    "given_name": current.given_name, "family_name": current.family_name,
                    "date_of_birth": current.date_of_birth, "sex": current.sex, "phone": current.phone,
                    "email": current.email, "preferred_language": current.language, "needs_duplicate_check": True,
                }, confirm_duplicate=True)
                appointment = scheduling.book_appointment(
                    actor, clinic, patient=patient, practitioner=practitioner, room=room, kind=Kind.CONSULTATION,
                    starts_at=starts_at, duration_minutes=consultation_minutes(clinic),
                    notes=str(_("First consultation, booked online.")))
        except scheduling.SlotTaken as exc:
            # The calendar's unique slot holds refused it: someone took the time a moment ago.
            raise SlotGone(_("That time was just taken. Choose another: your details are kept."), field="starts_at") from exc
        current.patient, current.appointment, current.starts_at = patient, appointment, starts_at
        # The request has done its work: the typed details live on in the patient record only.
        current.given_name = current.family_name = current.phone = current.email = current.sex = ""
        current.date_of_birth = None
        current.save()
        audit.append(actor, Action.CREATE, object_type="online_booking", object_id=current.pk, patient_id=patient.pk,
                     changes=audit.snapshot_created({"appointment_id": appointment.pk, "code_sent_by": current.sent_by}))
    log.info("online booking request %s: booked appointment %s", current.pk, appointment.pk)
    return Booked(appointment=appointment, clinic=clinic)
