"""The indexes the searches, calendars, audit trail, recalls and follow-ups need exist on both
databases (checked by introspection), and the database actually plans to use them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

pytestmark = pytest.mark.django_db

# table -> index name -> leading columns (None: an expression index, checked by name only)
KEY_INDEXES: dict[str, dict[str, list[str] | None]] = {
    "patients_patient": {
        "patient_clinic_phone": ["clinic_id", "phone"],
        "patient_clinic_name": None,  # (clinic, LOWER(family_name), LOWER(given_name)): the list's order
        "patient_unique_mrn_per_clinic": ["clinic_id", "mrn"],
    },
    "scheduling_appointment": {
        "appt_clinic_start": ["clinic_id", "starts_at", "status", "kind"],
        "appt_clinic_patient_start": ["clinic_id", "patient_id", "starts_at"],
        "appt_practitioner_start": ["practitioner_id", "starts_at"],
        "appt_room_start": ["room_id", "starts_at"],
        "appt_clinic_course_start": ["clinic_id", "course_id", "starts_at"],
    },
    "audit_auditentry": {
        "audit_clinic_seq": ["clinic_id", "seq"],
        "audit_clinic_patient": ["clinic_id", "patient_id", "seq"],
        "audit_clinic_user": ["clinic_id", "user_id", "seq"],
    },
    "procedures_lotusage": {"usage_lot_session": ["lot_id", "session_id"]},
    "safety_followuptask": {
        "followup_clinic_status_due": ["clinic_id", "status", "due_from"],
        "followup_clinic_status_until": ["clinic_id", "status", "due_until"],
        "followup_clinic_reported": ["clinic_id", "status", "session_id"],  # partial: side effects reported
    },
    "treatments_course": {"course_clinic_start": ["clinic_id", "start_date", "id"]},
    "procedures_treatmentsession": {"session_clinic_performed": ["clinic_id", "performed_on"]},
    "catalog_lot": {"catalog_lot_product_expiry": ["product_id", "expiry_date"]},
    "safety_adverseevent": {"event_clinic_type_onset": ["clinic_id", "event_type", "onset_date"]},
}

TRIGRAM_INDEXES = ["patient_given_trgm", "patient_family_trgm", "patient_mrn_trgm", "patient_phone_trgm"]


def constraints(table: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


@pytest.mark.parametrize("table", sorted(KEY_INDEXES))
def test_the_key_indexes_exist(table: str) -> None:
    found = constraints(table)
    for name, columns in KEY_INDEXES[table].items():
        assert name in found, f"{table}: index {name} is missing (found {sorted(found)})"
        if columns is not None:
            assert found[name]["columns"] == columns, f"{table}.{name}: {found[name]['columns']}"


def test_the_name_phone_and_record_number_search_has_trigram_indexes_on_postgresql() -> None:
    found = constraints("patients_patient")
    if connection.vendor == "postgresql":
        for name in TRIGRAM_INDEXES:
            assert name in found and found[name]["type"] == "gin", f"{name} missing or not GIN"
    else:
        # SQLite has no trigram index; the migration creates nothing there (docs/performance.md).
        assert not set(TRIGRAM_INDEXES) & set(found)


@pytest.fixture
def prefer_indexes() -> Any:
    """Tables are nearly empty in a test: make PostgreSQL plan as it would over a big table."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    return None


def plan_uses(qs: Any, index: str, *, on_postgresql: bool = False) -> None:
    """SQLite's planner (no statistics) picks the index with the most matching columns, every time;
    PostgreSQL's weighs test-sized tables by cost and may pick any clinic-led index, so there the
    B-tree indexes are checked by introspection only (test_the_key_indexes_exist)."""
    if connection.vendor == "postgresql" and not on_postgresql:
        return
    plan = qs.explain()
    assert index in plan, f"expected {index} in the plan:\n{plan}"


def test_the_calendar_queries_use_their_indexes(clinic: Any, trichologist: Any, prefer_indexes: Any) -> None:
    from anagen.scheduling.models import Appointment, Room

    room = Room.objects.create(clinic=clinic, name="Room 1")
    start = timezone.now()
    end = start + dt.timedelta(days=7)
    plan_uses(Appointment.objects.filter(clinic=clinic, starts_at__gte=start, starts_at__lt=end).order_by("starts_at"), "appt_clinic_start")
    plan_uses(Appointment.objects.filter(practitioner=trichologist, starts_at__gte=start, starts_at__lt=end), "appt_practitioner_start")
    plan_uses(Appointment.objects.filter(room=room, starts_at__gte=start, starts_at__lt=end), "appt_room_start")


def analyze(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}" if connection.vendor == "postgresql" else f'ANALYZE "{table}"')


def test_the_audit_trail_browse_uses_its_indexes(clinic: Any, other_clinic: Any, trichologist: Any, prefer_indexes: Any) -> None:
    from anagen.audit.models import AuditEntry
    from anagen.audit.services import Actor, record_reads

    # A trail of many patients' reads, so the planner weighs the indexes as it would in a clinic.
    # This clinic's entries are older than the other clinic's: reading the whole chain backwards would be slow.
    record_reads(Actor.system("test", clinic.pk), "patient", [(n, n) for n in range(2, 200)])
    record_reads(Actor.system("test", other_clinic.pk), "patient", [(n, n) for n in range(2, 3000)])
    analyze("audit_auditentry")
    entries = AuditEntry.objects.filter(clinic_id=clinic.pk)
    plan_uses(entries.order_by("-seq")[:50], "audit_clinic_seq")
    plan_uses(entries.filter(patient_id=1).order_by("-seq")[:50], "audit_clinic_patient")
    plan_uses(entries.filter(user_id=trichologist.pk).order_by("-seq")[:50], "audit_clinic_user")


def test_lot_recipients_and_follow_ups_due_use_their_indexes(clinic: Any, prefer_indexes: Any) -> None:
    from anagen.procedures.models import LotUsage
    from anagen.safety.models import FollowUpTask

    plan_uses(LotUsage.objects.filter(lot_id=1).values("session_id"), "usage_lot_session")
    plan_uses(FollowUpTask.objects.filter(clinic=clinic, status="open", due_from__lte=timezone.now()).order_by("due_from"),
              "followup_clinic_status_due")
    plan_uses(FollowUpTask.objects.filter(clinic=clinic, status="open", due_until__lt=timezone.now()), "followup_clinic_status_until")


def test_a_courses_appointments_are_found_by_course_not_by_walking_the_diary(clinic: Any, prefer_indexes: Any) -> None:
    from anagen.scheduling.models import Appointment

    plan_uses(Appointment.objects.filter(clinic=clinic, course_id=1).order_by("starts_at"), "appt_clinic_course_start")
    plan_uses(Appointment.objects.filter(clinic=clinic, course_id__in=[1, 2]).order_by("course_id", "starts_at", "id"),
              "appt_clinic_course_start")


def test_a_clinics_courses_newest_first_are_read_in_index_order(clinic: Any, prefer_indexes: Any) -> None:
    from anagen.treatments.models import Course

    plan_uses(Course.objects.filter(clinic=clinic).order_by("-start_date", "-id")[:25], "course_clinic_start")


def test_the_clinic_outcomes_count_a_period_from_indexes(clinic: Any, prefer_indexes: Any) -> None:
    from anagen.procedures.models import TreatmentSession
    from anagen.scheduling.models import Appointment

    start = timezone.now() - dt.timedelta(days=365)
    held = Appointment.objects.filter(clinic=clinic, starts_at__gte=start, starts_at__lt=timezone.now(), status__in=["completed", "no_show"])
    plan_uses(held.values("status"), "appt_clinic_start")
    if connection.vendor == "sqlite":
        assert "COVERING INDEX appt_clinic_start" in held.values("status").explain()  # no row is read
    plan_uses(TreatmentSession.objects.filter(clinic=clinic, performed_on__gte=start.date()), "session_clinic_performed")


def test_the_patient_search_uses_trigram_indexes(clinic: Any, patient: Any, prefer_indexes: Any) -> None:
    from anagen.patients.models import Patient
    from anagen.patients.services import search_patients

    # A registry of a few thousand patients, so the planner weighs the indexes as it would in a clinic.
    names = ["Kulkarni", "Deshpande", "Iyer", "Nair", "Reddy", "Shah", "Mehta", "Joshi", "Kapoor", "Gupta"]
    Patient.objects.bulk_create([
        Patient(clinic=clinic, mrn=f"LOT-8{n:05d}", given_name=f"Name{n}", family_name=names[n % 10], date_of_birth=dt.date(1980, 1, 1),
                sex="female", phone=f"+9197{n:08d}") for n in range(3000)
    ])
    analyze("patients_patient")

    plan = search_patients(clinic, "asha patil").explain()
    if connection.vendor == "postgresql":
        # The indexes match the expressions Django writes for icontains / contains / iendswith.
        for lookup, index in (({"given_name__icontains": "ame12"}, "patient_given_trgm"),
                              ({"family_name__icontains": "pande"}, "patient_family_trgm"),
                              ({"phone__contains": "00001"}, "patient_phone_trgm"),
                              ({"mrn__iendswith": "800012"}, "patient_mrn_trgm")):
            plan_uses(Patient.objects.filter(**lookup), index, on_postgresql=True)
    else:
        # SQLite: the trigram full-text index (migration patients 0003) finds the candidates, the
        # rows are fetched by id; a word under three characters falls back to the clinic's rows.
        assert "SCAN patients_patient_search VIRTUAL TABLE INDEX" in plan, plan
        assert "USING INTEGER PRIMARY KEY" in plan, plan
        short = search_patients(clinic, "as").explain()
        assert "patients_patient_search" not in short and ("USING INDEX" in short or "USING COVERING INDEX" in short), short
