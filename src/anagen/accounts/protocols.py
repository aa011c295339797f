"""A clinic's protocol settings, read into the clinical core's ``Protocol``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from anagen.accounts.models import Clinic, ClinicProtocol
from anagen.core.protocol import Protocol


def settings_for(clinic: Clinic) -> ClinicProtocol:
    stored = ClinicProtocol.objects.filter(clinic=clinic).first()
    return stored if stored is not None else ClinicProtocol(clinic=clinic)


def protocol_for(clinic: Clinic) -> Protocol:
    stored = settings_for(clinic)
    return dataclasses.replace(Protocol(), max_session_volume_ml=Decimal(stored.max_session_volume_ml),
                               self_service_notice_hours=stored.self_service_notice_hours)


def closed_dates(clinic: Clinic, start: dt.date, days: int = 730) -> list[dt.date]:
    return list(clinic.closures.filter(date__gte=start, date__lte=start + dt.timedelta(days=days)).values_list("date", flat=True))


def opening_hours(clinic: Clinic, day: dt.date) -> tuple[dt.time, dt.time] | None:
    """When the clinic is open on ``day``: (opens, closes), or None on a closed weekday or a
    closure (holiday)."""
    return opening_hours_on(clinic, [day])[day]


def opening_hours_on(clinic: Clinic, days: Iterable[dt.date]) -> dict[dt.date, tuple[dt.time, dt.time] | None]:
    """``opening_hours`` of each of these days in two queries, however many days (the portal's
    move page offers four weeks)."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    stored = settings_for(clinic)
    closed = set(clinic.closures.filter(date__gte=wanted[0], date__lte=wanted[-1]).values_list("date", flat=True))
    weekdays = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {day: None if weekdays[day.weekday()] not in stored.open_weekdays or day in closed else (stored.opens_at, stored.closes_at)
            for day in wanted}
