"""Billing fixtures: a clinic in Maharashtra (27) with prefix MUM and a small price list."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def billing_clinic(clinic: Any) -> Any:
    from anagen.billing.models import BillingSettings

    clinic.gstin = "27ABCDE1234F1Z5"
    clinic.save()
    BillingSettings.objects.create(clinic=clinic, state_code="27", invoice_prefix="MUM")
    return clinic


@pytest.fixture
def items(billing_clinic: Any) -> dict[str, Any]:
    from anagen.billing.models import PriceItem

    make = PriceItem.objects.create
    return {
        "package": make(clinic=billing_clinic, kind="package", name="6-session intensive course", price_paise=36_000_00,
                        tax_class="medical_exempt", code="9993", gst_rate_bp=0, sessions=6),
        "small_package": make(clinic=billing_clinic, kind="package", name="2-session top-up", price_paise=12_000_00,
                              tax_class="medical_exempt", code="9993", gst_rate_bp=0, sessions=2),
        "cosmetic": make(clinic=billing_clinic, kind="session", name="Cosmetic scalp session", price_paise=2_999_99,
                         tax_class="cosmetic", code="999722", gst_rate_bp=1800),
        "serum": make(clinic=billing_clinic, kind="product", name="Hair serum", price_paise=333_33,
                      tax_class="goods", code="3305", gst_rate_bp=1800),
    }


@pytest.fixture
def actor(billing_clinic: Any) -> Any:
    from anagen.audit.services import Actor

    return Actor.system("test", billing_clinic.pk)


@pytest.fixture
def room(clinic: Any) -> Any:
    from anagen.scheduling.models import Room

    return Room.objects.create(clinic=clinic, name="Room 1")


@pytest.fixture
def visit(clinic: Any, room: Any, trichologist: Any) -> Any:
    """An appointment the patient came to (arrived, or completed), ``days_ago`` days back."""
    from anagen.audit.services import Actor
    from anagen.scheduling import services as scheduling

    def make(patient: Any, days_ago: int = 1, hour: int = 10, complete: bool = True) -> Any:
        actor = Actor.system("test", clinic.pk)
        day = timezone.localdate() - timedelta(days=days_ago)
        starts = datetime.combine(day, time(hour, 0)).replace(tzinfo=timezone.get_default_timezone())
        appointment = scheduling.book_appointment(actor, clinic, patient=patient, practitioner=trichologist, room=room,
                                                  kind="mesotherapy_session", starts_at=starts, duration_minutes=60)
        appointment = scheduling.mark_arrived(actor, appointment, now=starts)
        if complete:
            appointment = scheduling.mark_completed(actor, appointment, now=starts + timedelta(hours=1))
        return appointment

    return make
