"""Records for tests, made through the product's own services, so that they are screened, checked
and audited exactly as in use: a signed consultation, a consent, a formulation, a course, a lot in
stock, a session appointment and a signed session.

Import what a conftest or a test needs (``from tests.builders import signed_consultation``); each
builder takes the people and records it depends on and makes nothing behind the caller's back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from anagen.audit.services import Actor
from anagen.catalog.models import Product
from anagen.catalog.services import receive_lot
from anagen.consents.services import current_text, publish_text, sign_consent
from anagen.consultations.services import save_draft, sign_consultation, start_consultation
from anagen.core.formulation import Component
from anagen.core.measurements import ScalpZone
from anagen.core.safety import InjectionPoint
from anagen.procedures.services import LotUse, SessionInput, record_session
from anagen.scheduling.services import book_appointment, create_room
from anagen.treatments.services import CourseChoices, create_course, save_formulation

CONSULTATION = {"presenting_complaint": "Thinning", "diagnosis_primary": "androgenetic_alopecia"}
COMPONENTS = (Component("ghk_cu", Decimal("1.0"), Decimal("1")), Component("dexpanthenol", Decimal("1.0"), Decimal("50")))
"""A 2 mL formulation the core accepts for androgenetic alopecia."""


def system_actor(clinic: Any) -> Actor:
    return Actor.system("test", clinic.pk)


def actor_for(user: Any, ip_address: str | None = "127.0.0.1") -> Actor:
    return Actor(user_id=user.pk, username=user.username, clinic_id=user.clinic_id, ip_address=ip_address)


def signed_consultation(patient: Any, trichologist: Any, *, on: dt.date | None = None, actor: Actor | None = None,
                        measurements: dict[str, Any] | None = None, labs: dict[str, Any] | None = None,
                        **values: Any) -> Any:
    """A consultation started, drafted and signed (screened at signing) by ``trichologist``;
    ``values`` add to or replace the default complaint and diagnosis."""
    actor = actor or system_actor(patient.clinic)
    consultation = start_consultation(actor, patient, trichologist, on or timezone.localdate() - dt.timedelta(days=7))
    save_draft(actor, consultation, {**CONSULTATION, **values}, measurements=measurements, labs=labs or {}, expected_version=None)
    return sign_consultation(actor, consultation, trichologist)


def consent(patient: Any, witness: Any, purpose: str = "treatment", *, title: str = "", body: str = "I consent.",
            actor: Actor | None = None) -> Any:
    """The patient's typed consent for ``purpose``, on the clinic's current text (published once)."""
    clinic = patient.clinic
    actor = actor or system_actor(clinic)
    text = current_text(clinic, purpose) or publish_text(actor, clinic, purpose, "en", title or f"Consent: {purpose}", body)
    return sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=witness)


def formulation(consultation: Any, author: Any, *, components: tuple[Component, ...] = COMPONENTS,
                actor: Actor | None = None) -> Any:
    return save_formulation(actor or system_actor(consultation.clinic), consultation, list(components), author=author,
                            signoff=False, consent_documented=False)


def room(clinic: Any, name: str = "Procedure room 1") -> Any:
    return create_room(clinic, name)


def lot_in_stock(clinic: Any, *, number: str = "VC-2611", quantity_ml: str = "20", actor: Actor | None = None) -> Any:
    """A lot of a 5 mL multi-dose product, received three days ago, expiring in 200 days. Its
    ingredient list is COMPONENTS', so a session of ``formulation()`` draws it without a reason
    (issue 17: the product drawn is checked against the prescription and the allergies)."""
    today = timezone.localdate()
    product = Product.objects.filter(clinic=clinic, name="Vital cocktail 5 mL").first()
    if product is None:
        product = Product.objects.create(clinic=clinic, name="Vital cocktail 5 mL", vial_type="multi_dose",
                                         vial_volume_ml=Decimal("5"), low_stock_threshold_ml=Decimal("10"))
        for component in COMPONENTS:
            product.components.create(ingredient_code=component.ingredient, concentration=component.concentration,
                                      concentration_unit="mg/mL")
    return receive_lot(actor or system_actor(clinic), product, lot_number=number, expiry_date=today + dt.timedelta(days=200),
                       quantity_ml=Decimal(quantity_ml), supplier="Derma Supplies, Mumbai", received_on=today - dt.timedelta(days=3))


def course(consultation: Any, formulation: Any, practitioner: Any, room: Any, author: Any, *, start: dt.date,
           intensive_sessions: int = 2, interval_days: int = 14, maintenance_sessions: int = 0,
           maintenance_interval_days: int = 60, actor: Actor | None = None) -> Any:
    """A course planned and booked by the treatments service (sessions at 10:00, 45 minutes)."""
    return create_course(actor or system_actor(consultation.clinic), consultation, formulation,
                         CourseChoices(start, intensive_sessions, interval_days, maintenance_sessions, maintenance_interval_days),
                         practitioner=practitioner, room=room, session_time=dt.time(10, 0), duration_minutes=45, author=author)


def this_hour() -> dt.datetime:
    """The start of the current hour, clinic time, between 01:00 and 21:00 so that the day still
    holds this slot and the next hour's."""
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    return start.replace(hour=min(max(start.hour, 1), 21))


def session_appointment(patient: Any, practitioner: Any, room: Any, *, starts_at: dt.datetime | None = None,
                        number: int = 1, actor: Actor | None = None) -> Any:
    """A 45-minute mesotherapy-session appointment, by default this hour today."""
    return book_appointment(actor or system_actor(patient.clinic), patient.clinic, patient=patient, practitioner=practitioner,
                            room=room, kind="mesotherapy_session", starts_at=starts_at or this_hour(), duration_minutes=45,
                            course_session_number=number)


def session_input(lot: Any = None, *, lots: Sequence[tuple[Any, str]] = (), points: int | None = None, volume_ml: str = "0.1",
                  lot_volume_ml: str = "2.0", **answers: Any) -> SessionInput:
    """A complete session record: checklist done, injections at the vertex, drawn from ``lot``
    (``lot_volume_ml``, by default the 2 mL of ``formulation()``) or from each of ``lots``
    ((lot, "1.50"), ...). Without ``points``, as many points of ``volume_ml`` as give the volume
    drawn, so drawn and injected reconcile (issue 17); ``answers`` add to the record."""
    drawn = tuple(LotUse(each.pk, Decimal(volume)) for each, volume in lots) or (LotUse(lot.pk, Decimal(lot_volume_ml)),)
    if points is None:
        points = int(sum((use.volume_ml for use in drawn), Decimal(0)) / Decimal(volume_ml))
    injections = tuple(InjectionPoint(ScalpZone.VERTEX, Decimal("0.5"), Decimal("0.5"), Decimal(volume_ml)) for _ in range(points))
    return SessionInput(
        identity_confirmed=True, fever_today=False, scalp_infection_today=False, pregnant_today=False, new_medicines="",
        new_medication_codes=(), scalp_cleansed=True, numbing_spray=False, technique="needle", needle_gauge=32,
        needle_length_mm=Decimal("4"), mesogun_settings="", depth_mm=Decimal("2"), injection_style="point_by_point",
        injection_map=injections, lots=drawn, pain_score=2, immediate_reactions=(),
        reaction_notes="", aftercare_language="en", **answers,
    )


def signed_session(appointment: Any, practitioner: Any, lot: Any = None, *, on: dt.date | None = None, actor: Actor | None = None,
                   **inputs: Any) -> Any:
    """The session of ``appointment`` recorded and signed through ``procedures.services.record_session``
    (its follow-up is opened and the lot drawn as in use)."""
    return record_session(actor or system_actor(appointment.clinic), appointment, session_input(lot, **inputs),
                          practitioner=practitioner, today=on or timezone.localdate())


def recalled_session(patient: Any, trichologist: Any, room: Any, *, start: dt.date, days_before: int = 14) -> tuple[Any, Any]:
    """A course of one intensive and two maintenance sessions (every 28 days), all booked, whose
    first maintenance session (session 2) was then cancelled: the planner owes it a recall.
    Returns (course, recall), the recall made by the recall planner as the worker would."""
    from anagen.recall import services as recalls
    from anagen.recall.models import Recall
    from anagen.scheduling.models import Appointment
    from anagen.scheduling.services import cancel_appointment

    actor = system_actor(patient.clinic)
    consultation = signed_consultation(patient, trichologist, actor=actor)
    made = create_course(actor, consultation, formulation(consultation, trichologist, actor=actor), CourseChoices(start, 1, 14, 2, 28),
                         practitioner=trichologist, room=room, session_time=dt.time(10, 0), duration_minutes=45, author=trichologist)
    cancel_appointment(actor, Appointment.objects.get(course_id=made.pk, course_session_number=2), "the patient will book later")
    recalls.sync_clinic(patient.clinic, timezone.localdate(), days_before)
    return made, Recall.objects.get(course=made, session_number=2)
