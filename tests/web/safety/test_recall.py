"""Recall and clustering: everyone who received a lot on one page and in one CSV, with contact
details, and a cluster alert on the home page when two recipients of one lot report infections
within 12 weeks."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from anagen.audit.models import AuditEntry
from anagen.core.safety import ClusterPolicy
from anagen.safety import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_recipients(clinic, make_patient, make_session, lot, today):
    asha = make_patient(clinic, given_name="Asha", family_name="Patil", email="asha@example.in", phone="+919820011111")
    ravi = make_patient(clinic, given_name="Ravi", family_name="Nair", email="", phone="+919820022222")
    first = make_session(asha, today - dt.timedelta(days=40), [(lot, "1.50")])
    second = make_session(ravi, today - dt.timedelta(days=30), [(lot, "2.00")])
    return asha, ravi, first, second


def test_the_recipient_list_names_every_patient_with_contact_details(client, trichologist, two_recipients, lot, report, today):
    asha, ravi, first, second = two_recipients
    report(asha, session=first, event_type="infection", severity="moderate", onset_date=today - dt.timedelta(days=5))
    client.force_login(trichologist)
    response = client.get(reverse("safety:lot_recipients", args=[lot.pk]))
    page = response.content.decode()
    for text in ("Asha Patil", "+919820011111", "asha@example.in", "Ravi Nair", "+919820022222", "1.50 mL", "2.00 mL", "Infection (moderate)"):
        assert text in page
    rows = response.context["rows"]
    assert [(r.patient_id, r.session_id, r.performed_on, r.reported_event) for r in rows] == [
        (asha.pk, first.pk, first.performed_on, True), (ravi.pk, second.pk, second.performed_on, False)]
    entry = AuditEntry.objects.filter(object_type="lot_recipients").get()
    assert entry.action == "read" and entry.object_id == str(lot.pk) and entry.changes["patient_ids"] == sorted([asha.pk, ravi.pk])


def test_the_csv_matches_the_page(client, practitioner, two_recipients, lot):
    asha, ravi, first, second = two_recipients
    client.force_login(practitioner)
    response = client.get(reverse("safety:lot_recipients_csv", args=[lot.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["patient_id", "record_number", "name", "phone", "email"]
    assert rows[1:] == [
        [str(asha.pk), asha.mrn, "Asha Patil", "+919820011111", "asha@example.in", str(first.pk), first.performed_on.isoformat(), "1.50", "no", ""],
        [str(ravi.pk), ravi.mrn, "Ravi Nair", "+919820022222", "", str(second.pk), second.performed_on.isoformat(), "2.00", "no", ""],
    ]
    assert AuditEntry.objects.filter(object_type="lot_recipients").count() == 1


def test_the_csv_defuses_spreadsheet_formulas_but_keeps_phone_numbers(clinic, make_patient, make_session, lot, today):
    from anagen.safety.views import recipient_csv_rows

    patient = make_patient(clinic, given_name="=HYPERLINK(\"x\")", family_name="", phone="+919820033333")
    make_session(patient, today - dt.timedelta(days=3), [(lot, "1.00")])
    row = recipient_csv_rows(services.lot_recipients(clinic, lot))[0]
    assert row[2].startswith("'=") and row[3] == "+919820033333"


def test_a_lot_no_one_received_has_an_empty_list(client, trichologist, lot):
    client.force_login(trichologist)
    response = client.get(reverse("safety:lot_recipients", args=[lot.pk]))
    assert response.status_code == 200 and "No patient has received this lot" in response.content.decode()
    assert not AuditEntry.objects.filter(object_type="lot_recipients").exists()


def test_the_service_refuses_another_clinics_lot(clinic, other_lot):
    from anagen.core.errors import NotFound

    with pytest.raises(NotFound):
        services.lot_recipients(clinic, other_lot)


def _infect(report, patient, session, onset):
    return report(patient, session=session, event_type="infection", severity="moderate", onset_date=onset)


def test_two_infections_in_one_lot_within_12_weeks_raise_an_alert_on_the_home_page(
    client, trichologist, two_recipients, lot, report, today
):
    asha, ravi, first, second = two_recipients
    _infect(report, asha, first, today - dt.timedelta(days=20))
    client.force_login(trichologist)
    assert "Infection cluster:" not in client.get(reverse("home")).content.decode()
    _infect(report, ravi, second, today - dt.timedelta(days=2))
    page = client.get(reverse("home")).content.decode()
    assert "Infection cluster: 2 patients" in page and f"lot {lot.lot_number}" in page
    assert reverse("safety:lot_recipients", args=[lot.pk]) in page
    alerts = services.infection_clusters_for(lot.product.clinic, today)
    assert [(a.lot, a.cluster.patient_ids) for a in alerts] == [(lot, tuple(sorted([asha.pk, ravi.pk])))]
    clusters_page = client.get(reverse("safety:clusters"))
    assert [a.lot for a in clusters_page.context["current"]] == [lot]


def test_infections_13_weeks_apart_raise_no_alert(client, trichologist, clinic, make_patient, make_session, lot, report, today):
    early, late = make_patient(clinic), make_patient(clinic)
    s1 = make_session(early, today - dt.timedelta(days=120), [(lot, "1.00")])
    s2 = make_session(late, today - dt.timedelta(days=30), [(lot, "1.00")])
    _infect(report, early, s1, today - dt.timedelta(days=20 + 91))
    _infect(report, late, s2, today - dt.timedelta(days=20))
    assert services.infection_clusters_for(clinic, today) == []
    assert services.infection_clusters_for(clinic, today, lookback_days=365) == []
    client.force_login(trichologist)
    assert "Infection cluster:" not in client.get(reverse("home")).content.decode()


def test_an_infection_13_weeks_after_the_session_is_not_counted(clinic, make_patient, make_session, lot, report, today):
    a, b = make_patient(clinic), make_patient(clinic)
    s1 = make_session(a, today - dt.timedelta(days=100), [(lot, "1.00")])
    s2 = make_session(b, today - dt.timedelta(days=10), [(lot, "1.00")])
    _infect(report, a, s1, today - dt.timedelta(days=100 - 91))
    _infect(report, b, s2, today - dt.timedelta(days=5))
    assert services.infection_clusters_for(clinic, today) == []


def test_infections_after_different_lots_raise_no_alert(client, trichologist, clinic, make_patient, make_session, make_lot, lot, report, today):
    other = make_lot(clinic, "VC-777")
    a, b = make_patient(clinic), make_patient(clinic)
    s1 = make_session(a, today - dt.timedelta(days=30), [(lot, "1.00")])
    s2 = make_session(b, today - dt.timedelta(days=30), [(other, "1.00")])
    _infect(report, a, s1, today - dt.timedelta(days=10))
    _infect(report, b, s2, today - dt.timedelta(days=9))
    assert services.infection_clusters_for(clinic, today) == []
    client.force_login(trichologist)
    assert "Infection cluster:" not in client.get(reverse("home")).content.decode()


def test_other_event_types_are_not_infections(clinic, two_recipients, report, today):
    asha, ravi, first, second = two_recipients
    report(asha, session=first, event_type="swelling", severity="moderate", onset_date=today - dt.timedelta(days=3))
    report(ravi, session=second, event_type="swelling", severity="moderate", onset_date=today - dt.timedelta(days=3))
    assert services.infection_clusters_for(clinic, today) == []


def test_an_old_cluster_shows_among_earlier_clusters_not_on_the_dashboard(client, trichologist, clinic, make_patient, make_session, lot, report, today):
    a, b = make_patient(clinic), make_patient(clinic)
    s1 = make_session(a, today - dt.timedelta(days=220), [(lot, "1.00")])
    s2 = make_session(b, today - dt.timedelta(days=215), [(lot, "1.00")])
    _infect(report, a, s1, today - dt.timedelta(days=200))
    _infect(report, b, s2, today - dt.timedelta(days=190))
    assert services.infection_clusters_for(clinic, today) == []
    client.force_login(trichologist)
    response = client.get(reverse("safety:clusters"))
    assert response.context["current"] == [] and [c.lot for c in response.context["earlier"]] == [lot]
    assert "Infection cluster:" not in client.get(reverse("home")).content.decode()


def test_another_clinics_infections_never_join_a_cluster(clinic, other_clinic, two_recipients, other_session, report, today, make_user):
    asha, _, first, _ = two_recipients
    _infect(report, asha, first, today - dt.timedelta(days=3))
    other_doctor = make_user(other_clinic, "trichologist")
    report(other_session.patient, session=other_session, event_type="infection", severity="moderate",
           onset_date=today - dt.timedelta(days=3), by=other_doctor)
    assert services.infection_clusters_for(clinic, today) == []
    assert services.infection_clusters_for(other_clinic, today) == []


def test_the_dashboard_counts_overdue_follow_ups_and_events_awaiting_review(client, trichologist, session, report):
    report(session.patient, session=session, severity="moderate")
    client.force_login(trichologist)
    page = client.get(reverse("home")).content.decode()
    # The session was ten days ago: its follow-up window has passed.
    assert "1 overdue follow-up" in page and "1 moderate or severe event awaiting" in page


def test_the_cluster_policy_defaults_to_12_weeks():
    assert ClusterPolicy().window_days == 84 and ClusterPolicy().minimum_infections == 2
