"""Provider adapters behind one interface: ``send(OutgoingMessage) -> provider message id``.

Shipped adapters: ``smtp`` (email through an SMTP server), ``whatsapp_cloud`` (Meta's WhatsApp
Cloud API), ``msg91`` (Indian SMS with the DLT template id), ``webhook`` (a generic HTTP JSON POST
for an SMS or WhatsApp gateway) and ``log`` (writes one line with the outbox id, nothing else).
Which adapter each channel uses, and its credentials, come from settings
(docs/reminders-and-billing.md). A failure raises ``SendFailed``; the worker retries it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Protocol

import httpx
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from anagen.core import messaging as rules

log = logging.getLogger("anagen.reminders")


class SendFailed(Exception):
    """The provider did not accept the message (network error, refusal, bad answer).

    ``retryable`` False: the same request would fail again (a refused template, an expired
    token); the worker then reports the message failed at once instead of retrying.
    """

    def __init__(self, reason: str, *, retryable: bool = True):
        super().__init__(reason)
        self.retryable = retryable


@dataclass(frozen=True)
class Route:
    """How one outbox message goes out on WhatsApp or SMS (empty fields: not applicable).

    Filled by reminders.messaging from the clinic's account and approved templates; the
    WhatsApp Cloud API and DLT SMS adapters read it, the others ignore it.
    """

    whatsapp_template: str = ""
    template_language_code: str = ""
    template_parameters: tuple[str, ...] = ()
    # An authentication template's copy-code button takes the code as its one parameter.
    button_parameters: tuple[str, ...] = ()
    whatsapp_phone_number_id: str = ""
    free_text_allowed: bool = False
    sms_sender_id: str = ""
    dlt_template_id: str = ""


@dataclass(frozen=True)
class OutgoingMessage:
    outbox_id: int
    channel: str
    to: str
    body: str
    subject: str = ""
    language: str = "en"
    template_values: dict[str, str] = field(default_factory=dict)
    route: Route = field(default_factory=Route)


class Provider(Protocol):
    def send(self, message: OutgoingMessage) -> str: ...


class LogProvider:
    """Sends nothing: logs that a message would have gone (ids only, never content)."""

    def send(self, message: OutgoingMessage) -> str:
        log.info("reminder %s via %s (log-only adapter, not sent)", message.outbox_id, message.channel)
        return f"log-{message.outbox_id}"


class SmtpProvider:
    def __init__(self, host: str, port: int, username: str = "", password: str = "", use_tls: bool = False,
                 from_email: str = "reminders@anagen.invalid", timeout: float = 10):
        self.host, self.port, self.username, self.password = host, port, username, password
        self.use_tls, self.from_email, self.timeout = use_tls, from_email, timeout

    def send(self, message: OutgoingMessage) -> str:
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend", host=self.host, port=self.port,
            username=self.username or None, password=self.password or None, use_tls=self.use_tls,
            timeout=self.timeout, fail_silently=False,
        )
        message_id = make_msgid(domain="anagen.invalid")
        email = EmailMessage(subject=message.subject or "Reminder", body=message.body, from_email=self.from_email,
                             to=[message.to], connection=connection, headers={"Message-ID": message_id})
        try:
            sent = email.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - smtplib and socket errors alike are a failed attempt
            raise SendFailed(f"SMTP: {type(exc).__name__}") from exc
        if sent != 1:
            raise SendFailed("SMTP: the server accepted no recipient")
        return message_id


class WebhookProvider:
    """POSTs JSON to a gateway; a 2xx answer with JSON ``{"id": ...}`` (or none) is success.

    Body: ``{"channel", "to", "text", "language", "template", "values", "reference"}``;
    header ``Authorization: Bearer <token>`` when a token is configured.
    """

    def __init__(self, url: str, token: str = "", timeout: float = 10):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, message: OutgoingMessage) -> str:
        if not self.url:
            raise SendFailed("no provider URL is configured")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        payload = {
            "channel": message.channel, "to": message.to, "text": message.body, "language": message.language,
            "template": message.route.whatsapp_template, "values": message.template_values,
            "reference": str(message.outbox_id),
        }
        try:
            response = httpx.post(self.url, json=payload, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise SendFailed(f"HTTP: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise SendFailed(f"HTTP {response.status_code} from the provider")
        try:
            data = response.json()
        except ValueError:
            data = {}
        return str(data.get("id") or f"http-{message.outbox_id}") if isinstance(data, dict) else f"http-{message.outbox_id}"


class WhatsAppCloudProvider:
    """Meta's WhatsApp Cloud API: ``POST <base>/<version>/<phone-number-id>/messages``.

    A template message (``type: template``, its name, language code and body parameters) goes at
    any time to an opted-in patient; free text (``type: text``) only while the customer-service
    window is open. Success: ``{"messages": [{"id": "wamid..."}]}``; failure: ``{"error":
    {"code": ..., "message": ...}}``, retried only for the codes Meta lists as temporary
    (anagen.core.messaging).
    """

    def __init__(self, access_token: str, base_url: str = "https://graph.facebook.com", api_version: str = "v23.0",
                 timeout: float = 10):
        self.access_token, self.base_url, self.api_version, self.timeout = access_token, base_url.rstrip("/"), api_version, timeout

    def request_body(self, message: OutgoingMessage) -> dict:
        to = rules.whatsapp_number(message.to)
        if message.route.whatsapp_template:
            template: dict = {"name": message.route.whatsapp_template, "language": {"code": message.route.template_language_code or message.language}}
            if message.route.template_parameters:
                template["components"] = [{"type": "body", "parameters": [
                    {"type": "text", "text": value} for value in message.route.template_parameters]}]
            if message.route.button_parameters:
                template.setdefault("components", []).append({"type": "button", "sub_type": "url", "index": "0", "parameters": [
                    {"type": "text", "text": value} for value in message.route.button_parameters]})
            return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "template",
                    "template": template}
        if not message.route.free_text_allowed:
            raise SendFailed("WhatsApp: no approved template, and the 24-hour window is closed", retryable=False)
        return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
                "text": {"preview_url": False, "body": message.body}}

    def send(self, message: OutgoingMessage) -> str:
        if not self.access_token or not message.route.whatsapp_phone_number_id:
            raise SendFailed("WhatsApp: the clinic's number or the access token is not configured", retryable=False)
        body = self.request_body(message)
        url = f"{self.base_url}/{self.api_version}/{message.route.whatsapp_phone_number_id}/messages"
        try:
            response = httpx.post(url, json=body, headers={"Authorization": f"Bearer {self.access_token}"}, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise SendFailed(f"WhatsApp: {type(exc).__name__}") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        if 200 <= response.status_code < 300:
            messages = data.get("messages")
            if isinstance(messages, list) and messages and isinstance(messages[0], dict) and messages[0].get("id"):
                return str(messages[0]["id"])
            raise SendFailed("WhatsApp: the answer carried no message id")
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        code = error.get("code") if isinstance(error.get("code"), int) else None
        # The code and Meta's title only: the details may quote the number or the text.
        raise SendFailed(f"WhatsApp error {code if code is not None else response.status_code}: {str(error.get('message', ''))[:120]}",
                         retryable=rules.whatsapp_error_retryable(code, response.status_code))


class Msg91SmsProvider:
    """MSG91's SMS API (v2 sendsms), which carries what TRAI's DLT rules need on each SMS.

    ``POST <base>/api/v2/sendsms`` with header ``authkey`` and JSON ``{"sender", "route",
    "country", "unicode", "sms": [{"message", "to": [...]}], "DLT_TE_ID"}``. Answer:
    ``{"type": "success", "message": "<request id>"}`` or ``{"type": "error", "message": ...}``.
    """

    def __init__(self, authkey: str, base_url: str = "https://api.msg91.com", route: str = "4", timeout: float = 10):
        self.authkey, self.base_url, self.route, self.timeout = authkey, base_url.rstrip("/"), route, timeout

    def request_body(self, message: OutgoingMessage) -> dict:
        digits = rules.whatsapp_number(message.to)
        national = digits[2:] if len(digits) == 12 and digits.startswith("91") else digits
        return {
            "sender": message.route.sms_sender_id, "route": self.route, "country": "91",
            "unicode": 0 if message.body.isascii() else 1,
            "sms": [{"message": message.body, "to": [national]}],
            "DLT_TE_ID": message.route.dlt_template_id,
        }

    def send(self, message: OutgoingMessage) -> str:
        if not self.authkey or not message.route.sms_sender_id:
            raise SendFailed("SMS: the gateway key or the clinic's sender ID is not configured", retryable=False)
        if not message.route.dlt_template_id:
            raise SendFailed("SMS: no DLT template ID for this message", retryable=False)
        try:
            response = httpx.post(f"{self.base_url}/api/v2/sendsms", json=self.request_body(message),
                                  headers={"authkey": self.authkey}, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise SendFailed(f"SMS: {type(exc).__name__}") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        if 200 <= response.status_code < 300 and data.get("type") == "success" and data.get("message"):
            return str(data["message"])
        retryable = response.status_code >= 500 or response.status_code == 429
        raise SendFailed(f"SMS gateway refused ({response.status_code}): {str(data.get('message', ''))[:120]}", retryable=retryable)


def provider_for(channel: str) -> Provider:
    """The adapter configured for a channel (settings read at call time, so tests can override)."""
    adapters = {"email": "log", "sms": "log", "whatsapp": "log"}
    adapters.update(getattr(settings, "ANAGEN_REMINDER_ADAPTERS", {}))
    name = adapters.get(channel, "log")
    if name == "smtp":
        return SmtpProvider(
            host=getattr(settings, "ANAGEN_REMINDER_SMTP_HOST", "localhost"),
            port=int(getattr(settings, "ANAGEN_REMINDER_SMTP_PORT", 25)),
            username=getattr(settings, "ANAGEN_REMINDER_SMTP_USER", ""),
            password=getattr(settings, "ANAGEN_REMINDER_SMTP_PASSWORD", ""),
            use_tls=bool(getattr(settings, "ANAGEN_REMINDER_SMTP_USE_TLS", False)),
            from_email=getattr(settings, "ANAGEN_REMINDER_FROM_EMAIL", "reminders@anagen.invalid"),
            timeout=float(getattr(settings, "ANAGEN_REMINDER_SEND_TIMEOUT", 10)),
        )
    if name == "whatsapp_cloud":
        return WhatsAppCloudProvider(
            access_token=getattr(settings, "ANAGEN_WHATSAPP_ACCESS_TOKEN", ""),
            base_url=getattr(settings, "ANAGEN_WHATSAPP_API_BASE", "https://graph.facebook.com"),
            api_version=getattr(settings, "ANAGEN_WHATSAPP_API_VERSION", "v23.0"),
            timeout=float(getattr(settings, "ANAGEN_REMINDER_SEND_TIMEOUT", 10)),
        )
    if name == "msg91":
        return Msg91SmsProvider(
            authkey=getattr(settings, "ANAGEN_MSG91_AUTHKEY", ""),
            base_url=getattr(settings, "ANAGEN_MSG91_API_BASE", "https://api.msg91.com"),
            route=str(getattr(settings, "ANAGEN_MSG91_ROUTE", "4")),
            timeout=float(getattr(settings, "ANAGEN_REMINDER_SEND_TIMEOUT", 10)),
        )
    if name == "webhook":
        prefix = "ANAGEN_WHATSAPP" if channel == "whatsapp" else "ANAGEN_SMS"
        return WebhookProvider(
            url=getattr(settings, f"{prefix}_WEBHOOK_URL", ""),
            token=getattr(settings, f"{prefix}_WEBHOOK_TOKEN", ""),
            timeout=float(getattr(settings, "ANAGEN_REMINDER_SEND_TIMEOUT", 10)),
        )
    return LogProvider()
