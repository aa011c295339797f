"""Two-factor sign-in: TOTP after the password, recovery codes, mandatory roles, resets, lockout."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from anagen.accounts import two_factor
from anagen.audit.models import AuditEntry

VERIFY = reverse("accounts:two_factor_verify")
SETUP = reverse("accounts:two_factor_setup")


# --- who must use it --------------------------------------------------------------------------


def test_it_sends_a_clinic_admin_without_an_authenticator_to_set_one_up(client, admin_user, two_factor_required):
    client.force_login(admin_user)
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_it_sends_a_trichologist_without_an_authenticator_to_set_one_up(client, trichologist, two_factor_required):
    client.force_login(trichologist)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_it_lets_a_practitioner_and_reception_in_without_an_authenticator(client, practitioner, receptionist, two_factor_required):
    for user in (practitioner, receptionist):
        client.force_login(user)
        assert client.get(reverse("patients:list")).status_code == 200


def test_it_never_forces_a_patient_user_into_two_factor(make_user, clinic, two_factor_required):
    patient_user = make_user(clinic, "patient", "portaluser")
    assert not two_factor.is_required_for(patient_user)


def test_the_production_default_makes_it_mandatory_for_admins_and_trichologists_only():
    import os
    import subprocess
    import sys

    env = {**os.environ, "ANAGEN_ENV": "production", "ANAGEN_SECRET_KEY": "s" * 60, "DJANGO_SETTINGS_MODULE": "anagen.settings"}
    env.pop("ANAGEN_TWO_FACTOR_REQUIRED_ROLES", None)
    out = subprocess.run(
        [sys.executable, "-c", "from anagen import settings; print(sorted(settings.ANAGEN_TWO_FACTOR_REQUIRED_ROLES))"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    assert out.strip() == "['clinic_admin', 'trichologist']"


def test_demo_accounts_are_exempt_on_a_demo_server_only(client, admin_user, two_factor_required, settings):
    admin_user.is_demo_account = True
    admin_user.save()
    assert two_factor.is_required_for(admin_user)
    settings.ANAGEN_DEMO = True
    assert not two_factor.is_required_for(admin_user)
    client.force_login(admin_user)
    assert client.get(reverse("home")).status_code == 200


def test_an_htmx_request_is_redirected_with_hx_redirect(client, admin_user, two_factor_required):
    client.force_login(admin_user)
    response = client.get(reverse("patients:list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == SETUP


# --- setting up -------------------------------------------------------------------------------


def test_setup_shows_a_qr_code_drawn_inline_and_the_key(client, admin_user, two_factor_required):
    client.force_login(admin_user)
    response = client.get(SETUP)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<svg' in body and 'class="qr-code"' in body
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    assert two_factor.manual_key(device) in body
    # A reload shows the same key, not a new device each time.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=admin_user).count() == 1


def test_setup_confirms_with_a_code_and_shows_ten_single_use_recovery_codes_once(client, admin_user, two_factor_required, code_for):
    client.force_login(admin_user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=admin_user)
    response = client.post(SETUP, {"code": code_for(device), "next": reverse("patients:list")})
    assert response.status_code == 200
    codes = list(StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    # The session is verified: pages open, and the codes are not shown again anywhere.
    assert client.get(reverse("patients:list")).status_code == 200
    manage = client.get(reverse("accounts:two_factor")).content.decode()
    assert "10 recovery codes left" in manage
    assert not any(code in manage for code in codes)
    entry = AuditEntry.objects.filter(object_type="user_two_factor", object_id=str(admin_user.pk)).get()
    assert entry.changes["two_factor"] == {"old": "off", "new": "on"}


def test_setup_refuses_a_wrong_code_and_stays_off(client, admin_user, two_factor_required, wrong_code_for):
    client.force_login(admin_user)
    client.get(SETUP)
    response = client.post(SETUP, {"code": wrong_code_for(TOTPDevice.objects.get(user=admin_user))})
    assert response.status_code == 400
    assert "code is not right" in response.content.decode()
    assert not two_factor.has_two_factor(admin_user)
    assert client.get(reverse("home"))["Location"].startswith(SETUP)


def test_setup_names_the_field_when_the_code_is_not_six_digits(client, admin_user, two_factor_required):
    client.force_login(admin_user)
    response = client.post(SETUP, {"code": "12ab"})
    assert response.status_code == 400
    assert "Enter the 6-digit code" in response.content.decode()


# --- signing in -------------------------------------------------------------------------------


def test_it_asks_for_the_code_after_the_password_and_then_lets_the_user_in(client, trichologist, authenticator, code_for, password_step):
    device = authenticator(trichologist)
    assert password_step(trichologist).status_code == 302
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fpatients%2F"
    response = client.post(VERIFY, {"code": code_for(device), "next": "/patients/"})
    assert response.status_code == 302 and response["Location"] == "/patients/"
    assert client.get(reverse("patients:list")).status_code == 200


def test_the_code_step_applies_to_every_role_with_an_authenticator(client, receptionist, authenticator, password_step):
    authenticator(receptionist)
    password_step(receptionist)
    assert client.get(reverse("patients:list"))["Location"].startswith(VERIFY)


def test_it_refuses_a_wrong_code_and_keeps_the_session_unverified(client, trichologist, authenticator, wrong_code_for, password_step):
    device = authenticator(trichologist)
    password_step(trichologist)
    response = client.post(VERIFY, {"code": wrong_code_for(device)})
    assert response.status_code == 400
    assert "code is not right" in response.content.decode()
    assert client.get(reverse("patients:list"))["Location"].startswith(VERIFY)


def test_it_refuses_to_redirect_to_another_site_after_the_code(client, trichologist, authenticator, code_for, password_step):
    device = authenticator(trichologist)
    password_step(trichologist)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert "evil" not in response["Location"]


def test_a_recovery_code_signs_in_once_only(client, trichologist, authenticator, password_step):
    authenticator(trichologist, recovery_codes=["abcd2345", "efgh6723"])
    password_step(trichologist)
    response = client.post(VERIFY, {"code": "ABCD 2345"})
    assert response.status_code == 302
    assert not StaticToken.objects.filter(token="abcd2345").exists()
    client.post(reverse("logout"))
    password_step(trichologist)
    response = client.post(VERIFY, {"code": "abcd2345"})
    assert response.status_code == 400
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)


def test_a_device_throttles_the_next_try_after_a_wrong_code(client, trichologist, authenticator, code_for, wrong_code_for, password_step):
    device = authenticator(trichologist)
    password_step(trichologist)
    client.post(VERIFY, {"code": wrong_code_for(device)})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 400
    assert "Too many wrong codes: wait" in response.content.decode()
    # Once the wait is over the right code works.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=5))
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_five_wrong_codes_lock_the_account_like_five_wrong_passwords(client, trichologist, authenticator, wrong_code_for, password_step):
    device = authenticator(trichologist)
    password_step(trichologist)
    statuses = [client.post(VERIFY, {"code": wrong_code_for(device)}).status_code for _ in range(5)]
    assert statuses[:4] == [400, 400, 400, 400]
    assert statuses[4] == 429
    # Signed out, and the password step is now refused too.
    assert "_auth_user_id" not in client.session
    response = password_step(trichologist)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --- recovery codes and resets ------------------------------------------------------------------


def _verified(client, user, authenticator, code_for, password_step):
    device = authenticator(user, recovery_codes=["oldcode1", "oldcode2"])
    password_step(user)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    return device


def test_new_recovery_codes_cancel_the_old_ones(client, trichologist, authenticator, code_for, password_step):
    _verified(client, trichologist, authenticator, code_for, password_step)
    response = client.post(reverse("accounts:recovery_codes"))
    assert response.status_code == 200
    tokens = set(StaticToken.objects.filter(device__user=trichologist).values_list("token", flat=True))
    assert len(tokens) == 10 and "oldcode1" not in tokens
    assert all(t in response.content.decode() for t in tokens)


def test_a_user_resets_their_own_authenticator_with_password_and_code(client, trichologist, authenticator, code_for, password_step, two_factor_required):
    device = _verified(client, trichologist, authenticator, code_for, password_step)
    response = client.post(reverse("accounts:two_factor_reset"), {"password": "correct horse battery", "code": code_for(device, 1)})
    assert response.status_code == 302 and response["Location"] == SETUP
    assert not two_factor.has_two_factor(trichologist)
    assert not StaticToken.objects.filter(device__user=trichologist).exists()
    # A trichologist must set up a new one before going on.
    assert client.get(reverse("home"))["Location"].startswith(SETUP)


def test_it_refuses_an_own_reset_with_a_wrong_password(client, trichologist, authenticator, code_for, password_step):
    _verified(client, trichologist, authenticator, code_for, password_step)
    response = client.post(reverse("accounts:two_factor_reset"), {"password": "wrong password", "code": "oldcode1"})
    assert response.status_code == 400
    assert "password is not right" in response.content.decode()
    assert two_factor.has_two_factor(trichologist)


def test_a_clinic_admin_resets_a_staff_members_two_factor_and_it_is_audited(client, admin_user, trichologist, authenticator):
    authenticator(trichologist, recovery_codes=["abcd2345"])
    client.force_login(admin_user)
    response = client.post(reverse("accounts:staff_two_factor_reset", args=[trichologist.pk]))
    assert response.status_code == 302
    assert not two_factor.has_two_factor(trichologist)
    entry = AuditEntry.objects.filter(object_type="user_two_factor", object_id=str(trichologist.pk)).get()
    assert entry.user_id == admin_user.pk
    assert entry.changes["reset_by"]["new"] == "clinic admin"
    staff_page = client.get(reverse("accounts:staff_list")).content.decode()
    assert "Two-factor sign-in" in staff_page


def test_the_staff_page_offers_the_reset_only_when_two_factor_is_on(client, admin_user, trichologist, authenticator):
    client.force_login(admin_user)
    url = reverse("accounts:staff_edit", args=[trichologist.pk])
    assert "Reset two-factor sign-in" not in client.get(url).content.decode()
    authenticator(trichologist)
    assert "Reset two-factor sign-in" in client.get(url).content.decode()


def test_an_admin_cannot_reset_another_clinics_staff(client, other_admin, trichologist, authenticator):
    authenticator(trichologist)
    client.force_login(other_admin)
    assert client.post(reverse("accounts:staff_two_factor_reset", args=[trichologist.pk])).status_code == 404
    assert two_factor.has_two_factor(trichologist)


def test_only_a_clinic_admin_may_reset_someone_elses_two_factor(client, practitioner, trichologist, authenticator):
    authenticator(trichologist)
    client.force_login(practitioner)
    assert client.post(reverse("accounts:staff_two_factor_reset", args=[trichologist.pk])).status_code == 403
    assert two_factor.has_two_factor(trichologist)


def test_the_reset_needs_a_post(client, admin_user, trichologist, authenticator):
    authenticator(trichologist)
    client.force_login(admin_user)
    assert client.get(reverse("accounts:staff_two_factor_reset", args=[trichologist.pk])).status_code == 405
