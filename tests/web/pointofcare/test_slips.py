"""The slips of issue 20, each refused or warned: a consultation dated ahead, signing without a
confirmation, a back button that shows an editable signed record, a duplicate booking or
signature that says nothing of what already exists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.web.consultations.test_consultation import BASE_FORM

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(trichologist, patient, actor):
    from anagen.consultations.services import start_consultation

    return start_consultation(actor, patient, trichologist, timezone.localdate())


def post(client, draft, **extra):
    return client.post(reverse("consultations:edit", args=[draft.pk]),
                       {**BASE_FORM, "consulted_on": timezone.localdate().isoformat(), "version": draft.version, **extra})


def test_a_consultation_dated_in_the_future_is_refused_by_the_form_and_the_service(client, trichologist, draft, actor):
    from anagen.consultations.services import save_draft
    from anagen.core.errors import InvalidInput

    client.force_login(trichologist)
    ahead = timezone.localdate() + dt.timedelta(days=42)
    response = post(client, draft, consulted_on=ahead.isoformat(), action="confirm_sign")
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.consulted_on == timezone.localdate()
    with pytest.raises(InvalidInput):
        save_draft(actor, draft, {"consulted_on": ahead}, measurements=None, labs={}, expected_version=None)
    page = client.get(reverse("consultations:edit", args=[draft.pk])).content.decode()
    assert f'max="{timezone.localdate().isoformat()}"' in page


def test_signing_asks_for_confirmation_first_and_says_what_will_be_signed(client, trichologist, draft):
    client.force_login(trichologist)
    response = post(client, draft, action="sign")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="confirm-sign"' in page and "Confirm and sign" in page and "Sign this consultation?" in page
    draft.refresh_from_db()
    assert draft.status == "draft"
    response = post(client, draft, action="confirm_sign")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "signed"


def test_errors_are_summed_up_at_the_top_each_linking_to_its_field(client, trichologist, draft):
    client.force_login(trichologist)
    page = post(client, draft, action="confirm_sign", presenting_complaint="", diagnosis_primary="").content.decode()
    assert 'id="error-summary"' in page
    assert 'href="#id_presenting_complaint"' in page and 'href="#id_diagnosis_primary"' in page
    assert "needs correcting" in page


def test_after_signing_back_and_resubmit_never_show_an_editable_form(client, trichologist, draft):
    client.force_login(trichologist)
    edit = client.get(reverse("consultations:edit", args=[draft.pk]))
    assert "no-store" in edit["Cache-Control"]
    post(client, draft, action="confirm_sign")
    again = post(client, draft, action="confirm_sign")  # the re-submit after the back button
    assert again.status_code == 302 and again["Location"] == reverse("consultations:detail", args=[draft.pk])
    shown = client.get(reverse("consultations:edit", args=[draft.pk]), follow=True).content.decode()
    assert "<textarea" not in shown.split("Addenda")[0] and "read-only" in shown


def test_every_field_entered_shows_on_the_signed_record(client, trichologist, draft):
    client.force_login(trichologist)
    post(client, draft, action="confirm_sign", **{"m-global_photo_score": "1", "no_known_allergies": "on",
                                                  "m-site_zone": "vertex", "m-site_offset_cm": "10", "m-density_per_cm2": "140",
                                                  "m-site_note": "midline mark"})
    page = client.get(reverse("consultations:detail", args=[draft.pk])).content.decode()
    assert "Global photographic assessment" in page and "+1" in page
    assert "No known allergies" in page and "midline mark" in page and "24 months" in page


def test_a_duplicate_booking_says_who_is_already_booked_and_when(client, clinic, receptionist, practitioner, make_patient, actor):
    from anagen.scheduling.services import book_appointment, create_room, local_datetime

    room, other = create_room(clinic, "Room 1"), create_room(clinic, "Room 2")
    priya = make_patient(clinic, given_name="Priya", family_name="Deshmukh")
    day = timezone.localdate() + dt.timedelta(days=1)
    book_appointment(actor, clinic, patient=priya, practitioner=practitioner, room=room, kind="consultation",
                     starts_at=local_datetime(day, dt.time(10, 30)), duration_minutes=45)
    client.force_login(receptionist)
    response = client.post(reverse("scheduling:book"), {"patient": priya.pk, "practitioner": practitioner.pk, "room": other.pk,
                                                       "kind": "consultation", "date": day.isoformat(), "start_time": "10:30",
                                                       "duration_minutes": "45", "book": "1"})
    assert response.status_code == 400
    assert "Priya Deshmukh is already booked at 10:30" in response.content.decode()


def test_a_signed_session_never_shows_its_form_again(client, practitioner, ready):
    from tests.web.pointofcare.conftest import session_post

    client.force_login(practitioner)
    url = reverse("procedures:record", args=[ready["appointment"].pk])
    assert "no-store" in client.get(url)["Cache-Control"]
    client.post(url, session_post(ready["lot"]))
    again = client.get(url)
    assert again.status_code == 302 and again["Location"].startswith("/sessions/")
    resubmit = client.post(url, session_post(ready["lot"]))
    assert resubmit.status_code == 302


def test_a_second_signature_of_the_same_consent_says_it_is_already_in_force(clinic, patient, practitioner, ready, actor):
    from anagen.consents.services import ConsentError, sign_consent

    with pytest.raises(ConsentError, match=r"Asha Patil already signed version 1 of this consent on .*; it is in force"):
        sign_consent(actor, patient, ready["text"], method="typed", typed_name=patient.full_name, acknowledged=True, witness=practitioner)
