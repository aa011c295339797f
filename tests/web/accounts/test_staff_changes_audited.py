"""Staff and clinic changes are use cases of anagen.accounts.services: each one is written to the
audit trail (who, when, what changed), from the web pages, the API and the provisioning command."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.accounts.models import Clinic, User
from anagen.audit.models import AuditEntry
from anagen.audit.services import verify_chain

pytestmark = pytest.mark.django_db

STRONG = "Kf8#pq2!zLm0-violet"


def _entries(object_type, object_id):
    return list(AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("seq"))


def test_a_role_change_and_a_deactivation_are_audited_with_the_old_and_new_values(client, admin_user, practitioner):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:staff_edit", args=[practitioner.pk]),
                           {"first_name": "Nurse", "last_name": "", "email": "", "role": "trichologist"})
    assert response.status_code == 302
    [entry] = _entries("staff_account", practitioner.pk)
    assert (entry.action, entry.user_id, entry.clinic_id, entry.patient_id) == ("update", admin_user.pk, admin_user.clinic_id, None)
    assert entry.changes["role"] == {"old": "practitioner", "new": "trichologist"}
    assert entry.changes["is_active"] == {"old": True, "new": False}
    practitioner.refresh_from_db()
    assert (practitioner.role, practitioner.is_active) == ("trichologist", False)
    assert verify_chain().ok


def test_saving_a_member_unchanged_writes_no_entry(client, admin_user, practitioner):
    client.force_login(admin_user)
    client.post(reverse("accounts:staff_edit", args=[practitioner.pk]),
                {"first_name": "Practitioner", "last_name": "", "email": "", "role": "practitioner", "is_active": "on"})
    assert _entries("staff_account", practitioner.pk) == []


def test_an_admin_removing_their_own_admin_role_is_refused_and_nothing_is_written(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:staff_edit", args=[admin_user.pk]),
                           {"first_name": "Admin", "role": "clinic_admin"})  # is_active left unticked
    assert response.status_code == 400
    assert response.context["form"].errors["role"] == ["You cannot remove your own admin role or deactivate yourself."]
    assert _entries("staff_account", admin_user.pk) == []
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_password_set_by_an_admin_is_audited_without_the_password(client, admin_user, practitioner):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:staff_password", args=[practitioner.pk]),
                           {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302
    [entry] = _entries("staff_account", practitioner.pk)
    assert entry.changes == {"password": {"old": None, "new": "set by an admin"}}
    assert STRONG not in str(entry.changes)
    practitioner.refresh_from_db()
    assert practitioner.check_password(STRONG)


def test_a_new_member_is_audited_as_created(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("accounts:staff_create"),
                {"username": "newdesk", "first_name": "Riya", "role": "reception", "password1": STRONG, "password2": STRONG})
    member = User.objects.get(username="newdesk")
    [entry] = _entries("staff_account", member.pk)
    assert entry.action == "create" and entry.changes["role"] == {"old": None, "new": "reception"}
    assert "password" not in entry.changes


def test_the_clinic_details_are_audited(client, admin_user, clinic):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:clinic_settings"), {"name": clinic.name, "city": "Thane", "mrn_prefix": "LOT"})
    assert response.status_code == 302
    [entry] = _entries("clinic", clinic.pk)
    assert entry.action == "update" and entry.changes["city"] == {"old": "Mumbai", "new": "Thane"}


def test_a_new_clinic_and_its_first_admin_show_in_that_clinics_trail(client, db):
    root = User.objects.create_superuser("root", "root@example.in", "a long root password")
    client.force_login(root)
    client.post(reverse("accounts:clinic_create"), {"name": "Hair Works, Pune", "city": "Pune", "mrn_prefix": "hw"})
    clinic = Clinic.objects.get(name="Hair Works, Pune")
    client.post(reverse("accounts:clinic_add_admin", args=[clinic.pk]),
                {"username": "hwadmin", "role": "clinic_admin", "password1": STRONG, "password2": STRONG})
    created = _entries("clinic", clinic.pk) + _entries("staff_account", User.objects.get(username="hwadmin").pk)
    assert [(e.action, e.clinic_id, e.username) for e in created] == [("create", clinic.pk, "root"), ("create", clinic.pk, "root")]


def test_the_api_writes_the_same_entries(admin_user, practitioner, clinic):
    from tests.api.conftest import Api

    from anagen.api.tokens import issue_token
    from anagen.audit.services import Actor

    api = Api(issue_token(Actor.system("test", clinic.pk), admin_user, "test", expires_at=None, by=admin_user).secret)
    changed = api("put", f"/staff/{practitioner.pk}",
                  {"first_name": "Nurse", "last_name": "", "role": "practitioner", "is_active": False})
    assert changed.status_code == 200
    assert _entries("staff_account", practitioner.pk)[-1].changes["is_active"] == {"old": True, "new": False}
    assert api("post", f"/staff/{practitioner.pk}/password", {"password": STRONG}).status_code == 200
    assert _entries("staff_account", practitioner.pk)[-1].changes == {"password": {"old": None, "new": "set by an admin"}}
    current = api("get", "/clinic").data
    assert api("put", "/clinic", {**current, "city": "Pune"}).status_code == 200
    assert _entries("clinic", clinic.pk)[-1].changes["city"] == {"old": "Mumbai", "new": "Pune"}
    myself = api("put", f"/staff/{admin_user.pk}", {"first_name": "A", "last_name": "", "role": "reception", "is_active": True})
    assert myself.status_code == 422 and myself.data["errors"] == [
        {"field": "role", "message": "You cannot remove your own admin role or deactivate yourself."}]


def test_provisioning_a_clinic_is_audited(db, tmp_path):
    import io

    from django.core.management import call_command

    secret = tmp_path / "password"
    secret.write_text(STRONG, encoding="utf-8")
    call_command("provision_clinic", "--name", "Scripted Clinic", "--mrn-prefix", "SCR", "--staff", "boss:clinic_admin",
                 "--password-file", str(secret), stdout=io.StringIO())
    clinic = Clinic.objects.get(name="Scripted Clinic")
    assert [e.username for e in _entries("clinic", clinic.pk)] == ["provision_clinic"]
    assert _entries("staff_account", User.objects.get(username="boss").pk)[0].clinic_id == clinic.pk


def test_the_email_about_an_admins_change_dates_it_in_the_one_date_format(admin_user, practitioner, settings):
    import datetime as dt

    from django.core import mail
    from django.utils import timezone

    from anagen.accounts.services import notify_account_change

    practitioner.email = "nurse@example.org"
    practitioner.save()
    before = timezone.localtime()
    assert notify_account_change(practitioner, admin_user, "set a new password for your account")
    body = mail.outbox[-1].body
    # "3 Dec 2026, 10:30": the minute the mail was written, or the next if it crossed one.
    written = [f"{t.day} {t:%b %Y}, {t:%H:%M}" for t in (before, before + dt.timedelta(minutes=1))]
    assert any(w in body for w in written), body
