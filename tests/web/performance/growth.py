"""A clinic with one of everything, and helpers that add 49 more related rows quickly.

The first row of each kind is written through the product's services (so it is exactly what real
use leaves behind); the extra rows are copies of it written with ``bulk_create`` and varied where a
unique constraint or the page's filter needs it (dates, numbers, file names).
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db.models import Model
from django.db.models.base import ModelState
from django.utils import timezone

EXTRA = 49


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    # The API throttles per token through the cache; so do cached clinic-outcome checks.
    cache.clear()
    yield
    cache.clear()


def clones(instance: Model, count: int, vary: Any) -> list[Model]:
    """``count`` unsaved copies of ``instance``; ``vary(copy, i)`` changes what must differ."""
    rows = []
    for i in range(count):
        row = copy.copy(instance)
        row.pk = None
        if instance._meta.pk.name != "id" and hasattr(row, "id"):
            row.id = None
        row._state = ModelState()
        vary(row, i + 1)
        rows.append(row)
    return rows


def bulk(instance: Model, count: int, vary: Any) -> list[Model]:
    rows = clones(instance, count, vary)
    model = type(instance)
    model.objects.bulk_create(rows)
    if connection_needs_refetch():
        # SQLite before 3.35 and some backends do not return ids from bulk_create.
        rows = list(model.objects.order_by("-pk")[:count])[::-1]
    return rows


def connection_needs_refetch() -> bool:
    from django.db import connection

    return not connection.features.can_return_rows_from_bulk_insert


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute)).replace(tzinfo=timezone.get_default_timezone())


def session_input(lot: Any) -> Any:
    from anagen.core.measurements import ScalpZone
    from anagen.core.safety import InjectionPoint
    from anagen.procedures.services import LotUse, SessionInput

    points = tuple(InjectionPoint(ScalpZone.VERTEX, Decimal("0.5"), Decimal("0.5"), Decimal("0.1")) for _ in range(20))
    return SessionInput(
        identity_confirmed=True, fever_today=False, scalp_infection_today=False, pregnant_today=False, new_medicines="",
        new_medication_codes=(), scalp_cleansed=True, numbing_spray=False, technique="needle", needle_gauge=32,
        needle_length_mm=Decimal("4"), mesogun_settings="", depth_mm=Decimal("2"), injection_style="point_by_point",
        injection_map=points, lots=(LotUse(lot.pk, Decimal("2.0")),), pain_score=2, immediate_reactions=(),
        reaction_notes="", aftercare_language="en",
    )


@pytest.fixture
def world(clinic: Any, admin_user: Any, trichologist: Any, practitioner: Any, receptionist: Any, patient: Any) -> dict[str, Any]:
    """One patient with one of each record: a signed consultation (measurements, a lab), consents,
    a formulation, a course, a recorded session (lot use, follow-up), an adverse event, a photo,
    an invoice and a portal account."""
    import io

    from PIL import Image

    from anagen.audit.services import Actor
    from anagen.billing.models import BillingSettings, PriceItem
    from anagen.billing.services import LineRequest, create_invoice
    from anagen.catalog.models import Product
    from anagen.catalog.services import receive_lot
    from anagen.consents.services import publish_text, sign_consent
    from anagen.consultations.services import save_draft, sign_consultation, start_consultation
    from anagen.core.formulation import Component
    from anagen.photos.services import UploadedFile as PhotoFile
    from anagen.photos.services import upload_photos
    from anagen.portal import services as portal
    from anagen.procedures.services import record_session
    from anagen.safety.services import report_event
    from anagen.scheduling.services import book_appointment, create_room
    from anagen.treatments.services import CourseChoices, create_course, save_formulation

    actor = Actor.system("test", clinic.pk)
    doctor, nurse = trichologist, practitioner
    today = timezone.localdate()
    consultation = start_consultation(actor, patient, doctor, today - dt.timedelta(days=30))
    save_draft(actor, consultation, {"presenting_complaint": "Thinning", "diagnosis_primary": "androgenetic_alopecia"},
               measurements={"site_zone": "vertex", "site_offset_cm": Decimal("10"), "density_per_cm2": Decimal("150")},
               labs={"ferritin": {"value": Decimal("25"), "unit": "ng/mL", "reference_low": None, "reference_high": None}},
               expected_version=None)
    consultation = sign_consultation(actor, consultation, doctor)
    for purpose in ("treatment", "photographs"):
        text = publish_text(actor, clinic, purpose, "en", f"Consent: {purpose}", "I consent.")
        sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=nurse)
    formulation = save_formulation(actor, consultation, [Component("ghk_cu", Decimal("1.0"), Decimal("1")),
                                                         Component("dexpanthenol", Decimal("1.0"), Decimal("50"))],
                                   author=doctor, signoff=False, consent_documented=False)
    room = create_room(clinic, "Procedure room 1")
    product = Product.objects.create(clinic=clinic, name="Vital cocktail 5 mL", vial_type="multi_dose",
                                     vial_volume_ml=Decimal("5"), low_stock_threshold_ml=Decimal("10"))
    product.components.create(ingredient_code="ghk_cu", concentration=Decimal("1"), concentration_unit="mg/mL")
    product.components.create(ingredient_code="dexpanthenol", concentration=Decimal("50"), concentration_unit="mg/mL")
    lot = receive_lot(actor, product, lot_number="VC-2611", expiry_date=today + dt.timedelta(days=200),
                      quantity_ml=Decimal("200"), supplier="Derma Supplies, Mumbai", received_on=today - dt.timedelta(days=3))
    course = create_course(actor, consultation, formulation, CourseChoices(today + dt.timedelta(days=60), 1, 14, 0, 60),
                           practitioner=nurse, room=room, session_time=dt.time(10, 0), duration_minutes=45, author=doctor)
    earlier = book_appointment(actor, clinic, patient=patient, practitioner=nurse, room=room, kind="mesotherapy_session",
                               starts_at=local(today, 9), duration_minutes=45, course_session_number=1)
    session = record_session(actor, earlier, session_input(lot), practitioner=nurse, today=today)
    event = report_event(actor, patient, session=session, event_type="erythema", severity="mild", onset_date=today,
                         description="Redness", action_taken="Reassured", reported_by=nurse)
    image = io.BytesIO()
    Image.new("RGB", (120, 90), (190, 140, 110)).save(image, format="JPEG")
    data = image.getvalue()
    [photo] = upload_photos(actor, patient, [PhotoFile("vertex.jpg", len(data), io.BytesIO(data))],
                            view_choice="vertex", visit_date=today - dt.timedelta(days=30), today=today, uploaded_by=nurse)
    clinic.gstin = "27ABCDE1234F1Z5"
    clinic.save()
    BillingSettings.objects.create(clinic=clinic, state_code="27", invoice_prefix="MUM")
    item = PriceItem.objects.create(clinic=clinic, kind="session", name="Cosmetic scalp session", price_paise=2_999_99,
                                    tax_class="cosmetic", code="999722", gst_rate_bp=1800)
    invoice = create_invoice(actor, patient, [LineRequest(item)], today=today)
    _, token = portal.invite_patient(actor, patient, by=receptionist)
    patient_user = portal.accept_invitation(token, patient.mrn, "violet kettle morning 42")
    return {
        "clinic": clinic, "patient": patient, "consultation": consultation, "formulation": formulation, "room": room,
        "product": product, "lot": lot, "course": course, "appointment": earlier, "session": session, "event": event,
        "photo": photo, "invoice": invoice, "item": item, "today": today, "patient_user": patient_user,
        "staff": {"clinic_admin": admin_user, "trichologist": doctor, "practitioner": nurse, "reception": receptionist},
    }


# --- growers: each adds EXTRA rows of one kind related to the world's patient, lot, product ... ---


def more_patients(w: dict[str, Any]) -> None:
    p = w["patient"]

    def vary(row: Any, i: int) -> None:
        row.mrn = f"LOT-9{i:05d}"
        row.phone = f"+9198300{i:05d}"
        row.given_name = f"Asha{i}"

    bulk(p, EXTRA, vary)


def _appointment_copies(w: dict[str, Any], count: int, *, day: dt.date | None = None, course: bool = False) -> list[Any]:
    """Appointments of the world's patient: on ``day`` one every 15 minutes, else one a day after today."""
    from anagen.scheduling.models import Appointment

    template = Appointment.objects.get(pk=w["appointment"].pk)

    def vary(row: Any, i: int) -> None:
        if day is not None:
            row.starts_at = local(day, 0) + dt.timedelta(minutes=15 * i)
        else:
            row.starts_at = template.starts_at + dt.timedelta(days=i)
        row.ends_at = row.starts_at + dt.timedelta(minutes=15)
        row.status = "booked"
        if course:
            row.course_id = w["course"].pk
            row.course_session_number = i + 1

    return bulk(template, count, vary)


def more_appointments(w: dict[str, Any]) -> None:
    _appointment_copies(w, EXTRA)


def more_appointments_today(w: dict[str, Any]) -> None:
    _appointment_copies(w, EXTRA, day=w["today"])


def more_course_appointments(w: dict[str, Any]) -> None:
    _appointment_copies(w, EXTRA, course=True)


def more_sessions(w: dict[str, Any]) -> None:
    """Signed sessions, each with its appointment (completed), lot use, stock movement and follow-up."""
    from anagen.catalog.models import StockMovement
    from anagen.procedures.models import LotUsage, TreatmentSession
    from anagen.safety.models import FollowUpTask

    session = TreatmentSession.objects.get(pk=w["session"].pk)
    usage = LotUsage.objects.get(session=session)
    movement = StockMovement.objects.get(pk=usage.movement_id)
    follow_up = FollowUpTask.objects.get(session=session)
    appointments = _appointment_copies(w, EXTRA)
    for a in appointments:
        a.status = "completed"
    type(appointments[0]).objects.bulk_update(appointments, ["status"])
    sessions = bulk(session, EXTRA, lambda row, i: (setattr(row, "appointment", appointments[i - 1]),
                                                    setattr(row, "performed_on", w["today"] - dt.timedelta(days=i))))
    movements = bulk(movement, EXTRA, lambda row, i: setattr(row, "session_ref", sessions[i - 1].pk))
    bulk(usage, EXTRA, lambda row, i: (setattr(row, "session", sessions[i - 1]), setattr(row, "movement", movements[i - 1])))
    bulk(follow_up, EXTRA, lambda row, i: setattr(row, "session", sessions[i - 1]))


def more_consultations(w: dict[str, Any]) -> None:
    from anagen.consultations.models import Consultation, LabResult, MeasurementSet

    consultation = Consultation.objects.get(pk=w["consultation"].pk)
    measurement = MeasurementSet.objects.get(consultation=consultation)
    lab = LabResult.objects.get(consultation=consultation)
    rows = bulk(consultation, EXTRA, lambda row, i: setattr(row, "consulted_on", consultation.consulted_on - dt.timedelta(days=i)))
    bulk(measurement, EXTRA, lambda row, i: (setattr(row, "consultation", rows[i - 1]),
                                             setattr(row, "measured_on", rows[i - 1].consulted_on)))
    bulk(lab, EXTRA, lambda row, i: setattr(row, "consultation", rows[i - 1]))


def more_labs(w: dict[str, Any]) -> None:
    """Every other test the lab form knows (one result per test per consultation)."""
    from anagen.consultations.models import LAB_TEST_CHOICES, LabResult

    lab = LabResult.objects.get(consultation=w["consultation"])
    others = [code for code, _ in LAB_TEST_CHOICES if code != lab.test]
    from anagen.core.labs import CANONICAL_UNIT, LabTest

    def vary(row: Any, i: int) -> None:
        row.test = others[i - 1]
        row.unit = CANONICAL_UNIT[LabTest(row.test)]
        row.value = Decimal("10")

    bulk(lab, len(others), vary)


def more_measurements(w: dict[str, Any]) -> None:
    from anagen.consultations.models import MeasurementSet

    m = MeasurementSet.objects.get(consultation=w["consultation"])
    bulk(m, EXTRA, lambda row, i: (setattr(row, "consultation", None), setattr(row, "measured_on", m.measured_on + dt.timedelta(days=i)),
                                   setattr(row, "density_per_cm2", m.density_per_cm2 + i)))
    # Beside them on the progress page, what the patient reported: diary days and an answer.
    from django.utils import timezone

    from anagen.outcomes.models import ReportedOutcome, SheddingDiaryEntry

    patient, now = m.patient, timezone.now()
    SheddingDiaryEntry.objects.bulk_create(
        SheddingDiaryEntry(clinic_id=patient.clinic_id, patient=patient, day=m.measured_on + dt.timedelta(days=i), hairs_shed=40 + i,
                           comb_count=i, recorded_at=now) for i in range(EXTRA))
    ReportedOutcome.objects.create(clinic_id=patient.clinic_id, patient=patient, answered_at=now, change=1, satisfaction=4)


def more_events(w: dict[str, Any]) -> None:
    from anagen.safety.models import AdverseEvent

    event = AdverseEvent.objects.get(pk=w["event"].pk)
    bulk(event, EXTRA, lambda row, i: setattr(row, "onset_date", event.onset_date - dt.timedelta(days=i)))


def more_photos(w: dict[str, Any]) -> None:
    from anagen.photos.models import Photo

    photo = Photo.objects.get(pk=w["photo"].pk)

    def vary(row: Any, i: int) -> None:
        row.file_name = f"copy{i}-{photo.file_name}"[:100]
        row.thumbnail_name = f"copy{i}-{photo.thumbnail_name}"[:100]
        row.visit_date = photo.visit_date + dt.timedelta(days=i)

    bulk(photo, EXTRA, vary)


def more_lots(w: dict[str, Any]) -> None:
    from anagen.catalog.models import Lot, StockMovement

    lot = Lot.objects.get(pk=w["lot"].pk)
    receipt = StockMovement.objects.filter(lot=lot, kind="received").first() or StockMovement.objects.filter(lot=lot).first()
    lots = bulk(lot, EXTRA, lambda row, i: (setattr(row, "lot_number", f"VC-{3000 + i}"),
                                            setattr(row, "expiry_date", lot.expiry_date + dt.timedelta(days=i))))
    bulk(receipt, EXTRA, lambda row, i: setattr(row, "lot", lots[i - 1]))


def more_invoices(w: dict[str, Any]) -> None:
    from anagen.billing.models import Invoice, InvoiceLine

    invoice = Invoice.objects.get(pk=w["invoice"].pk)
    line = InvoiceLine.objects.filter(invoice=invoice).first()
    rows = bulk(invoice, EXTRA, lambda row, i: (setattr(row, "sequence", invoice.sequence + i),
                                                setattr(row, "number", f"{invoice.number}-{i}")))
    bulk(line, EXTRA, lambda row, i: setattr(row, "invoice", rows[i - 1]))


def more_audit_entries(w: dict[str, Any], count: int = EXTRA) -> None:
    from anagen.audit.services import Actor, record_read

    staff = w["staff"]["trichologist"]
    actor = Actor(user_id=staff.pk, username=staff.username, clinic_id=w["clinic"].pk, ip_address="10.0.0.5")
    for _ in range(count):
        record_read(actor, "patient", w["patient"].pk, w["patient"].pk)


def more_of_everything(w: dict[str, Any]) -> None:
    """The patient page gathers every kind of record: grow them all at once."""
    more_consultations(w)
    more_sessions(w)
    more_appointments_today(w)
    more_events(w)
    more_photos(w)
    more_lots(w)
    more_measurements(w)
    more_invoices(w)


def more_of_everything_ahead(w: dict[str, Any]) -> None:
    """As ``more_of_everything``, with the extra appointments booked course sessions on the days after
    the world's one rather than today's: whether today's are still ahead depends on the hour the suite
    runs, and ahead of the course session they pushed it off the portal's list before 12:30 IST."""
    more_consultations(w)
    more_sessions(w)
    more_course_appointments(w)
    more_events(w)
    more_photos(w)
    more_lots(w)
    more_measurements(w)
    more_invoices(w)


def more_formulations(w: dict[str, Any]) -> None:
    from anagen.treatments.models import Formulation, FormulationComponent

    formulation = Formulation.objects.get(pk=w["formulation"].pk)
    components = list(FormulationComponent.objects.filter(formulation=formulation))
    rows = bulk(formulation, EXTRA, lambda row, i: setattr(row, "notes", f"Revision {i}"))
    for component in components:
        bulk(component, EXTRA, lambda row, i: setattr(row, "formulation", rows[i - 1]))


def more_courses(w: dict[str, Any]) -> None:
    """Courses of the world's patient, each with one booked session in the calendar."""
    from anagen.scheduling.models import Appointment
    from anagen.treatments.models import Course

    course = Course.objects.get(pk=w["course"].pk)
    courses = bulk(course, EXTRA, lambda row, i: (setattr(row, "start_date", course.start_date - dt.timedelta(days=i)),
                                                  setattr(row, "status", "completed")))
    template = Appointment.objects.filter(course_id=course.pk).first()
    bulk(template, EXTRA, lambda row, i: (setattr(row, "course_id", courses[i - 1].pk),
                                          setattr(row, "starts_at", template.starts_at + dt.timedelta(days=i)),
                                          setattr(row, "ends_at", template.ends_at + dt.timedelta(days=i))))


def more_events_to_review(w: dict[str, Any], count: int = EXTRA) -> None:
    """Moderate events no trichologist has reviewed: the review queue lists them."""
    from anagen.safety.models import AdverseEvent

    event = AdverseEvent.objects.get(pk=w["event"].pk)
    bulk(event, count, lambda row, i: (setattr(row, "severity", "moderate"),
                                       setattr(row, "onset_date", event.onset_date - dt.timedelta(days=i))))


def more_infections(w: dict[str, Any], count: int = EXTRA) -> None:
    """Suspected infections after the world's session, linked to its lot."""
    from anagen.safety.models import AdverseEvent

    event = AdverseEvent.objects.get(pk=w["event"].pk)
    rows = bulk(event, count, lambda row, i: (setattr(row, "event_type", "infection"),
                                              setattr(row, "onset_date", w["today"] - dt.timedelta(days=i % 20))))
    through = AdverseEvent.lots.through
    through.objects.bulk_create([through(adverseevent_id=row.pk, lot_id=w["lot"].pk) for row in rows])


def more_addenda(w: dict[str, Any]) -> None:
    from anagen.procedures.models import SessionAddendum

    SessionAddendum.objects.bulk_create([
        SessionAddendum(session=w["session"], author=w["staff"]["practitioner"], reason=f"Correction {i}", text="Volume was 0.5 mL per zone.")
        for i in range(EXTRA)
    ])


def more_course_outcomes(w: dict[str, Any]) -> None:
    """49 more courses of the world's patient, started in the last 49 days, each with a completed
    session, and the outcome rows built as the patient's next write would build them."""
    from anagen.outcomes.outlook import refresh_patient
    from anagen.patients.models import Patient
    from anagen.scheduling.models import Appointment
    from anagen.treatments.models import Course

    course = Course.objects.get(pk=w["course"].pk)
    today = timezone.localdate()
    courses = bulk(course, EXTRA, lambda row, i: setattr(row, "start_date", today - dt.timedelta(days=i)))
    template = Appointment.objects.filter(course_id=course.pk).first()
    bulk(template, EXTRA, lambda row, i: (setattr(row, "course_id", courses[i - 1].pk), setattr(row, "status", "completed"),
                                          setattr(row, "starts_at", local(today - dt.timedelta(days=i), 6)),
                                          setattr(row, "ends_at", local(today - dt.timedelta(days=i), 6, 30))))
    refresh_patient(Patient.objects.get(pk=w["patient"].pk))


def assess_the_course(w: dict[str, Any]) -> None:
    """The world's course with a follow-up measurement and its session completed, so its outcome
    row has a response and a practitioner (the clinic tables' first row)."""
    from anagen.consultations.models import MeasurementSet
    from anagen.outcomes.outlook import refresh_patient
    from anagen.patients.models import Patient
    from anagen.scheduling.models import Appointment
    from anagen.treatments.models import Course

    baseline = MeasurementSet.objects.get(consultation=w["consultation"])
    bulk(baseline, 1, lambda row, i: (setattr(row, "consultation", None), setattr(row, "measured_on", baseline.measured_on + dt.timedelta(days=90)),
                                      setattr(row, "density_per_cm2", baseline.density_per_cm2 + 20)))
    Appointment.objects.filter(course_id=w["course"].pk).update(status="completed")
    Course.objects.filter(pk=w["course"].pk).update(start_date=timezone.localdate() - dt.timedelta(days=60))
    refresh_patient(Patient.objects.get(pk=w["patient"].pk))


def flag_the_patient(w: dict[str, Any]) -> None:
    """The world's patient flagged on the dashboard (its outlook built first, so no page rebuilds it)."""
    from anagen.outcomes.models import PatientOutlook
    from anagen.outcomes.outlook import refresh_all

    refresh_all()
    PatientOutlook.objects.filter(patient_id=w["patient"].pk).update(flagged=True, message="below the band")


def more_flagged_patients(w: dict[str, Any]) -> None:
    """49 more patients flagged as likely non-responders on the dashboard."""
    from anagen.outcomes.models import PatientOutlook
    from anagen.patients.models import Patient

    more_patients(w)
    PatientOutlook.objects.bulk_create(
        PatientOutlook(patient=p, clinic_id=p.clinic_id, flagged=True, message="below the band")
        for p in Patient.objects.filter(clinic_id=w["patient"].clinic_id, mrn__startswith="LOT-9")
    )


# The portal's move page offers the open days of four weeks (anagen.core.self_service.move_days):
# "one row" is one day left open among closures, "more rows" the closures lifted.
MOVE_WINDOW_DAYS = 40


def _first_open_weekday(day: dt.date) -> dt.date:
    return day if day.weekday() != 6 else day + dt.timedelta(days=1)  # the clinic is closed on Sundays


def close_all_but_one_day(w: dict[str, Any]) -> None:
    """Closures on every day of the move page's window but one (ten days ahead, past any notice)."""
    from anagen.accounts.models import ClinicClosure

    today = w["today"]
    kept = _first_open_weekday(today + dt.timedelta(days=10))
    ClinicClosure.objects.bulk_create(
        ClinicClosure(clinic=w["clinic"], date=today + dt.timedelta(days=n), reason="Test closure")
        for n in range(MOVE_WINDOW_DAYS) if today + dt.timedelta(days=n) != kept
    )


def more_open_days(w: dict[str, Any]) -> None:
    """The closures lifted: the move page offers every open day of its four weeks."""
    from anagen.accounts.models import ClinicClosure

    ClinicClosure.objects.filter(clinic=w["clinic"], reason="Test closure").delete()


def course_session_to_move(w: dict[str, Any]) -> Any:
    from anagen.scheduling.models import Appointment

    return Appointment.objects.filter(course_id=w["course"].pk).order_by("starts_at").first()


def _waiting(w: dict[str, Any], count: int, first: int) -> None:
    """``count`` booked sessions of the world's patient (from day 60 + ``first``), each on the
    waiting list and offered a freed time (a cancelled appointment the day before)."""
    from anagen.scheduling.models import Appointment
    from anagen.waitlist.models import FreedTime, SlotOffer, WaitingListEntry

    now = timezone.now()
    template = Appointment.objects.filter(course_id=w["course"].pk).first()
    booked = bulk(template, count, lambda row, i: (setattr(row, "starts_at", template.starts_at + dt.timedelta(days=first + i)),
                                                   setattr(row, "ends_at", template.ends_at + dt.timedelta(days=first + i))))
    cancelled = bulk(template, count, lambda row, i: (setattr(row, "status", "cancelled"), setattr(row, "status_reason", "Travelling"),
                                                      setattr(row, "starts_at", template.starts_at + dt.timedelta(days=first + i - 1, hours=2)),
                                                      setattr(row, "ends_at", template.ends_at + dt.timedelta(days=first + i - 1, hours=2))))
    entries = WaitingListEntry.objects.bulk_create([
        WaitingListEntry(clinic=w["clinic"], patient=w["patient"], appointment=a, joined_starts_at=a.starts_at, created_at=now)
        for a in booked])
    freed = FreedTime.objects.bulk_create([
        FreedTime(clinic=w["clinic"], cancelled_appointment=a, practitioner_id=a.practitioner_id, starts_at=a.starts_at, created_at=now,
                  expires_at=a.starts_at - dt.timedelta(hours=24)) for a in cancelled])
    if connection_needs_refetch():
        entries = list(WaitingListEntry.objects.order_by("-pk")[:count])[::-1]
        freed = list(FreedTime.objects.order_by("-pk")[:count])[::-1]
    SlotOffer.objects.bulk_create([SlotOffer(clinic=w["clinic"], freed=f, entry=e, patient=w["patient"], created_at=now,
                                             expires_at=f.expires_at) for f, e in zip(freed, entries, strict=True)])


def one_waiting(w: dict[str, Any]) -> None:
    """One session of the world's patient on the waiting list, offered one freed time."""
    _waiting(w, 1, 1)


def more_waiting(w: dict[str, Any]) -> None:
    """49 more sessions on the waiting list, each offered a freed time: the portal's waiting-list
    page and the API's waiting list list them all."""
    _waiting(w, EXTRA, 2)


def more_self_service_changes(w: dict[str, Any], count: int = EXTRA) -> None:
    """Sessions the world's patient moved in the portal (the API's list of self-service changes)."""
    from anagen.portal.models import SelfServiceChange
    from anagen.scheduling.models import Appointment

    appointment = Appointment.objects.filter(course_id=w["course"].pk).first()
    now = timezone.now()
    SelfServiceChange.objects.bulk_create([
        SelfServiceChange(clinic=w["clinic"], patient=w["patient"], appointment=appointment, kind="moved",
                          from_starts_at=appointment.starts_at + dt.timedelta(days=i), to_starts_at=appointment.starts_at,
                          created_at=now - dt.timedelta(minutes=i)) for i in range(count)])
