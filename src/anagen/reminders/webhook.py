"""The WhatsApp Cloud API webhook: Meta's verification handshake, the signature on every
notification, delivery statuses, inbound messages (which open the 24-hour window) and STOP.

Payload (Meta, "Webhooks" for WhatsApp Business Accounts): ``{"object":
"whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value":
{"metadata": {"phone_number_id": ...}, "statuses": [...], "messages": [...]}}]}]}``. The clinic
is the one whose WhatsApp phone-number id the notification names; a notification for a number
no clinic has is ignored. Nothing about the sender or the text is logged.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction

from anagen.audit import services as audit
from anagen.audit.services import Actor
from anagen.core import messaging as rules
from anagen.patients.models import Patient
from anagen.reminders import services
from anagen.reminders.models import (
    Channel,
    DeliveryEvent,
    DeliveryStatus,
    MessagingAccount,
    OptInSource,
    OutboxMessage,
    WhatsAppContact,
)


def verify_handshake(mode: str, token: str) -> bool:
    """GET hub.mode=subscribe with our verify token: Meta is setting up the webhook."""
    expected = getattr(settings, "ANAGEN_WHATSAPP_VERIFY_TOKEN", "")
    return bool(expected) and mode == "subscribe" and hmac.compare_digest(expected.encode(), (token or "").encode())


def signature_ok(body: bytes, header: str) -> bool:
    """X-Hub-Signature-256: ``sha256=<hex HMAC-SHA256 of the raw body with the app secret>``."""
    secret = getattr(settings, "ANAGEN_WHATSAPP_APP_SECRET", "")
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


@dataclass
class WebhookResult:
    statuses: int = 0
    inbound: int = 0
    opted_out: int = 0
    ignored: int = 0


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _dicts(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def handle(payload: object, now: datetime) -> WebhookResult:
    """Apply one signed notification. Malformed parts are skipped, never half-applied."""
    result = WebhookResult()
    if not isinstance(payload, dict):
        return result
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
            number_id = str(metadata.get("phone_number_id") or "")
            account = MessagingAccount.objects.select_related("clinic").filter(whatsapp_phone_number_id=number_id).first() if number_id else None
            if account is None:
                result.ignored += 1
                continue
            for status in _dicts(value.get("statuses")):
                result.statuses += _record_status(account, status, now)
            for message in _dicts(value.get("messages")):
                inbound, opted_out = _record_inbound(account, message, now)
                result.inbound += inbound
                result.opted_out += opted_out
    return result


def _record_status(account: MessagingAccount, status: dict, now: datetime) -> int:
    name = str(status.get("status") or "")
    provider_id = str(status.get("id") or "")
    if name not in DeliveryStatus.values or not provider_id:
        return 0
    occurred = _moment(status.get("timestamp")) or now
    errors = _dicts(status.get("errors"))
    code = str(errors[0].get("code", ""))[:20] if errors else ""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(
            clinic=account.clinic, channel=Channel.WHATSAPP, provider_message_id=provider_id).first()
        if message is None:
            return 0
        event, created = DeliveryEvent.objects.get_or_create(message=message, status=name,
                                                             defaults={"occurred_at": occurred, "error_code": code})
        if not created:
            return 0
        if name == DeliveryStatus.FAILED:
            message.last_error = f"WhatsApp: not delivered (error {code or 'unknown'})"[:300]
            message.save(update_fields=["last_error"])
        audit.append(Actor.system("whatsapp-webhook", account.clinic_id), "update", object_type="reminder",
                     object_id=message.pk, patient_id=message.patient_id,
                     changes={"delivery": {"old": None, "new": name}, **({"error_code": {"old": None, "new": code}} if code else {})})
    return 1


def _inbound_text(message: dict) -> str:
    kind = message.get("type")
    if kind == "text" and isinstance(message.get("text"), dict):
        return str(message["text"].get("body") or "")
    if kind == "button" and isinstance(message.get("button"), dict):
        return str(message["button"].get("text") or "")
    return ""


def _patients_with_number(account: MessagingAccount, wa_id: str) -> list[Patient]:
    # Phones are entered as E.164 ("+919820012345") but imports may keep spaces: narrow by the
    # last four digits in the database, then compare the subscriber number's ten digits.
    tail = wa_id[-10:]
    candidates = Patient.objects.filter(clinic=account.clinic, phone__endswith=tail[-4:])
    return [p for p in candidates if rules.whatsapp_number(p.phone)[-10:] == tail]


def _record_inbound(account: MessagingAccount, message: dict, now: datetime) -> tuple[int, int]:
    wa_id = rules.whatsapp_number(str(message.get("from") or ""))
    if not wa_id:
        return 0, 0
    # Meta's timestamp, never later than now: a clock ahead must not stretch the window.
    sent_at = min(_moment(message.get("timestamp")) or now, now)
    with transaction.atomic():
        contact = WhatsAppContact.objects.select_for_update().filter(clinic=account.clinic, wa_id=wa_id).first()
        if contact is None:
            WhatsAppContact.objects.create(clinic=account.clinic, wa_id=wa_id, last_inbound_at=sent_at)
        elif contact.last_inbound_at < sent_at:
            contact.last_inbound_at = sent_at
            contact.save(update_fields=["last_inbound_at"])
    opted_out = 0
    if rules.is_opt_out_request(_inbound_text(message)):
        for patient in _patients_with_number(account, wa_id):
            if services.opt_out(Actor.system("whatsapp-stop", account.clinic_id), patient, Channel.WHATSAPP,
                                OptInSource.STOP_REPLY, now=now):
                opted_out += 1
    return 1, opted_out
