"""Safety fixtures: a product lot in each clinic, and signed sessions recorded through the
services (tests/builders.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from tests import builders

from anagen.core.formulation import Component

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
    """A signed session of ``patient`` on ``on`` using ``lots`` ([(lot, "1.50"), ...]), recorded
    through ``procedures.services.record_session`` (which draws the lots and opens the follow-up),
    after the patient's first signed consultation, treatment consent and formulation are made
    through their services. ``signed_at`` puts the session's appointment so that it ends, and the
    session is signed, at that moment (on the quarter hour before it, on that moment's day)."""

    def make(patient: Any, on: dt.date, lots: list[tuple[Any, str]] = (), *, practitioner: Any = None,
             signed_at: dt.datetime | None = None) -> Any:
        from anagen.accounts.models import User
        from anagen.consultations.services import latest_signed
        from anagen.scheduling.models import Room
        from anagen.scheduling.services import book_appointment, local_datetime
        from anagen.treatments.models import Formulation

        clinic = patient.clinic
        staff = practitioner or User.objects.filter(clinic=clinic, role__in=["practitioner", "trichologist"]).first()
        if staff is None:
            staff = User.objects.create_user(f"nurse-{clinic.pk}-{next(_slot)}", password="x", clinic=clinic, role="practitioner")
        doctor = User.objects.filter(clinic=clinic, role="trichologist").first() or User.objects.create_user(
            f"doctor-{clinic.pk}-{next(_slot)}", password="x", clinic=clinic, role="trichologist")
        room = Room.objects.filter(clinic=clinic, active=True).first() or builders.room(clinic)
        system = builders.system_actor(clinic)
        consultation = latest_signed(patient) or builders.signed_consultation(patient, doctor, on=on - dt.timedelta(days=7), actor=system)
        if not patient.consent_records.filter(purpose="treatment").exists():
            builders.consent(patient, staff, actor=system)
        if not Formulation.objects.filter(patient=patient).exists():
            # What the session draws is what is prescribed (issue 17): the lots' biotin cocktail, at
            # the volume drawn, so the draw check needs no reason.
            drawn_ml = sum((Decimal(volume) for _, volume in lots), Decimal(0)) or Decimal("2.0")
            builders.formulation(consultation, doctor, actor=system,
                                 components=(Component("biotin", drawn_ml, Decimal("0.5")),))
        if signed_at is not None:  # appointments keep to the quarter hour: it ends at most 15 minutes earlier
            ends = timezone.localtime(signed_at).replace(second=0, microsecond=0)
            starts = ends - dt.timedelta(minutes=15 + ends.minute % 15)
        else:
            slot = next(_slot)
            starts = local_datetime(on, dt.time(8 + (slot % 48) // 4, 15 * (slot % 4)))
        appointment = book_appointment(system, clinic, patient=patient, practitioner=staff, room=room,
                                       kind="mesotherapy_session", starts_at=starts, duration_minutes=15)
        return builders.signed_session(appointment, staff, lots=lots, on=timezone.localtime(starts).date(), actor=system)

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
