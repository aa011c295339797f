from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.education.models import FaqEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["clinic_admin", "trichologist", "practitioner", "reception"])
def test_every_staff_role_can_print_the_options_page(client, clinic, make_user, role):
    client.force_login(make_user(clinic, role))
    response = client.get(reverse("education:options"))
    assert response.status_code == 200
    assert b"Minoxidil 5%" in response.content
    assert b"RCTs" in response.content or b"randomised controlled trials" in response.content
    assert b"Gajjar 2019" in response.content


def test_the_default_faq_answers_side_effects_honestly(client, receptionist):
    client.force_login(receptionist)
    response = client.get(reverse("education:options"))
    assert b"mycobacterial" in response.content
    assert b"No systemic side effects" not in response.content


def test_a_clinic_admin_edits_the_answers_for_their_clinic_only(client, admin_user, other_admin):
    client.force_login(admin_user)
    response = client.post(reverse("education:edit_faq"), {
        "faq-TOTAL_FORMS": "2", "faq-INITIAL_FORMS": "0",
        "faq-0-question": "Do you offer payment plans?", "faq-0-answer": "Yes, for six-session courses.", "faq-0-source": "clinic",
        "faq-1-question": "", "faq-1-answer": "",
    })
    assert response.status_code == 302
    assert list(FaqEntry.objects.values_list("question", flat=True)) == ["Do you offer payment plans?"]
    assert b"payment plans" in client.get(reverse("education:options")).content
    client.force_login(other_admin)
    assert b"payment plans" not in client.get(reverse("education:options")).content


def test_a_question_without_an_answer_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("education:edit_faq"), {
        "faq-TOTAL_FORMS": "1", "faq-INITIAL_FORMS": "0", "faq-0-question": "Half?", "faq-0-answer": "",
    })
    assert response.status_code == 400
    assert not FaqEntry.objects.exists()


@pytest.mark.parametrize("role", ["trichologist", "practitioner", "reception"])
def test_only_a_clinic_admin_edits_the_answers(client, clinic, make_user, role):
    client.force_login(make_user(clinic, role))
    assert client.get(reverse("education:edit_faq")).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, db):
    assert client.get(reverse("education:options")).status_code == 302
