from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_it_signs_in_with_the_right_password(client, trichologist):
    response = client.post(reverse("login"), {"username": trichologist.username, "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_it_locks_an_account_after_five_wrong_passwords(client, trichologist):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": trichologist.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": trichologist.username, "password": "correct horse battery"})
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content


def test_it_refuses_a_demo_account_outside_demo_mode(client, trichologist):
    trichologist.is_demo_account = True
    trichologist.save()
    response = client.post(reverse("login"), {"username": trichologist.username, "password": "correct horse battery"})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session


@override_settings(ANAGEN_DEMO=True)
def test_it_lets_a_demo_account_in_on_a_demo_server(client, trichologist):
    trichologist.is_demo_account = True
    trichologist.save()
    response = client.post(reverse("login"), {"username": trichologist.username, "password": "correct horse battery"})
    assert response.status_code == 302


def test_sessions_expire_after_thirty_idle_minutes_renewed_once_a_minute(client, trichologist, monkeypatch):
    import time

    from django.contrib.sessions.models import Session

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    client.force_login(trichologist)
    client.get(reverse("session_ping"))
    key = client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    clock[0] += 30  # within the minute: the row is not written again
    client.get(reverse("session_ping"))
    assert Session.objects.get(pk=key).expire_date == first
    clock[0] += 31  # a minute on: the expiry moves 30 minutes past now
    client.get(reverse("session_ping"))
    renewed = Session.objects.get(pk=key).expire_date
    assert renewed > first
    assert 29 * 60 <= (renewed - timezone.now()).total_seconds() <= 30 * 60


def test_it_hashes_new_passwords_with_argon2(db):
    from django.contrib.auth.hashers import make_password

    with override_settings(PASSWORD_HASHERS=settings.PASSWORD_HASHERS[1:]):
        assert make_password("a password").startswith("argon2$")


def test_signing_out_needs_a_post(client, trichologist):
    client.force_login(trichologist)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
