"""API fixtures: tokens per role, a JSON client, and a clinic with one patient at every record type."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw
from tests import builders

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Any:
    cache.clear()
    yield
    cache.clear()


class Api:
    """A JSON client that sends a bearer token."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.token = token

    def __call__(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        if self.token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        data = json.dumps(body, default=str) if body is not None else None
        response = self.client.generic(method.upper(), API + path, data=data or "", content_type="application/json", **extra)
        if getattr(response, "streaming", False):
            response.data = None
            response.body = b"".join(response.streaming_content)
        else:
            response.data = response.json() if response.content and "json" in response.get("Content-Type", "") else None
        return response


@pytest.fixture
def signed_in_with_code() -> Any:
    """A browser session that signed in as a person does: the password, then a current code from
    a newly confirmed authenticator (creating tokens needs a recent second factor)."""
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from tests.web.security.conftest import totp_code

    def sign_in(user: Any) -> tuple[Client, Any]:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        client = Client()
        client.post(reverse("login"), {"username": user.username, "password": "correct horse battery"})
        verified = client.post(reverse("accounts:two_factor_verify"), {"code": totp_code(device)})
        assert verified.status_code == 302, "the code step of signing in failed"
        return client, device

    return sign_in


@pytest.fixture
def api_as() -> Any:
    from anagen.api.tokens import issue_token
    from anagen.audit.services import Actor

    def make(user: Any) -> Api:
        issued = issue_token(Actor.system("test", user.clinic_id), user, "test", expires_at=None, by=user)
        return Api(issued.secret)

    return make


@pytest.fixture
def staff(admin_user: Any, trichologist: Any, practitioner: Any, receptionist: Any) -> dict[str, Any]:
    return {"clinic_admin": admin_user, "trichologist": trichologist, "practitioner": practitioner, "reception": receptionist}


@pytest.fixture
def other_world(other_clinic: Any, other_admin: Any, make_user: Any, make_patient: Any) -> dict[str, Any]:
    """Another clinic, with its own staff of every role (used to prove 404 across clinics)."""
    return {
        "clinic": other_clinic,
        "users": {
            "clinic_admin": other_admin,
            "trichologist": make_user(other_clinic, "trichologist", "otherdoc"),
            "practitioner": make_user(other_clinic, "practitioner", "othernurse"),
            "reception": make_user(other_clinic, "reception", "otherdesk"),
        },
        "patient": make_patient(other_clinic),
    }


@pytest.fixture
def world(clinic: Any, staff: dict[str, Any], patient: Any) -> dict[str, Any]:
    """A patient ready for session 1 today: signed consultation with measurements and a lab,
    treatment and photo consent, a formulation, a course, a session appointment today, a lot in
    stock, one recorded session on an earlier appointment (so recipients exist), an adverse event."""
    from anagen.audit.services import Actor
    from anagen.safety.services import report_event
    from anagen.scheduling.services import book_appointment

    actor = Actor.system("test", clinic.pk)
    doctor, nurse = staff["trichologist"], staff["practitioner"]
    today = timezone.localdate()
    consultation = builders.signed_consultation(
        patient, doctor, actor=actor,
        measurements={"site_zone": "vertex", "site_offset_cm": Decimal("10"), "density_per_cm2": Decimal("150")},
        labs={"ferritin": {"value": Decimal("25"), "unit": "ng/mL", "reference_low": None, "reference_high": None}})
    for purpose in ("treatment", "photographs"):
        builders.consent(patient, nurse, purpose, actor=actor)
    formulation = builders.formulation(consultation, doctor, actor=actor)
    room = builders.room(clinic)
    lot = builders.lot_in_stock(clinic, actor=actor)
    course = builders.course(consultation, formulation, nurse, room, doctor, start=today + dt.timedelta(days=60), actor=actor)
    earlier = builders.session_appointment(patient, nurse, room, actor=actor)
    appointment = book_appointment(actor, clinic, patient=patient, practitioner=nurse, room=room, kind="mesotherapy_session",
                                   starts_at=earlier.starts_at + dt.timedelta(hours=1), duration_minutes=45, course_session_number=1)
    session = builders.signed_session(earlier, nurse, lot, on=today, actor=actor)
    event = report_event(actor, patient, session=session, event_type="erythema", severity="mild", onset_date=today,
                         description="Redness", action_taken="Reassured", reported_by=nurse)
    return {
        "clinic": clinic, "patient": patient, "consultation": consultation, "formulation": formulation, "room": room,
        "product": lot.product, "lot": lot, "course": course, "appointment": appointment, "session": session,
        "event": event, "today": today, "staff": staff, "consent": patient.consent_records.first(),
    }


def session_input(lot: Any) -> Any:
    return builders.session_input(lot)


def session_body(appointment: Any, lot: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "appointment_id": appointment.pk, "identity_confirmed": True, "scalp_cleansed": True, "technique": "needle",
        "needle_gauge": 32, "needle_length_mm": "4", "depth_mm": "2", "injection_style": "point_by_point",
        "injection_map": [{"zone": "vertex", "x": "0.5", "y": "0.5", "volume_ml": "0.1"} for _ in range(20)],
        "lots": [{"lot_id": lot.pk, "volume_ml": "2.0"}], "pain_score": 3, "aftercare_language": "en",
    }
    body.update(overrides)
    return body


def billing_and_reports(world: dict[str, Any]) -> dict[str, int]:
    """A package sold on an invoice (so invoices, packages and payments have ids) and a stored
    progress report file (without building the PDF)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from anagen.audit.services import Actor
    from anagen.billing.services import LineRequest, create_invoice, save_price_item
    from anagen.outcomes.models import Report

    clinic, patient = world["clinic"], world["patient"]
    actor = Actor.system("test", clinic.pk)
    item = save_price_item(actor, clinic, {"kind": "package", "name": "Six sessions", "price_paise": 3_000_000,
                                           "tax_class": "medical_exempt", "sessions": 6})
    invoice = create_invoice(actor, patient, [LineRequest(item, 1)], today=world["today"])
    name = storages["reports"].save(f"clinic-{clinic.pk}/test-report.pdf", ContentFile(b"%PDF-1.4\n%test\n"))
    report = Report.objects.create(clinic=clinic, patient=patient, created_by=world["staff"]["trichologist"], file_name=name,
                                   size_bytes=15, sha256="0" * 64)
    return {"invoice": invoice.pk, "package": invoice.lines.get().package.pk, "report": report.pk, "price_item": item.pk}


def portal_and_feeds(world: dict[str, Any], invoice_id: int) -> dict[str, Any]:
    """A payment (for its receipt), an open portal change request and export request, and a
    patient calendar feed; plus the name of a chart."""
    from anagen.audit.services import Actor
    from anagen.billing.models import Invoice
    from anagen.billing.services import record_payment
    from anagen.interop.services import create_feed
    from anagen.portal.models import ChangeRequest, ExportRequest

    clinic, patient = world["clinic"], world["patient"]
    actor = Actor.system("test", clinic.pk)
    payment = record_payment(actor, Invoice.objects.get(pk=invoice_id), amount_paise=100_000, method="cash")
    now = timezone.now()
    change = ChangeRequest.objects.create(clinic=clinic, patient=patient, appointment=world["appointment"],
                                          message="Please move it to the evening.", created_at=now)
    export = ExportRequest.objects.create(clinic=clinic, patient=patient, requested_at=now)
    feed, _ = create_feed(actor, clinic, patient=patient)
    from anagen.privacy.models import ErasureRequest
    from anagen.reminders.models import OutboxMessage

    message = OutboxMessage.objects.create(
        clinic=clinic, patient=patient, kind="before", channel="sms", scheduled_for=now, expires_at=now,
        dedupe_key=f"test-failed-{patient.pk}", status="failed", attempts=5, next_attempt_at=now, last_error="No route")
    erasure = ErasureRequest.objects.create(clinic=clinic, patient=patient, requested_by=world["staff"]["clinic_admin"],
                                            requested_at=now, reason="Asked by email on the 3rd.")
    return {"payment": payment.pk, "change_request": change.pk, "export_request": export.pk, "feed": feed.pk,
            "chart": "density", "language": "en", "room": world["room"].pk, "message": message.pk,
            "member": world["staff"]["practitioner"].pk, "erasure": erasure.pk}


def error_fields(response: Any) -> set[str]:
    """The fields a problem document's ``errors`` name."""
    return {e["field"] for e in response.data["errors"]}


def signature_png() -> str:
    """A drawn signature as the signature pad sends it: a base64 PNG."""
    image = Image.new("RGBA", (160, 50), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 25), (150, 30)], fill=(17, 24, 39, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()
