"""The audit trail page a privacy officer can use (issue 19, finding 13): names and roles, the
patient, what was done in words, filters by date, person, patient and action, a CSV export, and
one entry per page view naming every patient shown."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor, append, page_view, record_bulk_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(admin_user, trichologist):
    trichologist.first_name, trichologist.last_name = "Meera", "Kulkarni"
    trichologist.save()
    admin_user.first_name, admin_user.last_name = "Anita", "Mehta"
    admin_user.save()
    return trichologist


def test_the_trail_names_people_roles_and_patients_and_says_what_was_done(client, admin_user, named, patient):
    doctor = client.__class__()
    doctor.force_login(named)
    doctor.get(reverse("patients:detail", args=[patient.pk]))
    client.force_login(admin_user)
    page = client.get(reverse("audit:trail"), {"person": named.pk})
    text = page.content.decode()
    assert "Meera Kulkarni" in text and "Trichologist" in text
    assert "Opened the patient&#x27;s record" in text or "Opened the patient's record" in text
    assert f"{patient.full_name} ({patient.mrn})" in text
    assert "non_responder" not in text and "object_type" not in text
    assert doctor.get(reverse("audit:trail")).status_code == 403


def test_the_trail_filters_by_dates_person_patient_and_action(client, admin_user, named, patient, make_patient, clinic):
    other = make_patient(clinic, given_name="Ravi", family_name="Menon")
    actor = Actor(user_id=named.pk, username=named.username, clinic_id=clinic.pk, ip_address=None)
    append(actor, "read", object_type="consultation", object_id=1, patient_id=patient.pk)
    append(actor, "update", object_type="appointment", object_id=2, patient_id=other.pk)
    record_bulk_read(actor, "patient_list", "page", [patient.pk, other.pk])
    client.force_login(admin_user)

    def shown(**query):
        response = client.get(reverse("audit:trail"), query)
        assert response.status_code == 200, response.context["form"].errors
        return [e.seq for e in response.context["page"].object_list]

    by_patient = shown(patient=patient.mrn)
    assert len(by_patient) >= 3  # registration, the consultation read and the list that showed them
    assert all(e.patient_id == patient.pk or patient.pk in e.changes.get("patient_ids", [])
               for e in AuditEntry.objects.filter(seq__in=by_patient))
    assert {e.action for e in AuditEntry.objects.filter(seq__in=shown(action="update"))} == {"update"}
    assert {e.user_id for e in AuditEntry.objects.filter(seq__in=shown(person=named.pk))} == {named.pk}
    today = timezone.localdate()
    assert shown(date_from=(today + dt.timedelta(days=1)).isoformat()) == []
    assert len(shown(date_from=today.isoformat(), date_to=today.isoformat())) >= 3
    refused = client.get(reverse("audit:trail"), {"patient": "NOPE-1"})
    assert refused.status_code == 400 and "No patient of this clinic" in refused.content.decode()


def test_reading_the_trail_is_audited_naming_every_patient_on_the_page(client, admin_user, named, patient):
    actor = Actor(user_id=named.pk, username=named.username, clinic_id=admin_user.clinic_id, ip_address=None)
    append(actor, "read", object_type="patient", object_id=patient.pk, patient_id=patient.pk)
    client.force_login(admin_user)
    client.get(reverse("audit:trail"))
    entry = AuditEntry.objects.filter(object_type="audit_trail", user_id=admin_user.pk).get()
    assert patient.pk in entry.changes["patient_ids"]


def test_the_trail_downloads_as_csv_with_the_same_filters_and_the_export_is_audited(client, admin_user, named, patient):
    actor = Actor(user_id=named.pk, username=named.username, clinic_id=admin_user.clinic_id, ip_address="10.0.0.9")
    append(actor, "update", object_type="patient", object_id=patient.pk, patient_id=patient.pk,
           changes={"phone": {"old": "+919820000001", "new": "+919820000002"}})
    client.force_login(admin_user)
    response = client.get(reverse("audit:trail_csv"), {"person": named.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["who"] for r in table] == ["Meera Kulkarni"]
    assert table[0]["action"] == "Changed" and table[0]["what"] == "the patient's record"
    assert table[0]["patients"] == f"{patient.full_name} ({patient.mrn})"
    assert "phone: +919820000001 → +919820000002" in table[0]["changes"]
    export = AuditEntry.objects.get(object_type="audit_trail_export")
    assert export.action == "export" and export.changes["patient_ids"] == [patient.pk]


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(client, admin_user, make_patient, clinic):
    sly = make_patient(clinic, given_name="=HYPERLINK(1)", family_name="X")
    client.force_login(admin_user)
    body = b"".join(client.get(reverse("audit:trail_csv"), {"patient": sly.mrn}).streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def test_a_page_with_several_lists_writes_one_entry_naming_every_patient_shown(clinic, patient, make_patient):
    other = make_patient(clinic, given_name="Ravi")
    actor = Actor.system("test", clinic.pk)
    before = AuditEntry.objects.count()
    with page_view(lambda: "home", lambda: actor):
        record_bulk_read(actor, "non_responder_list", "dashboard", [patient.pk])
        append(actor, "read", object_type="follow_up_list", object_id="dashboard", patient_id=None, changes={"patient_ids": [other.pk]})
        record_bulk_read(actor, "infection_clusters", "dashboard", [patient.pk, other.pk])
    written = list(AuditEntry.objects.order_by("seq")[before:])
    assert len(written) == 1
    assert (written[0].object_type, written[0].object_id) == ("page_view", "home")
    assert written[0].changes == {"patient_ids": [patient.pk, other.pk], "shown": ["non_responder_list", "follow_up_list", "infection_clusters"]}


def test_every_web_request_is_one_page_view_through_the_middleware(rf, trichologist, clinic, patient, make_patient):
    """A page whose panels read four lists (the home page wrote four entries): one entry."""
    from django.http import HttpResponse

    from anagen.audit.middleware import AuditPageViewMiddleware

    others = [make_patient(clinic, given_name=f"P{i}") for i in range(3)]

    def page_with_four_panels(request):
        actor = Actor.from_request(request)
        for n, who in enumerate([patient, *others]):
            record_bulk_read(actor, f"panel_{n}", "dashboard", [who.pk])
        return HttpResponse("home")

    request = rf.get("/")
    request.user = trichologist
    before = AuditEntry.objects.count()
    AuditPageViewMiddleware(page_with_four_panels)(request)
    written = list(AuditEntry.objects.order_by("seq")[before:])
    assert len(written) == 1
    assert written[0].user_id == trichologist.pk and written[0].object_type == "page_view"
    assert written[0].changes["patient_ids"] == [patient.pk, *(o.pk for o in others)]


def test_the_real_home_page_writes_at_most_one_entry(client, trichologist):
    client.force_login(trichologist)
    before = AuditEntry.objects.count()
    assert client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.count() - before <= 1
