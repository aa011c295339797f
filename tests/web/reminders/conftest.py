"""Reminder fixtures: a local SMTP server (aiosmtpd) and a local HTTP server standing in for the
SMS/WhatsApp provider, both on 127.0.0.1 with a free port; a patient with a reminders consent."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collector:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    from aiosmtpd.controller import Controller

    collector = _Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port, server_hostname="localhost", ready_timeout=10)
    controller.start()
    settings.ANAGEN_REMINDER_SMTP_HOST = "127.0.0.1"
    settings.ANAGEN_REMINDER_SMTP_PORT = port
    settings.ANAGEN_REMINDER_ADAPTERS = {**getattr(settings, "ANAGEN_REMINDER_ADAPTERS", {}), "email": "smtp"}
    yield collector
    controller.stop()


class ProviderServer:
    """Records every POST; answers with ``fail_next`` 500s first, then 200 {"id": ...}."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with owner.lock:
                    failing = owner.fail_next > 0
                    if failing:
                        owner.fail_next -= 1
                    else:
                        body["authorization"] = self.headers.get("Authorization", "")
                        owner.requests.append(body)
                self.send_response(500 if failing else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}" if failing else json.dumps({"id": f"prov-{body['reference']}"}).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)


@pytest.fixture
def provider(settings: Any) -> Any:
    server = ProviderServer()
    server.thread.start()
    settings.ANAGEN_SMS_WEBHOOK_URL = server.url
    settings.ANAGEN_SMS_WEBHOOK_TOKEN = "sms-token"
    settings.ANAGEN_WHATSAPP_WEBHOOK_URL = server.url
    settings.ANAGEN_REMINDER_ADAPTERS = {**getattr(settings, "ANAGEN_REMINDER_ADAPTERS", {}), "sms": "webhook", "whatsapp": "webhook"}
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def reminders_text(clinic: Any) -> Any:
    from anagen.audit.services import Actor
    from anagen.consents import services as consents

    return consents.publish_text(Actor.system("test", clinic.pk), clinic, "reminders", "en", "Reminders", "You may send me reminders.")


@pytest.fixture
def consent_for(reminders_text: Any, receptionist: Any) -> Any:
    from anagen.audit.services import Actor
    from anagen.consents import services as consents

    def sign(patient: Any) -> Any:
        return consents.sign_consent(Actor.system("test", patient.clinic_id), patient, reminders_text, method="typed",
                                     typed_name=patient.full_name, acknowledged=True, witness=receptionist)

    return sign


@pytest.fixture
def opted_in(consent_for: Any) -> Any:
    from anagen.audit.services import Actor
    from anagen.reminders import services

    def opt(patient: Any, *channels: str, language: str = "en") -> Any:
        consent_for(patient)
        for channel in channels:
            services.opt_in(Actor.system("test", patient.clinic_id), patient, channel, language)
        return patient

    return opt


@pytest.fixture
def room(clinic: Any) -> Any:
    from anagen.scheduling.models import Room

    return Room.objects.create(clinic=clinic, name="Room 1")


@pytest.fixture
def day() -> date:
    return timezone.localdate() + timedelta(days=20)


def local(day: date, hhmm: str) -> datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes)).replace(tzinfo=timezone.get_default_timezone())


@pytest.fixture
def book(clinic: Any, room: Any, trichologist: Any) -> Any:
    from anagen.audit.services import Actor
    from anagen.scheduling import services as scheduling

    def make(patient: Any, starts_at: datetime, kind: str = "mesotherapy_session", practitioner: Any = None, **extra: Any) -> Any:
        return scheduling.book_appointment(Actor.system("test", clinic.pk), clinic, patient=patient,
                                           practitioner=practitioner or trichologist, room=room, kind=kind,
                                           starts_at=starts_at, duration_minutes=60, **extra)

    return make
