"""Changing one's own password or second factor needs the current password and a current code
(issue 19, finding 4), on the web as in the API; an admin's shortcuts work on other people only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anagen.accounts import two_factor
from anagen.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

OWN = reverse("accounts:own_password")
NEW = "a whole new passphrase 42"


def _verified(client, user, authenticator, code_for, password_step):
    device = authenticator(user, recovery_codes=["oldcode1"])
    password_step(user)
    assert client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)}).status_code == 302
    return device


def test_my_password_changes_with_the_current_password_and_a_current_code(client, admin_user, authenticator, code_for, password_step):
    device = _verified(client, admin_user, authenticator, code_for, password_step)
    response = client.post(OWN, {"current_password": "correct horse battery", "code": code_for(device, 1),
                                 "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password(NEW)
    assert AuditEntry.objects.filter(object_type="staff_account", object_id=str(admin_user.pk), user_id=admin_user.pk).exists()
    # This session carries on under the new password.
    assert client.get(reverse("home")).status_code == 200


def test_without_a_current_code_my_password_stays(client, admin_user, authenticator, code_for, password_step, wrong_code_for):
    device = _verified(client, admin_user, authenticator, code_for, password_step)
    response = client.post(OWN, {"current_password": "correct horse battery", "code": wrong_code_for(device),
                                 "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    admin_user.refresh_from_db()
    assert admin_user.check_password("correct horse battery")


def test_without_the_current_password_my_password_stays(client, receptionist):
    client.force_login(receptionist)
    response = client.post(OWN, {"current_password": "guess", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 400
    assert "current_password" in response.context["form"].errors
    receptionist.refresh_from_db()
    assert receptionist.check_password("correct horse battery")


def test_the_admins_staff_password_page_sends_them_to_their_own_page_for_themselves(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:staff_password", args=[admin_user.pk]), {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == OWN
    admin_user.refresh_from_db()
    assert admin_user.check_password("correct horse battery")


def test_the_admins_reset_button_does_not_work_on_their_own_second_factor(client, admin_user, authenticator):
    authenticator(admin_user)
    client.force_login(admin_user)
    client.post(reverse("accounts:staff_two_factor_reset", args=[admin_user.pk]))
    assert two_factor.has_two_factor(admin_user)


def test_an_admin_setting_a_members_password_on_the_web_is_audited_and_the_member_told(client, admin_user, practitioner, mailoutbox):
    practitioner.email = "nurse@example.in"
    practitioner.save()
    client.force_login(admin_user)
    response = client.post(reverse("accounts:staff_password", args=[practitioner.pk]), {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(object_type="staff_account", object_id=str(practitioner.pk), user_id=admin_user.pk).exists()
    assert [m.to for m in mailoutbox] == [["nurse@example.in"]]
