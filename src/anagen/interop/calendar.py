"""iCalendar (RFC 5545) documents: a practitioner's or a patient's feed, and one appointment.

Times are written in the clinic's zone with its VTIMEZONE (``Calendar.add_missing_timezones``,
icalendar 6+). A feed is reachable by anyone holding its URL, so events carry no clinical detail:
the patient feed says only "Appointment at <clinic>"; the practitioner feed names the patient by
initials and record number, with the appointment type and room.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from django.conf import settings

from anagen.accounts.models import Clinic
from anagen.scheduling.models import Appointment, Status

PRODID = "-//Anagen//Clinic calendar//EN"
UID_DOMAIN = "anagen"


def clinic_zone(clinic: Clinic) -> ZoneInfo:
    try:
        return ZoneInfo(clinic.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def initials(given_name: str, family_name: str) -> str:
    return "".join(f"{part[0].upper()}." for part in (given_name, family_name) if part)


def _calendar(name: str, zone: ZoneInfo) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone.key)
    return cal


def _event(a: Appointment, zone: ZoneInfo, summary: str, location: str, description: str = "") -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"appointment-{a.pk}@{UID_DOMAIN}")
    event.add("dtstamp", a.updated_at.astimezone(dt.UTC))
    event.add("last-modified", a.updated_at.astimezone(dt.UTC))
    event.add("sequence", a.version)
    event.add("dtstart", a.starts_at.astimezone(zone))
    event.add("dtend", a.ends_at.astimezone(zone))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if a.status == Status.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _clinic_location(clinic: Clinic) -> str:
    return ", ".join(part for part in (clinic.name, " ".join(clinic.address.split())) if part)


def _to_bytes(cal: icalendar.Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


def patient_feed(clinic: Clinic, appointments: Iterable[Appointment]) -> bytes:
    zone = clinic_zone(clinic)
    cal = _calendar(f"Appointments at {clinic.name}", zone)
    for a in appointments:
        cal.add_component(_event(a, zone, f"Appointment at {clinic.name}", _clinic_location(clinic)))
    return _to_bytes(cal)


def practitioner_feed(clinic: Clinic, appointments: Iterable[Appointment]) -> bytes:
    zone = clinic_zone(clinic)
    cal = _calendar(f"Anagen: {clinic.name}", zone)
    for a in appointments:
        who = f"{initials(a.patient.given_name, a.patient.family_name)} ({a.patient.mrn})"
        cal.add_component(_event(a, zone, f"{a.get_kind_display()}: {who}", a.room.name if a.room_id else ""))
    return _to_bytes(cal)


def appointment_invitation(a: Appointment) -> bytes:
    clinic = a.clinic
    zone = clinic_zone(clinic)
    cal = _calendar(f"Appointment at {clinic.name}", zone)
    call = f" To change it, call {clinic.phone}." if clinic.phone else ""
    cal.add_component(_event(a, zone, f"Appointment at {clinic.name}", _clinic_location(clinic),
                             f"Your appointment at {clinic.name}.{call}"))
    return _to_bytes(cal)
