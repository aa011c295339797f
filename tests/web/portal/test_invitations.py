from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from anagen.accounts.models import ALL_STAFF_ROLES, CLINICAL_ROLES, Role, User
from anagen.audit.models import AuditEntry
from anagen.portal import services
from anagen.portal.models import PatientAccount, PortalInvitation

from .conftest import PATIENT_PASSWORD

pytestmark = pytest.mark.django_db


def accept_url(token):
    return reverse("portal:accept", args=[token])


def open_link(client, token):
    """Open the invitation link as a browser does: the token is exchanged for a session claim and
    the browser lands on the token-free page (returned), or the refusal."""
    response = client.get(accept_url(token))
    if response.status_code != 302:
        return response
    assert response["Location"] == reverse("portal:welcome")
    return client.get(response["Location"])


def sign_up(client, token, username, password=PATIENT_PASSWORD, password2=None):
    opened = open_link(client, token)
    if opened.status_code != 200:
        return opened
    return client.post(reverse("portal:welcome"), {"username": username, "password1": password, "password2": password2 or password})


def test_the_patient_role_is_not_a_staff_role():
    assert Role.PATIENT not in ALL_STAFF_ROLES
    assert Role.PATIENT not in CLINICAL_ROLES
    assert User(clinic_id=1, role=Role.PATIENT).is_clinic_staff is False


def test_staff_invite_from_the_patient_page_and_see_the_link_once(client, receptionist, patient):
    client.force_login(receptionist)
    page = client.get(reverse("patients:data", args=[patient.pk]))
    assert b"Invite to the patient portal" in page.content
    response = client.post(reverse("portal:invite", args=[patient.pk]))
    assert response.status_code == 200
    link = response.context["link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = PortalInvitation.objects.get(patient=patient)
    # Only the SHA-256 of the token is stored.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {invitation.token_hash}
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    assert AuditEntry.objects.filter(object_type="portal_invitation", action="create", patient_id=patient.pk, user_id=receptionist.pk).exists()
    assert b"Status: <strong id=\"portal-status\">Invited" in client.get(reverse("patients:data", args=[patient.pk])).content


def test_the_invitation_is_emailed_when_the_patient_has_an_email(client, trichologist, make_patient, clinic):
    patient = make_patient(clinic, email="asha@example.in")
    client.force_login(trichologist)
    response = client.post(reverse("portal:invite", args=[patient.pk]))
    assert response.context["emailed"] is True
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["asha@example.in"]
    assert response.context["link"] in mail.outbox[0].body


def test_the_patient_sets_a_password_and_the_link_works_only_once(client, patient, invite):
    invitation, token = invite(patient)
    page = open_link(client, token)
    assert page.status_code == 200
    assert page.context["form"]["username"].value() == patient.mrn
    response = sign_up(client, token, patient.mrn)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    account = PatientAccount.objects.get(patient=patient)
    assert account.user.role == Role.PATIENT
    assert account.user.clinic_id == patient.clinic_id
    assert account.user.check_password(PATIENT_PASSWORD)
    assert account.activated_at is not None
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    # Signed in straight away...
    assert client.get(reverse("portal:home")).status_code == 200
    client.logout()
    # ...and the link is spent.
    again = sign_up(client, token, "someone-else")
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert User.objects.filter(role=Role.PATIENT).count() == 1


def test_it_refuses_an_expired_invitation(client, patient, invite):
    _, token = invite(patient, now=timezone.now() - dt.timedelta(days=7, minutes=1))
    response = open_link(client, token)
    assert response.status_code == 410
    assert b"expired" in response.content
    assert sign_up(client, token, patient.mrn).status_code == 410
    assert not PatientAccount.objects.exists()


def test_it_refuses_an_unknown_link(client):
    response = client.get(accept_url("not-a-real-token"))
    assert response.status_code == 410
    assert b"not valid" in response.content


def test_a_new_invitation_replaces_the_previous_link(client, patient, invite):
    _, first = invite(patient)
    _, second = invite(patient)
    assert open_link(client, first).status_code == 410
    assert open_link(client, second).status_code == 200


def test_it_refuses_a_weak_password_naming_the_field_and_keeps_the_link(client, patient, invite):
    invitation, token = invite(patient)
    response = sign_up(client, token, patient.mrn, password="12345678")
    assert response.status_code == 400
    assert response.context["form"].errors["password1"]
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert not User.objects.filter(role=Role.PATIENT).exists()


def test_it_refuses_mismatched_passwords(client, patient, invite):
    _, token = invite(patient)
    response = sign_up(client, token, patient.mrn, PATIENT_PASSWORD, PATIENT_PASSWORD + "x")
    assert response.status_code == 400
    assert "not the same" in response.context["form"].errors["password2"][0]


def test_it_refuses_a_username_already_taken(client, patient, invite, trichologist):
    _, token = invite(patient)
    response = sign_up(client, token, trichologist.username.upper())
    assert response.status_code == 400
    assert "taken" in response.context["form"].errors["username"][0]
    assert not PatientAccount.objects.exists()


def test_signing_in_lands_a_patient_on_the_portal_and_staff_on_the_home_page(client, patient_user, trichologist):
    with override_settings(LOGIN_REDIRECT_URL="portal:after_login"):
        response = client.post(reverse("login"), {"username": patient_user.username, "password": PATIENT_PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("portal:home")
        client.logout()
        response = client.post(reverse("login"), {"username": trichologist.username, "password": "correct horse battery"}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("home")


def test_revoked_access_cannot_sign_in(client, receptionist, patient, patient_user):
    assert authenticate(RequestFactory().post("/login/"), username=patient_user.username, password=PATIENT_PASSWORD) is not None
    signed_in = client.__class__()
    signed_in.force_login(patient_user)
    client.force_login(receptionist)
    response = client.post(reverse("portal:revoke", args=[patient.pk]))
    assert response.status_code == 302
    patient_user.refresh_from_db()
    assert patient_user.is_active is False
    assert PatientAccount.objects.get(patient=patient).revoked_at is not None
    assert AuditEntry.objects.filter(object_type="portal_account", action="update", patient_id=patient.pk).exists()
    client.logout()
    response = client.post(reverse("login"), {"username": patient_user.username, "password": PATIENT_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # A session opened before the revocation is of no use either.
    assert signed_in.get(reverse("portal:home")).status_code in (302, 403)


def test_a_revoked_patient_can_be_invited_again_and_keeps_one_account(client, receptionist, patient, patient_user, invite):
    services.revoke_access(services.Actor.system("test", patient.clinic_id), patient)
    _, token = invite(patient)
    assert sign_up(client, token, "asha-p").status_code == 302
    account = PatientAccount.objects.get(patient=patient)
    assert account.user_id == patient_user.pk
    assert account.revoked_at is None
    account.user.refresh_from_db()
    assert account.user.is_active and account.user.username == "asha-p"


def test_a_new_link_lets_a_patient_who_forgot_their_password_choose_another(client, receptionist, patient, patient_user):
    client.force_login(receptionist)
    assert b"Send a new sign-in link (forgotten password)" in client.get(reverse("patients:data", args=[patient.pk])).content
    link = client.post(reverse("portal:invite", args=[patient.pk])).context["link"]
    client.logout()
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert b"Choose a new password" in open_link(client, token).content
    assert sign_up(client, token, patient_user.username, password="another fine password 7").status_code == 302
    patient_user.refresh_from_db()
    assert patient_user.check_password("another fine password 7")
    assert PatientAccount.objects.filter(patient=patient).count() == 1
    assert AuditEntry.objects.filter(object_type="portal_account", action="update", user_id=patient_user.pk).exists()


def test_a_practitioner_cannot_invite_and_another_clinic_gets_404(client, practitioner, other_admin, patient):
    client.force_login(practitioner)
    assert client.post(reverse("portal:invite", args=[patient.pk])).status_code == 403
    client.force_login(other_admin)
    assert client.post(reverse("portal:invite", args=[patient.pk])).status_code == 404
    assert client.post(reverse("portal:revoke", args=[patient.pk])).status_code == 404
    assert not PortalInvitation.objects.exists()


def test_the_demo_seed_gives_one_patient_a_demo_portal_account(clinic, patient, receptionist):
    from types import SimpleNamespace

    from anagen.demo.portal import seed_portal

    ctx = SimpleNamespace(clinic=clinic, staff={"reception": receptionist})
    seed_portal(ctx)
    seed_portal(ctx)  # idempotent
    account = PatientAccount.objects.get()
    assert account.patient == patient
    assert account.user.username == "patient" and account.user.is_demo_account and account.user.role == Role.PATIENT
    assert services.account_for_user(account.user) == account


def test_opening_the_link_exchanges_its_token_for_this_browser_and_leaves_a_token_free_page(client, patient, invite):
    """Issue 19, finding 2: a copy of the link (a log, a history, a Referer) cannot be used once opened."""
    from django.test import Client

    invitation, token = invite(patient)
    first = client.get(accept_url(token))
    assert first.status_code == 302 and token not in first["Location"]
    page = client.get(first["Location"])
    assert page.status_code == 200 and token not in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.opened_at is not None and invitation.claim_hash and invitation.used_at is None
    # The same browser may open it again; anyone else holding the link is refused.
    assert client.get(accept_url(token)).status_code == 302
    attacker = Client()
    refused = attacker.get(accept_url(token))
    assert refused.status_code == 410 and b"opened already" in refused.content
    assert attacker.post(reverse("portal:welcome"), {"username": "thief", "password1": PATIENT_PASSWORD,
                                                     "password2": PATIENT_PASSWORD}).status_code == 410
    with pytest.raises(services.InvitationInvalid):
        services.accept_invitation(token, "thief", PATIENT_PASSWORD)
    # The patient finishes in their own browser.
    response = client.post(reverse("portal:welcome"), {"username": patient.mrn, "password1": PATIENT_PASSWORD, "password2": PATIENT_PASSWORD})
    assert response.status_code == 302
    assert PatientAccount.objects.get(patient=patient).user.username == patient.mrn


def test_the_token_free_page_without_a_claim_says_to_open_the_link(client):
    response = client.get(reverse("portal:welcome"))
    assert response.status_code == 410
    assert b"Open the link" in response.content
