"""Safety fixtures: a product lot in each clinic, and signed sessions built directly with the ORM
(a saved TreatmentSession is immutable: created once, never updated) with their LotUsage rows
drawn from stock through ``anagen.catalog.services.draw_stock``."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

_slot = itertools.count()


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def actor_for(user: Any) -> Any:
    from anagen.audit.services import Actor

    return Actor(user_id=user.pk, username=user.username, clinic_id=user.clinic_id, ip_address="127.0.0.1")


@pytest.fixture
def make_lot() -> Any:
    def make(clinic: Any, number: str = "VC-001", product_name: str = "Vital Cocktail 5 mL") -> Any:
        from anagen.audit.services import Actor
        from anagen.catalog import services
        from anagen.catalog.models import Product

        system = Actor.system("test", clinic.pk)
        product = Product.objects.filter(clinic=clinic, name=product_name).first() or services.save_product(
            system, clinic,
            {"name": product_name, "manufacturer": "Dermaviva Labs", "vial_type": "multi_dose",
             "vial_volume_ml": Decimal("5"), "low_stock_threshold_ml": Decimal("0"), "active": True},
            [{"ingredient_code": "biotin", "concentration": Decimal("0.5")}],
        )
        return services.receive_lot(
            system, product, lot_number=number, expiry_date=timezone.localdate() + dt.timedelta(days=400),
            quantity_ml=Decimal("100"), supplier="Medisource Pharma",
            received_on=timezone.localdate() - dt.timedelta(days=300),
        )

    return make


@pytest.fixture
def lot(clinic: Any, make_lot: Any) -> Any:
    return make_lot(clinic)


@pytest.fixture
def other_lot(other_clinic: Any, make_lot: Any) -> Any:
    return make_lot(other_clinic, "OTHER-9")


@pytest.fixture
def make_session(db: Any) -> Any:
    """A signed session of ``patient`` on ``on`` using ``lots`` ([(lot, "1.50"), ...]), with its
    follow-up task created the way the sign-off does (``create_follow_up``)."""

    def make(patient: Any, on: dt.date, lots: list[tuple[Any, str]] = (), *, practitioner: Any = None,
             signed_at: dt.datetime | None = None, follow_up: bool = True) -> Any:
        from anagen.accounts.models import User
        from anagen.audit.services import Actor
        from anagen.catalog.services import draw_stock
        from anagen.consultations.models import Consultation
        from anagen.procedures.models import LotUsage, TreatmentSession
        from anagen.safety.services import create_follow_up
        from anagen.scheduling.models import Room
        from anagen.scheduling.services import book_appointment, create_room, local_datetime
        from anagen.treatments.models import Formulation

        clinic = patient.clinic
        staff = practitioner or User.objects.filter(clinic=clinic, role__in=["practitioner", "trichologist"]).first()
        if staff is None:
            staff = User.objects.create_user(f"nurse-{clinic.pk}-{next(_slot)}", password="x", clinic=clinic, role="practitioner")
        room = Room.objects.filter(clinic=clinic, active=True).first() or create_room(clinic, "Procedure room 1")
        system = Actor.system("test", clinic.pk)
        slot = next(_slot)
        starts = local_datetime(on, dt.time(8 + (slot % 48) // 4, 15 * (slot % 4)))
        appointment = book_appointment(system, clinic, patient=patient, practitioner=staff, room=room,
                                       kind="mesotherapy_session", starts_at=starts, duration_minutes=15)
        consultation = Consultation.objects.filter(patient=patient).first() or Consultation.objects.create(
            clinic=clinic, patient=patient, author=staff, status="signed", consulted_on=on, signed_at=timezone.now(), signed_by=staff,
        )
        formulation = Formulation.objects.filter(patient=patient).first() or Formulation.objects.create(
            clinic=clinic, patient=patient, consultation=consultation, diagnosis="androgenetic_alopecia",
            created_by=staff, total_volume_ml=Decimal("2.00"),
        )
        session = TreatmentSession.objects.create(
            clinic=clinic, patient=patient, appointment=appointment, formulation=formulation, practitioner=staff,
            performed_on=on, signed_at=signed_at or starts + dt.timedelta(minutes=30),
            identity_confirmed=True, consent_record_id=1, fever_today=False, scalp_infection_today=False,
            pregnant_today=False, scalp_cleansed=True, numbing_spray=False, technique="needle", needle_gauge=32,
            needle_length_mm=Decimal("4.0"), depth_mm=Decimal("1.5"), injection_style="nappage",
            injection_map=[{"zone": "vertex", "x": "0.5", "y": "0.5", "volume_ml": "0.2"}],
            total_volume_ml=sum((Decimal(v) for _, v in lots), Decimal("0")) or Decimal("2.00"), pain_score=2,
        )
        for the_lot, volume in lots:
            movement = draw_stock(system, the_lot, Decimal(volume), on=on, session_ref=session.pk, patient_id=patient.pk)
            LotUsage.objects.create(session=session, lot=the_lot, volume_ml=Decimal(volume), movement=movement)
        if follow_up:
            create_follow_up(session)
        return session

    return make


@pytest.fixture
def session(patient: Any, lot: Any, practitioner: Any, make_session: Any, today: dt.date) -> Any:
    """A session ten days ago that used 2 mL of ``lot``."""
    return make_session(patient, today - dt.timedelta(days=10), [(lot, "2.00")], practitioner=practitioner)


@pytest.fixture
def other_session(other_clinic: Any, make_patient: Any, other_lot: Any, make_session: Any, today: dt.date) -> Any:
    return make_session(make_patient(other_clinic), today - dt.timedelta(days=10), [(other_lot, "1.00")])


@pytest.fixture
def report(trichologist: Any) -> Any:
    """Report an event through the service with sensible defaults."""

    def make(patient: Any, *, by: Any = None, **values: Any) -> Any:
        from anagen.safety.services import report_event

        by = by or trichologist
        defaults = {"event_type": "erythema", "severity": "mild", "onset_date": timezone.localdate(),
                    "description": "", "action_taken": "", "reported_by": by}
        return report_event(actor_for(by), patient, **{**defaults, **values})

    return make
