"""Demo measurement series: follow-ups every ~4 weeks at the baseline site, so every demo chart
and report shows something real, including one likely non-responder.

Runs after ``anagen.demo.clinical.seed_programme`` in ``anagen.demo.seed.SEEDERS`` (it needs the courses).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from anagen.audit.services import Actor
from anagen.consultations import services as consultations
from anagen.consultations.models import MeasurementSet
from anagen.treatments.models import Course

# Which demo patient (index into ctx.patients) falls below the forecast band twice.
NON_RESPONDER_INDEX = 16
FOLLOW_UP_EVERY_DAYS = 28


def _add(ctx: Any, patient: Any, baseline: MeasurementSet, on: dt.date, gain_pct: float) -> None:
    """One follow-up measurement visit, recorded as staff record one (audited, so the patient's
    outlook follows)."""
    if MeasurementSet.objects.filter(patient=patient, measured_on=on).exists():
        return
    factor = Decimal(str(1 + gain_pct / 100))
    shed = Decimal(str(1 - gain_pct / 40))
    actor = Actor.system("demo-seed", patient.clinic_id)
    consultations.record_follow_up_measurements(actor, patient, on, today=ctx.today, values=dict(
        site_zone=baseline.site_zone,
        site_offset_cm=baseline.site_offset_cm, site_note=baseline.site_note,
        density_per_cm2=(baseline.density_per_cm2 * factor).quantize(Decimal("0.1")),
        wash_shed_count=max(10, int((baseline.wash_shed_count or 80) * shed)),
        wash_short_count=max(1, int((baseline.wash_short_count or 10) * Decimal("0.9"))),
        comb_count=max(2, int((baseline.comb_count or 10) * shed)),
        pull_grasped=50, pull_extracted=max(0, (baseline.pull_extracted or 2) - (1 if gain_pct > 0 else -1)),
        mean_shaft_diameter_um=(baseline.mean_shaft_diameter_um or Decimal(55)) + Decimal(max(0, round(gain_pct / 3))),
        global_photo_score=1 if gain_pct > 5 else (-1 if gain_pct < -5 else 0),
    ))


def seed_measurements(ctx: Any) -> None:
    """Follow-up measurement sets for the mid-course (ctx.patients[14:19]) and maintenance
    (ctx.patients[19:22]) demo patients, every 4 weeks after the course start up to yesterday;
    ctx.patients[16] loses density at each visit (two follow-ups under the band: flagged)."""
    with transaction.atomic():
        for index, patient in enumerate(ctx.patients[14:22], start=14):
            course = Course.objects.filter(patient=patient).select_related("consultation").order_by("-start_date").first()
            if course is None:
                continue
            baseline = MeasurementSet.objects.filter(consultation=course.consultation).first()
            if baseline is None or baseline.density_per_cm2 is None:
                continue
            day = FOLLOW_UP_EVERY_DAYS
            visit = 0
            while course.start_date + dt.timedelta(days=day) < ctx.today and day <= 56:
                visit += 1
                if index == NON_RESPONDER_INDEX:
                    gain = -8.0 - 3 * visit
                else:
                    gain = 0.5 + 1.5 * visit + ctx.rng.uniform(-0.5, 0.5)
                _add(ctx, patient, baseline, course.start_date + dt.timedelta(days=day), gain)
                day += FOLLOW_UP_EVERY_DAYS
