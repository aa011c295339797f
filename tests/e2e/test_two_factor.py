"""Two-factor sign-in in the browser: a clinic admin is made to set up an authenticator, keeps the
recovery codes, signs out, and signs in again with password and code (then with a recovery code)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _code(device, steps_ahead=0):
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def _password_step(page, username):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_sets_up_two_factor_and_signs_in_with_a_code_then_a_recovery_code(page, admin_user, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.ANAGEN_TWO_FACTOR_REQUIRED_ROLES = frozenset({"clinic_admin", "trichologist"})
    _password_step(page, admin_user.username)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator("svg.qr-code")).to_be_visible()
    key = page.locator("code.secret-key").inner_text()
    device = TOTPDevice.objects.get(user=admin_user)
    assert key.replace(" ", "") and len(key.replace(" ", "")) == 32
    page.get_by_label("6-digit code from the app").fill(_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_role("heading", name="Sign in")).not_to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()

    # Password, then the next code of the app (the one just used cannot be replayed). The device
    # is read again first: when the set-up code crossed a 30 s step, the server learned the app's
    # clock drift, and a code from the stale drift would fall outside its window.
    device.refresh_from_db()
    _password_step(page, admin_user.username)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill(_code(device, 1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Enter your code")).not_to_be_visible()
    expect(page.get_by_role("link", name="Staff")).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()

    # A lost phone: a recovery code works once.
    _password_step(page, admin_user.username)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("You signed in with a recovery code; 9 left.")).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()
    _password_step(page, admin_user.username)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
