"""Patient outlooks and course outcomes: rebuilt when a record is written, read by the clinic pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse
from tests.web.outcomes.conftest import actor_for


def review_visit(patient, trichologist, on, density):
    """A follow-up measurement visit, recorded through the service the progress page uses."""
    from anagen.consultations.services import record_follow_up_measurements

    record_follow_up_measurements(actor_for(trichologist), patient, on, today=on, values={
        "site_zone": "vertex", "site_offset_cm": Decimal("10.0"), "density_per_cm2": Decimal(density)})


def test_a_write_to_the_record_rebuilds_the_outlook(client, trichologist, clinic, make_patient, make_programme, today):
    patient = make_patient(clinic, given_name="Meera", family_name="Later")
    course = make_programme(patient, gains=(2.0,))
    client.force_login(trichologist)
    assert "Meera Later" not in client.get(reverse("home")).content.decode()
    # Two follow-ups well under the band: the next page that looks at the clinic sees them.
    review_visit(patient, trichologist, course.start_date + dt.timedelta(days=50), "118.0")
    review_visit(patient, trichologist, course.start_date + dt.timedelta(days=64), "115.0")
    assert "Meera Later" in client.get(reverse("home")).content.decode()
    panel = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Likely non-responder" in panel and "4 measurement visits" in panel


def test_the_patient_page_rebuilds_its_own_outlook_first(client, trichologist, clinic, make_patient, make_programme):
    from anagen.outcomes.models import PatientOutlook

    patient = make_patient(clinic, given_name="Anil", family_name="Panel", sex="male")
    course = make_programme(patient, gains=(1.0,))
    client.force_login(trichologist)
    client.get(reverse("patients:detail", args=[patient.pk]))
    assert PatientOutlook.objects.get(patient=patient).measurement_visits == 2
    review_visit(patient, trichologist, course.start_date + dt.timedelta(days=60), "165.0")
    body = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "3 measurement visits" in body
    assert PatientOutlook.objects.get(patient=patient).response_class == "good"


def test_a_page_rebuilds_one_batch_and_the_worker_the_rest(client, admin_user, trichologist, clinic, make_patient, make_programme,
                                                           today, monkeypatch):
    from anagen.outcomes import outlook
    from anagen.outcomes.models import CourseOutcome

    for i in range(3):
        make_programme(make_patient(clinic, given_name=f"Batch{i}"), gains=(2.0, 12.0))
    monkeypatch.setattr(outlook, "REFRESH_BATCH", 1)
    client.force_login(admin_user)
    query = {"start": (today - dt.timedelta(days=365)).isoformat(), "end": today.isoformat()}
    body = client.get(reverse("outcomes:clinic"), query).content.decode()
    assert "2 patient records changed moments ago are not in these tables yet" in body
    assert CourseOutcome.objects.filter(clinic=clinic).count() == 1
    call_command("run_worker", "--once")  # one batch (of 1 here) per clinic per pass
    call_command("refresh_outlooks")
    assert CourseOutcome.objects.filter(clinic=clinic).count() == 3
    body = client.get(reverse("outcomes:clinic"), query).content.decode()
    assert "outlooks-pending" not in body and "3 courses assessed" in body


def test_reads_leave_the_outlook_alone(client, trichologist, clinic, make_patient, make_programme):
    from anagen.audit.models import PatientWriteMark
    from anagen.outcomes.models import PatientOutlook

    patient = make_patient(clinic, given_name="Read", family_name="Only")
    make_programme(patient)
    client.force_login(trichologist)
    client.get(reverse("home"))
    mark = PatientWriteMark.objects.get(pk=patient.pk).seq
    built = PatientOutlook.objects.get(patient=patient).refreshed_at
    for name in ("patients:detail", "outcomes:progress"):
        client.get(reverse(name, args=[patient.pk]))
    client.get(reverse("home"))
    assert PatientWriteMark.objects.get(pk=patient.pk).seq == mark
    assert PatientOutlook.objects.get(patient=patient).refreshed_at == built


def test_new_rules_rebuild_every_outlook(client, trichologist, clinic, make_patient, make_programme, monkeypatch):
    from anagen.outcomes import outlook
    from anagen.outcomes.models import PatientOutlook

    for i in range(2):
        make_programme(make_patient(clinic, given_name=f"Rules{i}"))
    client.force_login(trichologist)
    client.get(reverse("home"))
    PatientOutlook.objects.update(response_note="built by the old rules")
    monkeypatch.setattr(outlook, "OUTLOOK_RULES_VERSION", outlook.OUTLOOK_RULES_VERSION + 1)
    client.get(reverse("home"))
    assert not PatientOutlook.objects.filter(response_note="built by the old rules").exists()


def test_a_write_during_a_rebuild_is_not_lost(trichologist, clinic, make_patient, make_programme):
    from anagen.audit.models import PatientWriteMark
    from anagen.outcomes.models import PatientOutlook
    from anagen.outcomes.outlook import outlook_for, refresh_patient

    patient = make_patient(clinic, given_name="Race")
    course = make_programme(patient, gains=(2.0,))
    before = PatientWriteMark.objects.get(pk=patient.pk).seq
    # A rebuild read the mark, then a review visit was signed before it stored its row.
    review_visit(patient, trichologist, course.start_date + dt.timedelta(days=60), "150.0")
    refresh_patient(patient, before)
    assert PatientOutlook.objects.get(patient=patient).source_seq == before
    assert outlook_for(patient).measurement_visits == 3


def test_the_command_names_a_missing_clinic(db, capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        call_command("refresh_outlooks", "--clinic", "999999")
    assert exit_info.value.code == 2
    assert "no clinic with id 999999" in capsys.readouterr().err


def test_another_clinic_s_patients_stay_out_of_the_tables(client, admin_user, other_admin, clinic, make_patient, make_programme, today):
    make_programme(make_patient(clinic, given_name="Ours"), gains=(2.0, 12.0))
    client.force_login(other_admin)
    query = {"start": (today - dt.timedelta(days=365)).isoformat(), "end": today.isoformat()}
    body = client.get(reverse("outcomes:clinic"), query).content.decode()
    assert "0 courses assessed; 0 without" in body


def test_staff_record_follow_up_measurements_at_the_baseline_site(client, trichologist, clinic, make_patient, make_programme, today):
    from anagen.audit.models import AuditEntry
    from anagen.consultations.models import MeasurementSet

    patient = make_patient(clinic, given_name="Follow", family_name="Up")
    make_programme(patient, gains=(2.0,))
    client.force_login(trichologist)
    url = reverse("outcomes:record_measurements", args=[patient.pk])
    form = client.get(url).content.decode()
    assert 'value="10.0"' in form and "Measure at the baseline's site: vertex, 10.0 cm" in form
    response = client.post(url, {"m-measured_on": today.isoformat(), "m-site_zone": "vertex", "m-site_offset_cm": "10.0",
                                 "m-density_per_cm2": "151.5", "m-wash_shed_count": "90", "m-wash_short_count": "9"})
    assert response.status_code == 302
    row = MeasurementSet.objects.filter(patient=patient, consultation__isnull=True).latest("measured_on")
    assert (row.measured_on, row.density_per_cm2, row.wash_shed_count) == (today, Decimal("151.5"), 90)
    assert AuditEntry.objects.filter(action="create", object_type="measurement_set", object_id=str(row.pk)).exists()
    assert "Follow-up measurements of" in client.get(reverse("outcomes:progress", args=[patient.pk])).content.decode()


def test_bad_follow_up_measurements_are_named_and_nothing_is_written(client, trichologist, clinic, make_patient, make_programme, today):
    from anagen.consultations.models import MeasurementSet

    patient = make_patient(clinic, given_name="Bad", family_name="Input")
    make_programme(patient)
    client.force_login(trichologist)
    url = reverse("outcomes:record_measurements", args=[patient.pk])
    before = MeasurementSet.objects.filter(patient=patient).count()
    site = {"m-site_zone": "vertex", "m-site_offset_cm": "10.0"}
    future = client.post(url, {"m-measured_on": (today + dt.timedelta(days=3)).isoformat(), "m-density_per_cm2": "150", **site})
    assert future.status_code == 400 and "A visit cannot be recorded for a future date." in future.content.decode()
    half = client.post(url, {"m-measured_on": today.isoformat(), "m-wash_shed_count": "90"})
    assert half.status_code == 400 and "Enter both values of this test, or neither." in half.content.decode()
    empty = client.post(url, {"m-measured_on": today.isoformat()})
    assert empty.status_code == 400 and "Enter at least one measurement" in empty.content.decode()
    assert MeasurementSet.objects.filter(patient=patient).count() == before


def test_another_clinic_cannot_record_measurements_for_our_patient(client, other_clinic, make_user, clinic, make_patient, today):
    patient = make_patient(clinic, given_name="Ours")
    client.force_login(make_user(other_clinic, "trichologist"))
    url = reverse("outcomes:record_measurements", args=[patient.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"m-measured_on": today.isoformat(), "m-density_per_cm2": "150"}).status_code == 404


def test_the_progress_page_keeps_each_forecast_and_computes_a_new_one_after_a_measurement(client, trichologist, clinic, make_patient,
                                                                                         make_programme, monkeypatch):
    from django.core.cache import cache

    from anagen.outcomes import progress

    cache.clear()  # another test may have left a forecast with the same inputs in the shared cache
    patient = make_patient(clinic, given_name="Cached", family_name="Forecast")
    course = make_programme(patient, gains=(2.0,))
    computed = []
    real = progress.personal_forecast
    monkeypatch.setattr(progress, "personal_forecast", lambda *a, **k: computed.append(a) or real(*a, **k))
    client.force_login(trichologist)
    url = reverse("outcomes:progress", args=[patient.pk])
    first = client.get(url).content.decode()
    second = client.get(url).content.decode()
    assert len(computed) == 1
    band = first.index('id="chart-density"')
    assert second[band:band + 4000] == first[band:band + 4000]  # the same band, from the cache
    review_visit(patient, trichologist, course.start_date + dt.timedelta(days=56), "146.0")
    client.get(url)
    assert len(computed) == 2


def test_a_cache_that_is_down_does_not_break_the_progress_page(client, trichologist, clinic, make_patient, make_programme, monkeypatch):
    from anagen.outcomes import progress

    def down(*args, **kwargs):
        raise ConnectionError("cache server unreachable")

    patient = make_patient(clinic, given_name="No", family_name="Cache")
    make_programme(patient, gains=(2.0,))
    monkeypatch.setattr(progress.cache, "get", down)
    client.force_login(trichologist)
    response = client.get(reverse("outcomes:progress", args=[patient.pk]))
    assert response.status_code == 200 and "What to expect" in response.content.decode()
