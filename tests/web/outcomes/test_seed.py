"""The demo measurement series: follow-ups at the baseline site, one likely non-responder."""

from __future__ import annotations

import random
from types import SimpleNamespace

from anagen.consultations.models import MeasurementSet
from anagen.demo.outcomes import NON_RESPONDER_INDEX, seed_measurements
from anagen.outcomes.clinic_outcomes import likely_non_responders
from anagen.outcomes.outlook import refresh_pending


def test_the_demo_series_flags_exactly_one_non_responder(clinic, make_patient, make_programme, today):
    patients = [None] * 14 + [make_patient(clinic, given_name=f"Demo{i}") for i in range(14, 22)]
    for index in (14, 15, NON_RESPONDER_INDEX):
        make_programme(patients[index], gains=())
    ctx = SimpleNamespace(clinic=clinic, patients=patients, today=today, rng=random.Random(2026))
    seed_measurements(ctx)
    follow_ups = MeasurementSet.objects.filter(consultation__isnull=True)
    assert follow_ups.count() == 6  # days 28 and 56 for each of the three courses
    assert all(m.site_zone == "vertex" for m in follow_ups)
    refresh_pending(clinic)  # the visits were audited writes: the outlooks follow them
    flagged = likely_non_responders(clinic, today)
    assert [p.pk for p, _ in flagged] == [patients[NON_RESPONDER_INDEX].pk]
    seed_measurements(ctx)
    assert follow_ups.count() == 6
