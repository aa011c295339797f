"""A living demo clinic (Mumbai) and a second clinic (Pune) with staff of every role, plus one object
of every kind the URL patterns take an id of, for the access matrix."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

ROLES = ("anonymous", "patient", "reception", "practitioner", "trichologist", "clinic_admin")
STAFF_ROLES = ("reception", "practitioner", "trichologist", "clinic_admin")


@dataclass
class World:
    users: dict[str, Any]
    other_clinic_users: dict[str, Any]
    kwargs: dict[str, Any] = field(default_factory=dict)


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(40, 150), (300, 60), (560, 140)], fill=(0, 0, 0, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def build_world() -> World:
    from anagen.accounts.models import Clinic, Role, User
    from anagen.api.tokens import issue_token
    from anagen.audit.services import Actor
    from anagen.billing.models import Invoice, PatientPackage, Payment, PriceItem
    from anagen.catalog.models import Lot
    from anagen.consents.models import ConsentText
    from anagen.consents.services import sign_consent, withdraw_consent
    from anagen.demo.seed import DEMO_BRANCH_NAME, DEMO_CLINIC_NAME, seed_demo
    from anagen.interop.services import create_feed
    from anagen.outcomes.reports import generate_report, set_report_shared
    from anagen.photos.models import HairCount, Photo
    from anagen.portal.models import ChangeRequest, ExportRequest, PatientAccount
    from anagen.portal.services import fulfil_export
    from anagen.privacy.services import request_erasure
    from anagen.procedures.models import TreatmentSession
    from anagen.reminders.models import Kind as OutboxKind
    from anagen.reminders.models import OutboxMessage
    from anagen.safety.models import AdverseEvent, FollowUpTask
    from anagen.scheduling.models import Appointment, Room

    seed_demo()
    clinic = Clinic.objects.get(name=DEMO_CLINIC_NAME)
    branch = Clinic.objects.get(name=DEMO_BRANCH_NAME)
    by_role = {role: User.objects.filter(clinic=clinic, role=role, is_active=True).order_by("id").first() for role in STAFF_ROLES}
    by_role["patient"] = User.objects.get(username="patient")
    other = {}
    for role in STAFF_ROLES:
        user = User(username=f"pune-{role}", clinic=branch, role=role)
        user.set_password("x" * 16)
        user.save()
        other[role] = user
    # Demo accounts only sign in on a demo server (the session backend refuses them elsewhere, even
    # after force_login): the matrix's users are made ordinary accounts.
    User.objects.filter(pk__in=[u.pk for u in by_role.values()]).update(is_demo_account=False)
    session = TreatmentSession.objects.filter(clinic=clinic).select_related("patient", "appointment", "course", "formulation").order_by("id").first()
    patient = session.patient
    actor = Actor.system("matrix", clinic.pk)
    consultation = patient.consultations.filter(status="signed").order_by("id").first()
    text = ConsentText.objects.filter(clinic=clinic, purpose="photographs", language="en").order_by("-version").first()
    in_force = patient.consent_records.filter(purpose="photographs").order_by("-signed_at", "-id").first()
    if in_force is not None and in_force.events.order_by("-at", "-id").first().kind == "granted":
        # A second signature of a consent in force is refused (issue 20): withdraw it first.
        withdraw_consent(actor, in_force, "Signing again with a drawn signature")
    record = sign_consent(actor, patient, text, method="drawn", signature_png=_png(), witness=by_role["practitioner"])
    event = AdverseEvent.objects.filter(clinic=clinic).order_by("id").first()
    lot = Lot.objects.filter(product__clinic=clinic, usages__isnull=False).distinct().order_by("id").first()
    photo = Photo.objects.filter(clinic=clinic).order_by("id").first()
    hair_count = HairCount.objects.create(
        clinic=clinic, patient=photo.patient, photo=photo, micrometres_per_pixel=5, area_cm2=0.48,
        automatic={"width_px": 1600, "height_px": 1200, "area_cm2": 0.48, "blur_um": 5.0, "glare_share": 0.0, "notes": [],
                   "hairs": [{"x_px": 100.0, "y_px": 100.0, "length_um": 800.0, "diameter_um": 60.0, "path_px": [[90, 90], [110, 110]]}]},
        auto_count=1, auto_density_per_cm2=2.08, final_count=1, final_density_per_cm2=2.08, measured_by=by_role["trichologist"],
    )
    report = generate_report(actor, clinic, patient.pk, by_role["trichologist"], timezone.localdate())
    feed, feed_token = create_feed(actor, clinic, patient=patient, created_by=by_role["reception"])
    invoice = Invoice.objects.filter(clinic=clinic).order_by("id").first()
    account = PatientAccount.objects.get(user=by_role["patient"])
    portal_patient = account.patient
    appointment = Appointment.objects.filter(patient=portal_patient, starts_at__gte=timezone.now()).order_by("starts_at").first() or session.appointment
    change = ChangeRequest.objects.create(clinic=clinic, patient=portal_patient, appointment=appointment,
                                          message="Can we move it to Saturday?", created_at=timezone.now())
    export = ExportRequest.objects.create(clinic=clinic, patient=portal_patient, requested_at=timezone.now())
    fulfil_export(actor, clinic, export.pk, by=by_role["trichologist"])
    portal_report = generate_report(actor, clinic, portal_patient.pk, by_role["trichologist"], timezone.localdate())
    set_report_shared(actor, portal_report, True)
    now = timezone.now()
    message = OutboxMessage.objects.create(
        clinic=clinic, patient=patient, kind=OutboxKind.values[0], channel="sms", scheduled_for=now, expires_at=now + dt.timedelta(days=1),
        next_attempt_at=now, dedupe_key=f"matrix:{patient.pk}", status="failed", attempts=5, last_error="provider said no",
    )
    erasure = request_erasure(actor, patient, by_role["clinic_admin"], "Patient asked by email on 20 Nov")
    issued = issue_token(actor, by_role["clinic_admin"], "matrix", expires_at=None, by=by_role["clinic_admin"])
    from anagen.accounts.models import ClinicClosure

    closure = ClinicClosure.objects.create(clinic=clinic, date=timezone.localdate() + dt.timedelta(days=300), reason="Matrix")
    world = World(users=by_role, other_clinic_users=other)
    world.kwargs = {
        "patient_id": patient.pk,
        "consultation_id": consultation.pk,
        "formulation_id": session.formulation_id,
        "course_id": session.course_id,
        "appointment_id": session.appointment_id,
        "session_id": session.pk,
        "lot_id": lot.pk,
        "product_id": lot.product_id,
        "event_id": event.pk,
        "task_id": FollowUpTask.objects.filter(clinic=clinic).order_by("id").first().pk,
        "record_id": record.pk,
        "text_id": text.pk,
        "photo_id": photo.pk,
        "count_id": hair_count.pk,
        "report_id": report.pk,
        "user_id": by_role["practitioner"].pk,
        "clinic_id": clinic.pk,
        "closure_id": closure.pk,
        "room_id": Room.objects.filter(clinic=clinic).order_by("id").first().pk,
        "message_id": message.pk,
        "invoice_id": invoice.pk,
        "payment_id": Payment.objects.filter(invoice__clinic=clinic).order_by("id").first().pk,
        "package_id": PatientPackage.objects.filter(patient__clinic=clinic).order_by("id").first().pk,
        "item_id": PriceItem.objects.filter(clinic=clinic).order_by("id").first().pk,
        "feed_id": feed.pk,
        "token_id": issued.token.pk,
        "request_id": change.pk,
        "export_id": export.pk,
        "request_id_erasure": erasure.pk,
        "language": "en",
        "purpose": "treatment",
        "chart": "density",
        "table": "diagnosis",
        "channel": "sms",
        "uidb64": "MQ",
        "name": "swagger-ui.css",
    }
    # A follow-up visit, for the page that voids one (issue 17).
    from anagen.consultations.models import MeasurementSet

    visit = MeasurementSet.objects.create(clinic=clinic, patient=patient, measured_on=consultation.consulted_on, comb_count=12)
    world.kwargs["visit_id"] = visit.pk
    world.kwargs["token"] = feed_token  # the calendar feed's secret; other token routes take their own
    # An invoice issued to the portal patient, for the portal's bill pages.
    from anagen.billing.services import LineRequest, create_invoice

    portal_invoice = (Invoice.objects.filter(patient=portal_patient).order_by("id").first()
                      or create_invoice(actor, portal_patient, [LineRequest(PriceItem.objects.filter(clinic=clinic, active=True).order_by("id").first())],
                                        today=timezone.localdate()))
    world.kwargs["invoice_id_portal"] = portal_invoice.pk
    # A photograph the portal patient took at home, for the portal's photograph pages.
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from anagen.photos.services import photo_storage

    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 90, 60)).save(picture, "JPEG")
    stored = photo_storage().save("matrix/home-photo.jpg", ContentFile(picture.getvalue()))
    home_photo = Photo.objects.create(
        clinic=clinic, patient=portal_patient, visit_date=timezone.localdate(), view="vertex", file_name=stored,
        thumbnail_name=stored.replace(".jpg", "-thumb.jpg"), has_thumbnail=False, image_format="JPEG", width=40, height=30,
        size_bytes=len(picture.getvalue()), sha256="0" * 64, uploaded_by=by_role["patient"], taken_by_patient=True,
    )
    world.kwargs["photo_id_portal"] = home_photo.pk
    # The portal patient's place on the waiting list and a time offered to them (issue 22).
    from anagen.waitlist.models import FreedTime, SlotOffer, WaitingListEntry

    entry = WaitingListEntry.objects.create(clinic=clinic, patient=portal_patient, appointment=appointment,
                                            joined_starts_at=appointment.starts_at, created_at=now)
    freed = FreedTime.objects.create(clinic=clinic, cancelled_appointment=session.appointment, practitioner_id=appointment.practitioner_id,
                                     starts_at=appointment.starts_at - dt.timedelta(days=1), created_at=now, expires_at=now)
    offer = SlotOffer.objects.create(clinic=clinic, freed=freed, entry=entry, patient=portal_patient, created_at=now, expires_at=now)
    world.kwargs.update({"entry_id": entry.pk, "offer_id": offer.pk})
    # Portal routes look objects up within the signed-in patient's own records.
    world.portal_kwargs = {  # type: ignore[attr-defined]
        "entry_id": entry.pk,
        "offer_id": offer.pk,
        "appointment_id": appointment.pk,
        "record_id": portal_patient.consent_records.order_by("id").first().pk if hasattr(portal_patient, "consent_records") else record.pk,
        "report_id": portal_report.pk,
        "export_id": export.pk,
    }
    _ = (dt, Decimal, Role)
    return world
