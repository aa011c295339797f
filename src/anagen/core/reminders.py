"""When reminders are due, how retries back off, and what a message may say.

Sources:
- Appointment reminders 48 hours and 3 hours before: clinic protocol (configurable: the
  clinic's reminder settings, ``before_hours``).
- The side-effect check after a session: redness, sensitivity and pinpoint bruising resolve in
  24-48 hours (domain.md §1), so the check goes 24 hours after the session ends and is stale
  after 48 hours; clinic protocol (configurable: ``side_effect_check_hours``).
- The maintenance-due notice: maintenance every 1-3 months (domain.md §1); the notice goes a
  number of days before the planned maintenance visit, clinic protocol (configurable:
  ``maintenance_notice_days``, default 7).
- Messages by SMS and WhatsApp are not private, and WhatsApp needs explicit opt-in and
  approved templates (domain.md §8): a message names only the clinic, the date and time.
- The recall of a maintenance date nobody has booked (issue 22, item 3): the rules are in
  anagen.core.recall; it goes ``recall_days_before`` days before the date (default 14) and
  carries a one-time booking link ({booking_url}).
- Retries: exponential back-off, ``base × 2^(attempt-1)`` seconds capped at ``cap``; after
  ``max_attempts`` failed attempts the message is reported as failed. Clinic protocol
  (configurable: ``max_attempts``, ``backoff_base_seconds``, ``backoff_max_seconds``).

Pure: every moment is an argument; nothing here reads a clock.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from anagen.core.errors import FieldError, InvalidInput


class ReminderKind(StrEnum):
    BEFORE = "before"  # "appointment at <clinic> on <date/time>", n hours before
    SIDE_EFFECT_CHECK = "side_effect_check"  # 24-48 hours after a session
    MAINTENANCE_DUE = "maintenance_due"  # "your maintenance session is due"
    AFTERCARE = "aftercare"  # sent by staff after a session: the aftercare advice is in the portal
    RECALL = "recall"  # a maintenance session nobody has booked yet: a one-tap link to book it
    SLOT_OFFER = "slot_offer"  # a cancelled time offered to a patient on the waiting list (anagen.core.waitlist)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"


@dataclass(frozen=True)
class ReminderProtocol:
    before_hours: tuple[int, ...] = (48, 3)
    side_effect_check_hours: int = 24
    side_effect_stale_hours: int = 48
    maintenance_notice_days: int = 7
    max_attempts: int = 5
    backoff_base_seconds: int = 60
    backoff_max_seconds: int = 3600
    recall_days_before: int = 14  # anagen.core.recall: when the recall of an unbooked maintenance date goes

    def __post_init__(self) -> None:
        errors = []
        if not self.before_hours or any(h < 1 or h > 24 * 14 for h in self.before_hours):
            errors.append(("before_hours", "Give one or more hours between 1 and 336, e.g. 48, 3."))
        elif len(set(self.before_hours)) != len(self.before_hours):
            errors.append(("before_hours", "Each reminder time may appear once."))
        if not 1 <= self.side_effect_check_hours < self.side_effect_stale_hours <= 24 * 7:
            errors.append(("side_effect_check_hours", "The check must go after the session and before it is stale (at most 7 days)."))
        if not 1 <= self.maintenance_notice_days <= 60:
            errors.append(("maintenance_notice_days", "Between 1 and 60 days."))
        if not 1 <= self.recall_days_before <= 60:
            errors.append(("recall_days_before", "Between 1 and 60 days."))
        if not 1 <= self.max_attempts <= 20:
            errors.append(("max_attempts", "Between 1 and 20 attempts."))
        if not 1 <= self.backoff_base_seconds <= self.backoff_max_seconds <= 86_400:
            errors.append(("backoff_base_seconds", "The base back-off must be at least 1 second and at most the cap (1 day)."))
        if errors:
            raise InvalidInput(FieldError(f, m) for f, m in errors)


@dataclass(frozen=True)
class AppointmentFacts:
    """What the timing rules need to know about one appointment (aware datetimes)."""

    appointment_id: int
    starts_at: datetime
    ends_at: datetime
    status: str  # booked, arrived, completed, cancelled, no_show
    is_procedure: bool  # an injection session (mesotherapy, PRF, exosomes, peptides)
    is_maintenance: bool  # a maintenance-phase session of a course plan


@dataclass(frozen=True)
class DueReminder:
    appointment_id: int
    kind: ReminderKind
    # For BEFORE reminders, the hours before the start; 0 otherwise.
    hours: int
    send_at: datetime
    # After this moment the message is stale and must not go out.
    expires_at: datetime

    @property
    def slot(self) -> str:
        """Names the reminder within its appointment: 'before48', 'side_effect_check'."""
        return f"before{self.hours}" if self.kind == ReminderKind.BEFORE else self.kind.value


def planned_reminders(appt: AppointmentFacts, protocol: ReminderProtocol) -> list[DueReminder]:
    """Every reminder the protocol plans for an appointment, due or not, in send order.

    A "before" reminder is valid from its time until the next closer reminder's time (or the
    start), so a late booking gets only the reminders still meaningful, never a "48 hours" one
    two hours before. The maintenance notice is valid until the first "before" reminder.
    """
    out: list[DueReminder] = []
    hours_desc = sorted(protocol.before_hours, reverse=True)
    if appt.status == "booked":
        if appt.is_maintenance:
            send = appt.starts_at - timedelta(days=protocol.maintenance_notice_days)
            until = appt.starts_at - timedelta(hours=hours_desc[0])
            if until > send:
                out.append(DueReminder(appt.appointment_id, ReminderKind.MAINTENANCE_DUE, 0, send, until))
        for index, hours in enumerate(hours_desc):
            send = appt.starts_at - timedelta(hours=hours)
            until = appt.starts_at - timedelta(hours=hours_desc[index + 1]) if index + 1 < len(hours_desc) else appt.starts_at
            out.append(DueReminder(appt.appointment_id, ReminderKind.BEFORE, hours, send, until))
    if appt.status == "completed" and appt.is_procedure:
        send = appt.ends_at + timedelta(hours=protocol.side_effect_check_hours)
        until = appt.ends_at + timedelta(hours=protocol.side_effect_stale_hours)
        out.append(DueReminder(appt.appointment_id, ReminderKind.SIDE_EFFECT_CHECK, 0, send, until))
    return out


def due_reminders(appt: AppointmentFacts, now: datetime, protocol: ReminderProtocol) -> list[DueReminder]:
    """The planned reminders whose time has come and which are not yet stale at ``now``."""
    return [r for r in planned_reminders(appt, protocol) if r.send_at <= now < r.expires_at]


def still_valid(reminder_kind: str, scheduled_start: datetime, appt: AppointmentFacts, now: datetime, expires_at: datetime) -> str:
    """At send time: '' if the message may go, else why not (cancelled, moved, stale)."""
    if now >= expires_at:
        return "stale: its time passed before it could be sent"
    if reminder_kind in (ReminderKind.SIDE_EFFECT_CHECK, ReminderKind.AFTERCARE):
        return "" if appt.status == "completed" else f"appointment is {appt.status.replace('_', ' ')}"
    if reminder_kind == ReminderKind.SLOT_OFFER:
        # The offer names the freed time, not the waiting session's: that session must still be booked.
        return "" if appt.status == "booked" else f"appointment is {appt.status.replace('_', ' ')}"
    if appt.status != "booked":
        return f"appointment is {appt.status.replace('_', ' ')}"
    if appt.starts_at != scheduled_start:
        return "appointment was moved"
    return ""


def dedupe_key(appointment_id: int, slot: str, channel: str, starts_at: datetime) -> str:
    """One message per appointment, reminder and channel; a moved appointment gets new keys."""
    return f"{appointment_id}:{slot}:{channel}:{int(starts_at.timestamp())}"


def backoff_seconds(attempts: int, protocol: ReminderProtocol) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt (1-based)."""
    if attempts < 1:
        raise ValueError("attempts start at 1")
    return min(protocol.backoff_max_seconds, protocol.backoff_base_seconds * 2 ** (attempts - 1))


def gives_up(attempts: int, protocol: ReminderProtocol) -> bool:
    return attempts >= protocol.max_attempts


# --- message text --------------------------------------------------------------------------

# The only values a template may use: no names of treatments, diagnoses or the patient's name.
ALLOWED_PLACEHOLDERS = frozenset({"clinic", "date", "time", "clinic_phone", "opt_out_url", "booking_url", "portal_url"})

DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    # (kind, language): (subject, body)
    (ReminderKind.BEFORE, "en"): (
        "Appointment reminder",
        "Reminder: appointment at {clinic} on {date} at {time}. To change it call {clinic_phone}. Stop reminders: {opt_out_url}",
    ),
    (ReminderKind.SIDE_EFFECT_CHECK, "en"): (
        "After your visit",
        "{clinic}: we hope you are well after your visit on {date}. If anything worries you, call {clinic_phone}. Stop reminders: {opt_out_url}",
    ),
    (ReminderKind.MAINTENANCE_DUE, "en"): (
        "Your maintenance session is due",
        "Your maintenance session is due: appointment at {clinic} on {date} at {time}. To change it call {clinic_phone}. Stop reminders: {opt_out_url}",
    ),
    # The sheet itself names the treatment: the message only says where to read it (the portal).
    (ReminderKind.AFTERCARE, "en"): (
        "Your aftercare advice",
        "{clinic}: the aftercare advice for your visit on {date} is in your patient portal. If anything worries you, call {clinic_phone}. Stop messages: {opt_out_url}",
    ),
    (ReminderKind.AFTERCARE, "hi"): (
        "आपकी देखभाल संबंधी सलाह",
        "{clinic}: {date} की विज़िट के बाद देखभाल की सलाह आपके पेशेंट पोर्टल में है। कोई चिंता हो तो {clinic_phone} पर कॉल करें। संदेश बंद करें: {opt_out_url}",
    ),
    (ReminderKind.BEFORE, "hi"): (
        "अपॉइंटमेंट रिमाइंडर",
        "रिमाइंडर: {clinic} में {date} को {time} बजे आपका अपॉइंटमेंट है। बदलने के लिए {clinic_phone} पर कॉल करें। रिमाइंडर बंद करें: {opt_out_url}",
    ),
    (ReminderKind.SIDE_EFFECT_CHECK, "hi"): (
        "आपकी विज़िट के बाद",
        "{clinic}: {date} की विज़िट के बाद आशा है आप ठीक हैं। कोई चिंता हो तो {clinic_phone} पर कॉल करें। रिमाइंडर बंद करें: {opt_out_url}",
    ),
    (ReminderKind.MAINTENANCE_DUE, "hi"): (
        "आपका मेंटेनेंस सेशन देय है",
        "आपका मेंटेनेंस सेशन देय है: {clinic} में {date} को {time} बजे अपॉइंटमेंट। बदलने के लिए {clinic_phone} पर कॉल करें। रिमाइंडर बंद करें: {opt_out_url}",
    ),
    (ReminderKind.BEFORE, "mr"): (
        "भेटीचे स्मरणपत्र",
        "स्मरणपत्र: {clinic} येथे {date} रोजी {time} वाजता तुमची भेट आहे. बदलण्यासाठी {clinic_phone} वर फोन करा. स्मरणपत्रे बंद करा: {opt_out_url}",
    ),
    (ReminderKind.SIDE_EFFECT_CHECK, "mr"): (
        "तुमच्या भेटीनंतर",
        "{clinic}: {date} रोजीच्या भेटीनंतर तुम्ही बरे असाल अशी आशा आहे. काही काळजी वाटल्यास {clinic_phone} वर फोन करा. स्मरणपत्रे बंद करा: {opt_out_url}",
    ),
    (ReminderKind.MAINTENANCE_DUE, "mr"): (
        "तुमचे देखभाल सत्र आले आहे",
        "तुमचे देखभाल सत्र आले आहे: {clinic} येथे {date} रोजी {time} वाजता भेट. बदलण्यासाठी {clinic_phone} वर फोन करा. स्मरणपत्रे बंद करा: {opt_out_url}",
    ),
    (ReminderKind.AFTERCARE, "mr"): (
        "तुमचा उपचारानंतर काळजीचा सल्ला",
        "{clinic}: {date} रोजीच्या भेटीनंतरच्या काळजीचा सल्ला तुमच्या रुग्ण पोर्टलमध्ये आहे. काही काळजी वाटल्यास {clinic_phone} वर फोन करा. संदेश बंद करा: {opt_out_url}",
    ),
    # The recall: the date the planner set, and the one-time link to the portal's booking step.
    (ReminderKind.RECALL, "en"): (
        "Time to book your maintenance session",
        "{clinic}: your next maintenance session is due around {date}. Choose a time here (the link works once, for 14 days): "
        "{booking_url} Or call {clinic_phone}. Stop reminders: {opt_out_url}",
    ),
    (ReminderKind.RECALL, "hi"): (
        "अपना मेंटेनेंस सेशन बुक करें",
        "{clinic}: आपका अगला मेंटेनेंस सेशन {date} के आसपास देय है। यहाँ समय चुनें (लिंक एक बार, 14 दिन तक चलेगा): "
        "{booking_url} या {clinic_phone} पर कॉल करें। रिमाइंडर बंद करें: {opt_out_url}",
    ),
    (ReminderKind.RECALL, "mr"): (
        "तुमचे देखभाल सत्र बुक करा",
        "{clinic}: तुमचे पुढील देखभाल सत्र {date} च्या सुमारास आहे. येथे वेळ निवडा (दुवा एकदाच, 14 दिवस चालेल): "
        "{booking_url} किंवा {clinic_phone} वर फोन करा. स्मरणपत्रे बंद करा: {opt_out_url}",
    ),
    # The waiting list's offer: the freed time and where to accept it (the portal, after sign-in).
    (ReminderKind.SLOT_OFFER, "en"): (
        "An earlier time is free",
        "{clinic}: an earlier time is free for your session, {date} at {time}. The first patient to accept it in the portal "
        "gets it: {portal_url} Or call {clinic_phone}. Stop messages: {opt_out_url}",
    ),
    (ReminderKind.SLOT_OFFER, "hi"): (
        "पहले का समय खाली है",
        "{clinic}: आपके सेशन के लिए पहले का समय खाली है, {date} को {time} बजे। पोर्टल में जो मरीज़ पहले स्वीकार करेगा, उसे "
        "मिलेगा: {portal_url} या {clinic_phone} पर कॉल करें। संदेश बंद करें: {opt_out_url}",
    ),
    (ReminderKind.SLOT_OFFER, "mr"): (
        "आधीची वेळ मोकळी आहे",
        "{clinic}: तुमच्या सत्रासाठी आधीची वेळ मोकळी आहे, {date} रोजी {time} वाजता. पोर्टलमध्ये जो रुग्ण आधी स्वीकारेल, त्याला "
        "मिळेल: {portal_url} किंवा {clinic_phone} वर फोन करा. संदेश बंद करा: {opt_out_url}",
    ),
}


def check_template(body: str, field: str = "body") -> str:
    """Refuse templates with unknown or malformed placeholders."""
    body = body.strip()
    if not body:
        raise InvalidInput.single(field, "The message text is required.")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(body) if name is not None}
    except ValueError as exc:
        raise InvalidInput.single(field, "Braces must pair up around a placeholder, e.g. {clinic}.") from exc
    unknown = names - ALLOWED_PLACEHOLDERS
    if unknown:
        allowed = ", ".join("{" + n + "}" for n in sorted(ALLOWED_PLACEHOLDERS))
        raise InvalidInput.single(field, f"Unknown placeholder {{{sorted(unknown)[0]}}}; use only {allowed}.")
    return body


def render(body: str, values: Mapping[str, str]) -> str:
    """Fill a checked template; only the allowed placeholders are offered."""
    check_template(body)
    return body.format(**{k: values.get(k, "") for k in ALLOWED_PLACEHOLDERS})


STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "रोकें", "बंद", "थांबवा", "थांबा"})


def is_stop_reply(text: str) -> bool:
    """A reply asking to stop messages: the first word, any case ('STOP', 'stop please')."""
    words = (text or "").strip().split()
    return bool(words) and words[0].strip(".!").lower() in STOP_WORDS
