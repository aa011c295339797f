"""Every staff page needs a login, the right role and the user's own clinic."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["home", "patients:list", "patients:create"]
ADMIN_PAGES = ["accounts:staff_list", "accounts:staff_create", "accounts:clinic_settings", "audit:trail"]
SUPERUSER_PAGES = ["accounts:clinic_list", "accounts:clinic_create"]


@pytest.mark.parametrize("name", STAFF_PAGES + ADMIN_PAGES + SUPERUSER_PAGES)
def test_it_sends_an_anonymous_visitor_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", STAFF_PAGES)
@pytest.mark.parametrize("role", ["clinic_admin", "trichologist", "practitioner", "reception"])
def test_it_lets_every_staff_role_open_the_staff_pages(client, clinic, make_user, role, name):
    client.force_login(make_user(clinic, role))
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["trichologist", "practitioner", "reception"])
def test_it_keeps_non_admins_out_of_the_admin_area(client, clinic, make_user, role, name):
    client.force_login(make_user(clinic, role))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_it_lets_a_clinic_admin_into_the_admin_area(client, admin_user, name):
    client.force_login(admin_user)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", SUPERUSER_PAGES)
def test_it_keeps_clinic_admins_out_of_the_deployment_clinic_list(client, admin_user, name):
    client.force_login(admin_user)
    assert client.get(reverse(name)).status_code == 403


def test_it_lets_a_superuser_create_a_clinic_and_its_first_admin(client, db):
    from anagen.accounts.models import Clinic, User

    root = User.objects.create_superuser("root", "root@example.in", "a long root password")
    client.force_login(root)
    response = client.post(reverse("accounts:clinic_create"), {"name": "Hair Works, Pune", "city": "Pune", "mrn_prefix": "hw"})
    assert response.status_code == 302
    clinic = Clinic.objects.get(name="Hair Works, Pune")
    assert clinic.mrn_prefix == "HW"
    response = client.post(
        reverse("accounts:clinic_add_admin", args=[clinic.pk]),
        {"username": "hwadmin", "role": "clinic_admin", "password1": "Kf8#pq2!zLm0", "password2": "Kf8#pq2!zLm0"},
    )
    assert response.status_code == 302
    assert User.objects.get(username="hwadmin").clinic == clinic


def test_it_refuses_a_user_without_a_clinic_or_role(client, db):
    from anagen.accounts.models import User

    user = User.objects.create_user("loose", password="whatever long")
    client.force_login(user)
    assert client.get(reverse("patients:list")).status_code == 403


def test_it_answers_404_for_another_clinics_staff_member(client, admin_user, other_admin):
    client.force_login(admin_user)
    assert client.get(reverse("accounts:staff_edit", args=[other_admin.pk])).status_code == 404
    assert client.get(reverse("accounts:staff_password", args=[other_admin.pk])).status_code == 404


def test_it_lets_a_clinic_admin_add_a_receptionist(client, admin_user):
    from anagen.accounts.models import User

    client.force_login(admin_user)
    response = client.post(
        reverse("accounts:staff_create"),
        {"username": "newdesk", "first_name": "Riya", "role": "reception", "password1": "Kf8#pq2!zLm0", "password2": "Kf8#pq2!zLm0"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="newdesk")
    assert (user.clinic, user.role) == (admin_user.clinic, "reception")


def test_it_refuses_a_weak_staff_password_naming_the_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("accounts:staff_create"),
        {"username": "weak", "role": "reception", "password1": "12345", "password2": "12345"},
    )
    assert response.status_code == 400
    assert "password2" in response.context["form"].errors


def test_it_stops_an_admin_removing_their_own_admin_role(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:staff_edit", args=[admin_user.pk]), {"role": "reception", "is_active": "on"})
    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.role == "clinic_admin"


def test_healthz_reports_the_database(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_the_session_ping_needs_a_login_and_renews_the_session(client, receptionist):
    assert client.get(reverse("session_ping")).status_code == 302
    client.force_login(receptionist)
    response = client.get(reverse("session_ping"))
    assert response.json() == {"ok": True, "expires_in_seconds": 1800}
    # Saved on every request: the server-side expiry moves 30 minutes ahead of this request.
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    session = Session.objects.get(session_key=response.cookies["sessionid"].value)
    assert 1790 <= (session.expire_date - timezone.now()).total_seconds() <= 1800
