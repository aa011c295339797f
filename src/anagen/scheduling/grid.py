"""Lay appointments out as a table: 15-minute rows down, practitioners, rooms or days across.

Appointments occupy one cell with a rowspan; free cells link to the booking form prefilled with
that slot. Only appointments that hold their slots (booked, arrived, completed) go in the grid, so
no two share a cell: cancelled ones and no-shows are listed beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from anagen.scheduling.models import SLOT_MINUTES, Appointment
from anagen.scheduling.services import clinic_zone, local_datetime

DAY_START_HOUR = 9
DAY_END_HOUR = 20


@dataclass
class Column:
    label: str
    day: date
    book_params: dict[str, Any]
    appointments: list[Appointment] = field(default_factory=list)
    sublabel: str = ""
    is_today: bool = False
    bookable: bool = True


@dataclass
class Cell:
    column: Column
    appointment: Appointment | None = None
    rowspan: int = 1
    book_query: str = ""
    url: str = ""
    """The appointment's page, or the booking form for this free slot."""


@dataclass
class Row:
    label: str
    on_the_hour: bool
    cells: list[Cell]


def _minutes(moment: datetime, day: date) -> int:
    local = timezone.localtime(moment, clinic_zone())
    midnight = local_datetime(day, time(0, 0))
    return int((local - midnight).total_seconds() // 60)


def build_rows(columns: list[Column]) -> list[Row]:
    # A week has a few hundred free cells: their booking URL is reversed once here, not once per
    # cell in the template (that was a third of the page's time).
    book_url = reverse("scheduling:book")
    first, last = DAY_START_HOUR * 60, DAY_END_HOUR * 60
    for column in columns:
        for appointment in column.appointments:
            first = min(first, _minutes(appointment.starts_at, column.day) // 60 * 60)
            last = max(last, -(-_minutes(appointment.ends_at, column.day) // 60) * 60)
    first, last = max(first, 0), min(last, 24 * 60)
    starts: list[dict[int, Appointment]] = []
    covered: list[set[int]] = []
    for column in columns:
        by_start: dict[int, Appointment] = {}
        hidden: set[int] = set()
        for appointment in column.appointments:
            begin = _minutes(appointment.starts_at, column.day)
            end = _minutes(appointment.ends_at, column.day)
            by_start[begin] = appointment
            hidden.update(range(begin + SLOT_MINUTES, end, SLOT_MINUTES))
        starts.append(by_start)
        covered.append(hidden)
    rows = []
    for minute in range(first, last, SLOT_MINUTES):
        label = f"{minute // 60:02d}:{minute % 60:02d}"
        cells = []
        for index, column in enumerate(columns):
            if minute in covered[index]:
                continue
            appointment = starts[index].get(minute)
            if appointment is not None:
                span = max(1, min(appointment.duration_minutes, last - minute) // SLOT_MINUTES)
                cells.append(Cell(column=column, appointment=appointment, rowspan=span, url=reverse("scheduling:detail", args=[appointment.pk])))
            elif column.bookable:
                params = {"date": column.day.isoformat(), "start": label, **column.book_params}
                query = "&".join(f"{k}={v}" for k, v in params.items())
                cells.append(Cell(column=column, book_query=query, url=f"{book_url}?{query}"))
            else:
                cells.append(Cell(column=column))
        rows.append(Row(label=label, on_the_hour=minute % 60 == 0, cells=cells))
    return rows


def days_of_week(monday: date) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(7)]
