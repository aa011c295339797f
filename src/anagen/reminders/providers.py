"""Provider adapters behind one interface: ``send(OutgoingMessage) -> provider message id``.

Shipped adapters: ``smtp`` (email through an SMTP server), ``webhook`` (a generic HTTP JSON POST
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

log = logging.getLogger("anagen.reminders")


class SendFailed(Exception):
    """The provider did not accept the message (network error, refusal, bad answer)."""


@dataclass(frozen=True)
class OutgoingMessage:
    outbox_id: int
    channel: str
    to: str
    body: str
    subject: str = ""
    language: str = "en"
    whatsapp_template: str = ""
    template_values: dict[str, str] = field(default_factory=dict)


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
            "template": message.whatsapp_template, "values": message.template_values,
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
    if name == "webhook":
        prefix = "ANAGEN_WHATSAPP" if channel == "whatsapp" else "ANAGEN_SMS"
        return WebhookProvider(
            url=getattr(settings, f"{prefix}_WEBHOOK_URL", ""),
            token=getattr(settings, f"{prefix}_WEBHOOK_TOKEN", ""),
            timeout=float(getattr(settings, "ANAGEN_REMINDER_SEND_TIMEOUT", 10)),
        )
    return LogProvider()
