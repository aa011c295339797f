"""What a stolen API token can no longer do (issue 19, findings 4, 5 and 7): take over its own
account, mint tokens that outlive it, or work at all when it belongs to a demo account."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from anagen.api.models import ApiToken
from anagen.api.tokens import create_token, revoke_token
from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor

from .conftest import Api

pytestmark = pytest.mark.django_db


def _token(user, **kwargs) -> str:
    return create_token(Actor.system("test"), user, "script", expires_at=kwargs.get("expires_at"), by=user).secret


@pytest.fixture
def admin_with_authenticator(admin_user):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=admin_user, name="Authenticator app", confirmed=True)
    static = StaticDevice.objects.create(user=admin_user, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345")
    return admin_user


# --- finding 4: an admin's token cannot take over the admin account ---------------------------


def test_an_admin_token_cannot_reset_its_own_users_second_factor(admin_with_authenticator):
    from anagen.accounts import two_factor

    api = Api(_token(admin_with_authenticator))
    response = api("post", f"/staff/{admin_with_authenticator.pk}/two-factor/reset")
    assert response.status_code == 403
    assert response.data["type"].endswith("/own-account")
    assert two_factor.has_two_factor(admin_with_authenticator)


def test_an_admin_token_cannot_set_its_own_users_password(admin_user):
    api = Api(_token(admin_user))
    response = api("post", f"/staff/{admin_user.pk}/password", {"password": "a whole new passphrase 42"})
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.check_password("correct horse battery")


def test_the_signed_in_session_cannot_do_it_through_the_api_either(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post(f"/api/v1/staff/{admin_user.pk}/password", data=json.dumps({"password": "a whole new passphrase 42"}),
                           content_type="application/json")
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.check_password("correct horse battery")


def test_an_admin_resetting_another_persons_factor_is_audited_and_the_person_is_told(admin_user, trichologist, mailoutbox):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    trichologist.email = "doctor@example.in"
    trichologist.save()
    TOTPDevice.objects.create(user=trichologist, name="Authenticator app", confirmed=True)
    response = Api(_token(admin_user))("post", f"/staff/{trichologist.pk}/two-factor/reset")
    assert response.status_code == 200 and response.data["two_factor_on"] is False
    entry = AuditEntry.objects.get(object_type="user_two_factor", object_id=str(trichologist.pk))
    assert entry.user_id == admin_user.pk
    assert [m.to for m in mailoutbox] == [["doctor@example.in"]]
    assert "reset your two-factor sign-in" in mailoutbox[0].body
    assert admin_user.username in mailoutbox[0].body or admin_user.get_full_name() in mailoutbox[0].body


def test_an_admin_setting_another_persons_password_is_audited_and_the_person_is_told(admin_user, practitioner, mailoutbox):
    practitioner.email = "nurse@example.in"
    practitioner.save()
    response = Api(_token(admin_user))("post", f"/staff/{practitioner.pk}/password", {"password": "a whole new passphrase 42"})
    assert response.status_code == 200
    practitioner.refresh_from_db()
    assert practitioner.check_password("a whole new passphrase 42")
    entry = AuditEntry.objects.get(object_type="staff_account", object_id=str(practitioner.pk))
    assert entry.user_id == admin_user.pk and "passphrase" not in json.dumps(entry.changes)
    assert [m.to for m in mailoutbox] == [["nurse@example.in"]]
    assert "passphrase" not in mailoutbox[0].body


# --- finding 5: tokens cannot mint tokens --------------------------------------------------------


def test_a_token_cannot_create_a_token(receptionist):
    short_lived = _token(receptionist, expires_at=timezone.now() + dt.timedelta(minutes=2))
    before = ApiToken.objects.count()
    response = Api(short_lived)("post", "/tokens", {"name": "forever"})
    assert response.status_code == 403
    assert "cannot create tokens" in response.data["detail"]
    assert ApiToken.objects.count() == before


def test_an_admin_token_cannot_create_a_token_for_someone_else_either(admin_user, practitioner):
    response = Api(_token(admin_user))("post", "/tokens", {"name": "for the nurse", "user_id": practitioner.pk})
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=practitioner).exists()


def test_revoking_a_token_leaves_nothing_it_made_behind(receptionist):
    issued = create_token(Actor.system("test"), receptionist, "parent", expires_at=None, by=receptionist)
    Api(issued.secret)("post", "/tokens", {"name": "child"})
    revoke_token(Actor.system("test"), issued.token, by=receptionist)
    assert not ApiToken.objects.filter(user=receptionist, revoked_at__isnull=True).exists()


def test_a_signed_in_person_still_creates_tokens(receptionist):
    client = Client()
    client.force_login(receptionist)
    response = client.post("/api/v1/tokens", data='{"name": "lab import"}', content_type="application/json")
    assert response.status_code == 201


# --- finding 7: demo accounts' tokens outside a demo server ----------------------------------------


def test_a_demo_accounts_token_is_refused_outside_a_demo_server(receptionist, settings):
    receptionist.is_demo_account = True
    receptionist.save()
    secret = _token(receptionist)
    settings.ANAGEN_DEMO = False
    assert Api(secret)("get", "/patients").status_code == 401
    settings.ANAGEN_DEMO = True
    assert Api(secret)("get", "/patients").status_code == 200
