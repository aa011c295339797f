"""How dates and times read everywhere a person sees them: "3 Dec 2026", 24-hour "10:30".

One format for pages, messages, documents and the portal (issue 20): the templates get the same
through Django's format files (anagen/formats/<language>/formats.py). Pure functions of dates and
clinic-local times; the caller converts aware datetimes to the clinic's zone first.
"""

from __future__ import annotations

import datetime as dt


def day(value: dt.date) -> str:
    """3 Dec 2026 (no leading zero, English month abbreviation)."""
    return f"{value.day} {value:%b %Y}"


def day_short(value: dt.date) -> str:
    """3 Dec: where the year is plain from the context (a week's column headings)."""
    return f"{value.day} {value:%b}"


def weekday_day(value: dt.date) -> str:
    """Thu 3 Dec 2026: where the day of the week matters (the calendar, appointments)."""
    return f"{value:%a} {day(value)}"


def clock(value: dt.datetime | dt.time) -> str:
    """10:30, 24-hour."""
    return f"{value:%H:%M}"


def moment(value: dt.datetime) -> str:
    """3 Dec 2026, 10:30 (a clinic-local datetime)."""
    return f"{day(value)}, {clock(value)}"
