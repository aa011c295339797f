"""Who may open which safety page: anonymous visitors sign in first, reception sees follow-ups but
never adverse events or recall lists, only trichologists review, and no one reaches another
clinic's events, lots or follow-ups."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.safety.models import AdverseEvent, FollowUpTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(session, report, lot):
    event = report(session.patient, session=session, severity="moderate")
    return {"patient": session.patient.pk, "event": event.pk, "task": session.follow_up.pk, "lot": lot.pk}


PAGES = [
    ("safety:followups", None),
    ("safety:record_followup", "task"),
    ("safety:patient_events", "patient"),
    ("safety:report_event", "patient"),
    ("safety:event", "event"),
    ("safety:review_queue", None),
    ("safety:lot_recipients", "lot"),
    ("safety:lot_recipients_csv", "lot"),
    ("safety:clusters", None),
]
POSTS = [("safety:resolve_event", "event"), ("safety:review_event", "event")]
CLINICAL_ONLY = [p for p in PAGES if p[0] not in ("safety:followups", "safety:record_followup")]


def _url(name, kind, objects):
    return reverse(name, args=[objects[kind]]) if kind else reverse(name)


@pytest.mark.parametrize(("name", "kind"), PAGES + POSTS)
def test_it_sends_an_anonymous_visitor_to_the_login_page(client, objects, name, kind):
    for response in (client.get(_url(name, kind, objects)), client.post(_url(name, kind, objects), {})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kind"), CLINICAL_ONLY + POSTS)
def test_reception_cannot_see_adverse_events_recall_lists_or_clusters(client, receptionist, objects, name, kind):
    client.force_login(receptionist)
    assert client.get(_url(name, kind, objects)).status_code == 403
    assert client.post(_url(name, kind, objects), {"resolved_on": "2020-01-01", "note": "x"}).status_code == 403
    assert AdverseEvent.objects.get().resolved_on is None


def test_reception_can_see_the_follow_up_list_and_open_a_follow_up(client, receptionist, objects):
    client.force_login(receptionist)
    assert client.get(reverse("safety:followups")).status_code == 200
    assert client.get(_url("safety:record_followup", "task", objects)).status_code == 200


@pytest.mark.parametrize(("name", "kind"), PAGES)
@pytest.mark.parametrize("role", ["clinic_admin", "trichologist", "practitioner"])
def test_clinical_staff_can_open_every_page(client, clinic, make_user, objects, role, name, kind):
    client.force_login(make_user(clinic, role))
    assert client.get(_url(name, kind, objects)).status_code == 200


@pytest.mark.parametrize(("name", "kind"), [p for p in PAGES if p[1]] + POSTS)
def test_another_clinics_ids_do_not_exist(client, other_clinic, make_user, objects, name, kind):
    client.force_login(make_user(other_clinic, "trichologist"))
    assert client.get(_url(name, kind, objects)).status_code in (404, 405)
    assert client.post(_url(name, kind, objects), {"resolved_on": "2020-01-01", "note": "x", "method": "call",
                                                    "side_effects": "no"}).status_code == 404
    assert FollowUpTask.objects.get().status == "open"
    assert AdverseEvent.objects.get().resolved_on is None


def test_a_practitioners_review_is_refused(client, practitioner, objects):
    client.force_login(practitioner)
    response = client.post(reverse("safety:review_event", args=[objects["event"]]), {"note": "Looks fine"})
    assert response.status_code == 403
    assert AdverseEvent.objects.get().reviewed_at is None


def test_a_clinic_admin_cannot_review_either(client, admin_user, objects):
    client.force_login(admin_user)
    assert client.post(reverse("safety:review_event", args=[objects["event"]]), {"note": "ok"}).status_code == 403


def test_resolve_and_review_accept_only_posts(client, trichologist, objects):
    client.force_login(trichologist)
    assert client.get(reverse("safety:resolve_event", args=[objects["event"]])).status_code == 405
    assert client.get(reverse("safety:review_event", args=[objects["event"]])).status_code == 405


@pytest.mark.parametrize("url", ["/safety/events/999999/", "/safety/lots/999999/recipients/", "/safety/followups/999999/",
                                 "/safety/patients/999999/events/", "/safety/patients/999999/events/report/"])
def test_unknown_ids_are_404_not_500(client, trichologist, url):
    client.force_login(trichologist)
    assert client.get(url).status_code == 404


def test_reception_gets_the_follow_ups_link_but_the_safety_panel_only_shows_to_clinical_roles(client, clinic, make_user, receptionist):
    # Reception makes the follow-up calls; the panel (events, clusters) is clinical.
    client.force_login(receptionist)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("safety:followups")}"' in page and "Patient safety" not in page
    client.force_login(make_user(clinic, "practitioner"))
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("safety:followups")}"' in page and "Patient safety" in page


@pytest.mark.parametrize(("name", "kind"), [("safety:report_event", "patient"), ("safety:record_followup", "task"), ("safety:event", "event")])
def test_every_field_is_labelled_and_every_button_has_text(client, trichologist, objects, name, kind):
    import re

    client.force_login(trichologist)
    page = client.get(_url(name, kind, objects)).content.decode()
    main = page[page.index("<main"):]
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', main)
    assert ids
    for field_id in ids:
        assert f'for="{field_id}"' in main, field_id
    for button in re.findall(r"<button[^>]*>(.*?)</button>", main, re.S):
        assert re.sub(r"<[^>]+>", "", button).strip()
