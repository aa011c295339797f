"""Password reset by email: a link that works once, for one hour, and no hint whether an address exists."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from unittest import mock

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.urls import reverse

RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "a brand new passphrase 42"


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_reset_links_expire_after_one_hour():
    assert settings.PASSWORD_RESET_TIMEOUT == 3600


def test_the_login_page_links_to_the_password_reset(client):
    assert RESET in client.get(reverse("login")).content.decode()


def test_it_emails_a_link_that_sets_a_new_password(client, trichologist):
    trichologist.email = "doctor@lotus.example"
    trichologist.save()
    response = client.post(RESET, {"email": "Doctor@Lotus.example"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["doctor@lotus.example"]
    assert message.subject == "Reset your Anagen password"
    link = _link(message)
    response = client.get(link, follow=True)
    assert "Set a new password" in response.content.decode()
    set_url = response.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_complete")
    trichologist.refresh_from_db()
    assert trichologist.check_password(NEW_PASSWORD)
    # The link works once.
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_it_answers_an_unknown_address_exactly_like_a_known_one(client, trichologist):
    trichologist.email = "doctor@lotus.example"
    trichologist.save()
    known = client.post(RESET, {"email": "doctor@lotus.example"})
    unknown = client.post(RESET, {"email": "nobody@lotus.example"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1
    done = client.get(unknown["Location"]).content.decode()
    assert "If the address belongs to an Anagen account" in done


def test_a_link_older_than_an_hour_no_longer_works(client, trichologist):
    trichologist.email = "doctor@lotus.example"
    trichologist.save()
    client.post(RESET, {"email": "doctor@lotus.example"})
    link = _link(mail.outbox[0])
    later = datetime.now() + timedelta(hours=1, minutes=1)
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        response = client.get(link, follow=True)
    assert "This link no longer works" in response.content.decode()
    trichologist.refresh_from_db()
    assert trichologist.check_password("correct horse battery")


def test_a_new_password_is_checked_by_the_password_rules(client, trichologist):
    trichologist.email = "doctor@lotus.example"
    trichologist.save()
    client.post(RESET, {"email": "doctor@lotus.example"})
    response = client.get(_link(mail.outbox[0]), follow=True)
    set_url = response.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    trichologist.refresh_from_db()
    assert trichologist.check_password("correct horse battery")


def test_the_reset_does_not_skip_the_code_step(client, trichologist, authenticator):
    trichologist.email = "doctor@lotus.example"
    trichologist.save()
    authenticator(trichologist)
    client.post(RESET, {"email": "doctor@lotus.example"})
    response = client.get(_link(mail.outbox[0]), follow=True)
    client.post(response.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.post(reverse("login"), {"username": trichologist.username, "password": NEW_PASSWORD})
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:two_factor_verify"))
