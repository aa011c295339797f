"""Use cases of the clinic's WhatsApp Business and SMS (DLT) accounts: the numbers and sender it
sends from, the templates the providers approved per message kind and language, the opt-in
wording, and the 24-hour WhatsApp window. The webhook Meta calls is in ``reminders.webhook``.

The rules themselves (the window, DLT id shapes, opt-out words) are in anagen.core.messaging.
"""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from anagen.accounts.models import Clinic
from anagen.audit import services as audit
from anagen.audit.services import Actor
from anagen.core import messaging as rules
from anagen.core.errors import FieldError, InvalidInput, NotFound
from anagen.reminders.models import (
    ApprovedTemplate,
    Channel,
    Kind,
    Language,
    MessagingAccount,
    WhatsAppContact,
)
from anagen.reminders.providers import Route

PLACEHOLDERS = ("clinic", "date", "time", "clinic_phone", "opt_out_url", "booking_url")
# WhatsApp Manager accepts template names of lowercase letters, digits and underscores.
TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
NUMERIC_ID = re.compile(r"^\d{5,32}$")
ACCOUNT_FIELDS = ("whatsapp_phone_number_id", "whatsapp_business_account_id", "sms_sender_id", "dlt_entity_id")


# --- the clinic's accounts --------------------------------------------------------------------


def account_for(clinic: Clinic) -> MessagingAccount:
    return MessagingAccount.objects.filter(clinic=clinic).first() or MessagingAccount(clinic=clinic)


def save_account(actor: Actor, clinic: Clinic, values: dict) -> MessagingAccount:
    cleaned = {f: str(values.get(f) or "").strip() for f in ACCOUNT_FIELDS}
    cleaned["sms_sender_id"] = cleaned["sms_sender_id"].upper()
    errors = []
    for name in ("whatsapp_phone_number_id", "whatsapp_business_account_id"):
        if cleaned[name] and not NUMERIC_ID.match(cleaned[name]):
            errors.append(FieldError(name, _("Give the ID as shown in WhatsApp Manager: digits only.")))
    if cleaned["sms_sender_id"] and not rules.valid_sms_sender_id(cleaned["sms_sender_id"]):
        errors.append(FieldError("sms_sender_id", _("A sender ID is six letters, as registered on the DLT platform.")))
    if cleaned["dlt_entity_id"] and not rules.valid_dlt_template_id(cleaned["dlt_entity_id"]):
        errors.append(FieldError("dlt_entity_id", _("The DLT entity ID is the 19-digit number the DLT platform issued.")))
    number = cleaned["whatsapp_phone_number_id"]
    if number and MessagingAccount.objects.filter(whatsapp_phone_number_id=number).exclude(clinic=clinic).exists():
        errors.append(FieldError("whatsapp_phone_number_id", _("This WhatsApp number is already another clinic's.")))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        stored = MessagingAccount.objects.select_for_update().filter(clinic=clinic).first() or MessagingAccount(clinic=clinic)
        before = {f: getattr(stored, f) for f in ACCOUNT_FIELDS}
        for name, value in cleaned.items():
            setattr(stored, name, value)
        stored.save()
        audit.append(actor, "update", object_type="messaging_account", object_id=clinic.pk, patient_id=None,
                     changes=audit.diff(before, cleaned))
    return stored


# --- approved templates -----------------------------------------------------------------------


def parse_parameters(text: str) -> tuple[str, ...]:
    names = tuple(part.strip().strip("{}") for part in (text or "").split(",") if part.strip())
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        raise InvalidInput.single("parameters", _("Use only: %(allowed)s.") % {"allowed": ", ".join(PLACEHOLDERS)})
    return names


def save_approved_template(actor: Actor, clinic: Clinic, values: dict) -> ApprovedTemplate:
    channel, kind, language = values.get("channel"), values.get("kind"), values.get("language")
    errors = []
    if channel not in (Channel.WHATSAPP, Channel.SMS):
        errors.append(FieldError("channel", _("Choose WhatsApp or SMS.")))
    if kind not in Kind.values:
        errors.append(FieldError("kind", _("Choose a message.")))
    if language not in Language.values:
        errors.append(FieldError("language", _("Choose a language.")))
    name = str(values.get("template_name") or "").strip()
    code = str(values.get("language_code") or "").strip()
    dlt = str(values.get("dlt_template_id") or "").strip()
    parameters = ""
    if channel == Channel.WHATSAPP:
        if not TEMPLATE_NAME.match(name):
            errors.append(FieldError("template_name", _("Give the approved name: lowercase letters, digits and underscores.")))
        if not LANGUAGE_CODE.match(code):
            errors.append(FieldError("language_code", _("Give the language code as approved, e.g. en, en_US or hi.")))
        try:
            parameters = ", ".join(parse_parameters(str(values.get("parameters") or "")))
        except InvalidInput as exc:
            errors.extend(exc.errors)
        dlt = ""
    elif channel == Channel.SMS:
        if not rules.valid_dlt_template_id(dlt):
            errors.append(FieldError("dlt_template_id", _("The DLT template ID is the 19-digit number the DLT platform issued.")))
        name = code = ""
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        row, created = ApprovedTemplate.objects.select_for_update().get_or_create(
            clinic=clinic, channel=channel, kind=kind, language=language)
        before = {f: getattr(row, f) for f in ("template_name", "language_code", "parameters", "dlt_template_id")}
        after = {"template_name": name, "language_code": code, "parameters": parameters, "dlt_template_id": dlt}
        for field, value in after.items():
            setattr(row, field, value)
        row.save()
        audit.append(actor, "create" if created else "update", object_type="approved_template", object_id=row.pk,
                     patient_id=None, changes={"channel": {"old": None, "new": channel}, "kind": {"old": None, "new": kind},
                                               "language": {"old": None, "new": language}, **audit.diff(before, after)})
    return row


def delete_approved_template(actor: Actor, clinic: Clinic, template_id: int) -> None:
    with transaction.atomic():
        row = ApprovedTemplate.objects.select_for_update().filter(pk=template_id, clinic=clinic).first()
        if row is None:
            raise NotFound
        audit.append(actor, "delete", object_type="approved_template", object_id=row.pk, patient_id=None,
                     changes={"channel": {"old": row.channel, "new": None}, "kind": {"old": row.kind, "new": None},
                              "language": {"old": row.language, "new": None}})
        row.delete()


def approved_templates(clinic: Clinic) -> list[ApprovedTemplate]:
    return list(ApprovedTemplate.objects.filter(clinic=clinic))


def approved_for(clinic: Clinic, channel: str, kind: str, language: str) -> ApprovedTemplate | None:
    return ApprovedTemplate.objects.filter(clinic=clinic, channel=channel, kind=kind, language=language).first()


def kinds_without_template(clinic: Clinic, channel: str, language: str) -> list[str]:
    """The message kinds (their labels) with no approved template in this language."""
    have = set(ApprovedTemplate.objects.filter(clinic=clinic, channel=channel, language=language).values_list("kind", flat=True))
    return [str(label) for value, label in Kind.choices if value not in have]


# --- opt-in wording and the 24-hour window -----------------------------------------------------


def opt_in_wording(clinic: Clinic, channel: str) -> str:
    """The sentence read to (or by) the patient and stored with the opt-in."""
    if channel == Channel.WHATSAPP:
        return _("I agree to receive appointment reminders and care messages from %(clinic)s on WhatsApp, "
                 "at the mobile number in my record. I can stop them at any time by replying STOP.") % {"clinic": clinic.name}
    if channel == Channel.SMS:
        return _("I agree to receive appointment reminders and care messages from %(clinic)s by SMS, "
                 "at the mobile number in my record. I can stop them at any time by replying STOP.") % {"clinic": clinic.name}
    return _("I agree to receive appointment reminders and care messages from %(clinic)s by email, "
             "at the email address in my record. Each message has a link to stop them.") % {"clinic": clinic.name}


def last_inbound_at(clinic: Clinic, phone: str) -> datetime | None:
    wa_id = rules.whatsapp_number(phone)
    if not wa_id:
        return None
    return WhatsAppContact.objects.filter(clinic=clinic, wa_id=wa_id).values_list("last_inbound_at", flat=True).first()


def window_open(clinic: Clinic, phone: str, now: datetime) -> bool:
    return rules.window_open(last_inbound_at(clinic, phone), now)


def route_for(clinic: Clinic, channel: str, kind: str, language: str, phone: str, values: dict[str, str],
              now: datetime) -> Route:
    account = account_for(clinic)
    approved = approved_for(clinic, channel, kind, language) if channel in (Channel.WHATSAPP, Channel.SMS) else None
    if channel == Channel.WHATSAPP:
        if approved is not None:
            names = parse_parameters(approved.parameters)
            return Route(whatsapp_template=approved.template_name, template_language_code=approved.language_code,
                         template_parameters=tuple(values.get(n, "") for n in names),
                         whatsapp_phone_number_id=account.whatsapp_phone_number_id,
                         free_text_allowed=window_open(clinic, phone, now))
        return Route(whatsapp_phone_number_id=account.whatsapp_phone_number_id, free_text_allowed=window_open(clinic, phone, now))
    if channel == Channel.SMS:
        return Route(sms_sender_id=account.sms_sender_id, dlt_template_id=approved.dlt_template_id if approved else "")
    return Route()


def opt_in_wordings(clinic: Clinic) -> list[tuple[str, str]]:
    return [(str(label), opt_in_wording(clinic, value)) for value, label in Channel.choices]


def opt_in_warnings(clinic: Clinic, channel: str, language: str) -> list[str]:
    """After a WhatsApp opt-in: which messages cannot reach the patient for want of a template."""
    if channel != Channel.WHATSAPP:
        return []
    missing = kinds_without_template(clinic, Channel.WHATSAPP, language)
    if not missing:
        return []
    return [_("No approved WhatsApp template in %(language)s for: %(kinds)s. These messages will not go by WhatsApp "
              "until the clinic admin adds one (WhatsApp and SMS settings).")
            % {"language": Language(language).label, "kinds": ", ".join(missing)}]


def route_with_wording_parameters(route: Route, body: str, values: dict[str, str], language: str) -> Route:
    """For a WhatsApp template named in the clinic's message wording (not in the approved-template
    list): the body's placeholders in order of appearance fill the template's {{1}}, {{2}}, ..."""
    names = [name for _, name, _, _ in string.Formatter().parse(body) if name]
    return replace(route, template_parameters=tuple(values.get(n, "") for n in names), template_language_code=language)
