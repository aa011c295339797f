"""``seed_scale``: realistic volumes written through the product's own services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone


def test_it_writes_a_clinic_group_through_the_services(db):
    from anagen.audit.models import AuditEntry, PatientWriteMark
    from anagen.audit.services import verify_chain
    from anagen.consultations.models import Consultation, MeasurementSet
    from anagen.demo.scale import seed_scale
    from anagen.patients.models import Patient
    from anagen.procedures.models import TreatmentSession
    from anagen.treatments.models import Course

    result = seed_scale(6, clinics=2, seed=3)
    assert result["patients"] == 6 and Patient.objects.count() == 6
    assert set(Patient.objects.values_list("clinic__name", flat=True)) == {"Anagen Scale Clinic 1", "Anagen Scale Clinic 2"}
    assert Consultation.objects.filter(status="signed").count() == 6
    assert Course.objects.count() == 6
    assert TreatmentSession.objects.count() == result["sessions"] > 0
    # Follow-up visits outside consultations, and every patient's writes marked for the outlooks.
    assert MeasurementSet.objects.filter(consultation__isnull=True).exists()
    assert PatientWriteMark.objects.count() == 6
    # The 24-48 h calls of sessions before the last two days are recorded, as a clinic would.
    from anagen.safety.models import FollowUpTask

    old = FollowUpTask.objects.filter(session__performed_on__lt=timezone.localdate() - dt.timedelta(days=2))
    assert old.exists() and not old.filter(status="open").exists()
    # Over a hundred audit entries a patient (over a million at 10,000), staff reads among them; the chain holds.
    assert AuditEntry.objects.count() > 100 * 6 and AuditEntry.objects.filter(action="read").count() > 45 * 6
    assert verify_chain().ok


def test_the_command_refuses_no_patients(db):
    with pytest.raises(CommandError, match="--patients and --clinics must be at least 1"):
        call_command("seed_scale", "--patients", "0")
