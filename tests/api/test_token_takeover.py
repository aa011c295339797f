"""What a stolen API token can no longer do (issue 19, findings 4, 5 and 7): take over its own
account, mint tokens that outlive it, or work at all when it belongs to a demo account."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.security.conftest import totp_code, wrong_totp_code

from anagen.accounts.two_factor import SECOND_FACTOR_AT_SESSION_KEY
from anagen.api.models import ApiToken
from anagen.api.tokens import issue_token, revoke_token
from anagen.audit.models import AuditEntry
from anagen.audit.services import Actor

from .conftest import Api

pytestmark = pytest.mark.django_db


def _token(user, **kwargs) -> str:
    return issue_token(Actor.system("test"), user, "script", expires_at=kwargs.get("expires_at"), by=user).secret


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
    issued = issue_token(Actor.system("test"), receptionist, "parent", expires_at=None, by=receptionist)
    Api(issued.secret)("post", "/tokens", {"name": "child"})
    revoke_token(Actor.system("test"), issued.token, by=receptionist)
    assert not ApiToken.objects.filter(user=receptionist, revoked_at__isnull=True).exists()


def _post_token(client: Client, body: dict) -> object:
    return client.post("/api/v1/tokens", data=json.dumps(body), content_type="application/json")


def _age_second_factor(client: Client, minutes: int) -> None:
    session = client.session
    session[SECOND_FACTOR_AT_SESSION_KEY] = (timezone.now() - dt.timedelta(minutes=minutes)).timestamp()
    session.save()


def test_a_person_who_entered_a_code_at_sign_in_creates_a_token(receptionist, signed_in_with_code):
    client, _device = signed_in_with_code(receptionist)
    response = _post_token(client, {"name": "lab import"})
    assert response.status_code == 201 and response.json()["token"].startswith("ang_")


def test_a_session_whose_code_is_older_than_15_minutes_must_enter_a_new_one(receptionist, signed_in_with_code):
    client, device = signed_in_with_code(receptionist)
    _age_second_factor(client, minutes=16)
    refused = _post_token(client, {"name": "lab import"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "code"
    assert not ApiToken.objects.filter(user=receptionist).exists()
    accepted = _post_token(client, {"name": "lab import", "code": totp_code(device, steps_ahead=1)})
    assert accepted.status_code == 201
    # The code just entered counts as the session's recent second factor for the next one.
    assert _post_token(client, {"name": "second script"}).status_code == 201


def test_a_wrong_code_is_refused_naming_the_field_and_makes_nothing(receptionist, signed_in_with_code):
    client, device = signed_in_with_code(receptionist)
    _age_second_factor(client, minutes=60)
    response = _post_token(client, {"name": "lab import", "code": wrong_totp_code(device)})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "code"
    assert not ApiToken.objects.filter(user=receptionist).exists()


def test_a_person_without_an_authenticator_cannot_create_a_token(receptionist):
    """A session that never entered a code (no authenticator: two-factor is optional for the role)
    was enough before: anyone at an unattended desk could mint a token that outlives the session."""
    client = Client()
    client.force_login(receptionist)
    response = _post_token(client, {"name": "lab import"})
    assert response.status_code == 403 and "two-factor" in response.json()["detail"]
    page = client.get(reverse("api_tokens:list")).content.decode()
    assert "Set up an authenticator app" in page and 'name="name"' not in page
    posted = client.post(reverse("api_tokens:list"), {"name": "lab import", "expires_on": ""})
    assert posted.status_code == 403 and "needs two-factor sign-in" in posted.content.decode()
    assert not ApiToken.objects.filter(user=receptionist).exists()


def test_the_token_page_asks_for_a_code_when_the_last_one_is_old(receptionist, signed_in_with_code):
    client, device = signed_in_with_code(receptionist)
    _age_second_factor(client, minutes=20)
    refused = client.post(reverse("api_tokens:list"), {"name": "lab import", "expires_on": ""})
    assert refused.status_code == 400 and "code entered in the last 15 minutes" in refused.content.decode()
    accepted = client.post(reverse("api_tokens:list"), {"name": "lab import", "expires_on": "", "code": totp_code(device, steps_ahead=1)})
    assert accepted.status_code == 200 and 'value="ang_' in accepted.content.decode()


def test_a_demo_account_on_a_demo_server_creates_tokens_without_a_code(receptionist, settings):
    settings.ANAGEN_DEMO = True
    receptionist.is_demo_account = True
    receptionist.save()
    client = Client()
    client.force_login(receptionist)
    assert _post_token(client, {"name": "demo script"}).status_code == 201


# --- finding 7: demo accounts' tokens outside a demo server ----------------------------------------


def test_a_demo_accounts_token_is_refused_outside_a_demo_server(receptionist, settings):
    receptionist.is_demo_account = True
    receptionist.save()
    secret = _token(receptionist)
    settings.ANAGEN_DEMO = False
    assert Api(secret)("get", "/patients").status_code == 401
    settings.ANAGEN_DEMO = True
    assert Api(secret)("get", "/patients").status_code == 200
