"""The tokens router and the token page: issuing, using, refusing and revoking API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.utils import timezone

from anagen.api.models import ApiToken
from anagen.api.tokens import issue_token, revoke_token
from anagen.audit.services import Actor

from .conftest import Api

pytestmark = pytest.mark.django_db


def _issue(user, **kwargs):
    return issue_token(Actor.system("test"), user, "script", expires_at=kwargs.get("expires_at"), by=kwargs.get("by", user))


def test_it_stores_only_a_hash_of_the_secret(receptionist):
    issued = _issue(receptionist)
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret.startswith(f"ang_{row.prefix}_")
    assert row.secret_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in str(ApiToken.objects.filter(pk=row.pk).values().first())


def test_a_token_authenticates_and_records_its_last_use(receptionist):
    issued = _issue(receptionist)
    assert Api(issued.secret)("get", "/patients").status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None


@pytest.mark.parametrize("state", ["revoked", "expired", "wrong secret", "inactive user"])
def test_it_refuses_a_token_that_is_no_longer_good_with_401(state, receptionist):
    issued = _issue(receptionist)
    secret = issued.secret
    if state == "revoked":
        revoke_token(Actor.system("t"), issued.token, by=receptionist)
    elif state == "expired":
        ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif state == "wrong secret":
        secret = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")
    else:
        receptionist.is_active = False
        receptionist.save()
    assert Api(secret)("get", "/patients").status_code == 401


def test_only_the_user_or_their_clinic_admin_manages_a_token(receptionist, practitioner, admin_user, other_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _issue(receptionist, by=practitioner)
    with pytest.raises(PermissionDenied):
        _issue(receptionist, by=other_admin)
    token = _issue(receptionist, by=admin_user).token
    assert Api(_issue(practitioner).secret)("post", f"/tokens/{token.pk}/revoke").status_code == 404
    assert Api(_issue(admin_user).secret)("post", f"/tokens/{token.pk}/revoke").data["revoked_at"]


def test_a_token_created_through_the_api_is_shown_once(receptionist, signed_in_with_code):
    # Tokens are created with the signed-in session (a token cannot create tokens).
    session, _device = signed_in_with_code(receptionist)
    created = session.post("/api/v1/tokens", data='{"name": "export"}', content_type="application/json")
    assert created.status_code == 201 and created.json()["token"].startswith("ang_")
    api = Api(created.json()["token"])
    listed = api("get", "/tokens")
    assert all("token" not in row for row in listed.data)
    assert api("get", "/patients").status_code == 200
    past = session.post("/api/v1/tokens", data='{"name": "old", "expires_at": "2000-01-01T00:00:00Z"}', content_type="application/json")
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "expires_at"


def test_the_token_page_creates_a_token_shows_it_once_and_revokes_it(receptionist, signed_in_with_code):
    client, _device = signed_in_with_code(receptionist)
    page = client.post("/account/api-tokens/", {"name": "lab import", "expires_on": ""})
    assert page.status_code == 200
    secret = re.search(r'value="(ang_[^"]+)"', page.content.decode()).group(1)
    assert Api(secret)("get", "/patients").status_code == 200
    again = client.get("/account/api-tokens/").content.decode()
    assert secret not in again and "lab import" in again
    token = ApiToken.objects.get(name="lab import")
    client.post(f"/account/api-tokens/{token.pk}/revoke/")
    assert Api(secret)("get", "/patients").status_code == 401


def test_the_token_page_refuses_a_past_expiry_naming_the_field(receptionist, signed_in_with_code):
    client, _device = signed_in_with_code(receptionist)
    page = client.post("/account/api-tokens/", {"name": "x", "expires_on": "2000-01-01"})
    assert page.status_code == 400 and "cannot be in the past" in page.content.decode()
