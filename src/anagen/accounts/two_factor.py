"""Two-factor sign-in use cases: TOTP authenticators (django-otp) and single-use recovery codes.

Who must use it: the roles in ``settings.ANAGEN_TWO_FACTOR_REQUIRED_ROLES`` (clinic admins and
trichologists by default) must set up an authenticator before any page; everybody else may.
Seeded demo accounts are exempt on a demo server only (``settings.ANAGEN_DEMO``).

Wrong codes are limited twice over: each device doubles its wait after every wrong code
(django-otp's throttling, which survives signing in again), and each wrong code counts as a
failed sign-in for django-axes, so five in a row lock the account like five wrong passwords.
Every change (set up, recovery codes issued, reset) is written to the audit trail; codes and
secrets never are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from anagen.accounts.models import User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
_TOTP_PATTERN = re.compile(r"^\d{6}$")
# When this session last proved its second factor (a code entered at sign-in, at set-up or again
# for a sensitive step), as a Unix time: django-otp records which device verified the session,
# not when, and "recent" is what a sensitive step such as creating an API token needs.
SECOND_FACTOR_AT_SESSION_KEY = "anagen_second_factor_at"


class TwoFactorError(Exception):
    """A second-factor step that cannot go ahead; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a code: the device that accepted it, or why none did."""

    device: TOTPDevice | StaticDevice | None
    throttled_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.device is not None


# --- who needs what -----------------------------------------------------------------------


def is_waived_for(user: User) -> bool:
    """Seeded demo accounts on a demo server skip the second factor everywhere (and nowhere else)."""
    return bool(settings.ANAGEN_DEMO and getattr(user, "is_demo_account", False))


def is_required_for(user: User) -> bool:
    """Whether the user's role makes two-factor sign-in mandatory (demo accounts on demo servers excepted)."""
    if not user.is_authenticated:
        return False
    if is_waived_for(user):
        return False
    return bool(user.role) and user.role in settings.ANAGEN_TWO_FACTOR_REQUIRED_ROLES


def remember_second_factor(session: Any, *, at: dt.datetime | None = None) -> None:
    """Note in the session that its user has just entered a code that was accepted."""
    session[SECOND_FACTOR_AT_SESSION_KEY] = (at or timezone.now()).timestamp()


def second_factor_at(session: Any) -> dt.datetime | None:
    """When this session last entered an accepted code, or None if it never did."""
    seconds = session.get(SECOND_FACTOR_AT_SESSION_KEY) if session is not None else None
    if not isinstance(seconds, (int, float)):
        return None
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_two_factor(user: User) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- setting up ---------------------------------------------------------------------------


def pending_authenticator(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (made once, so a reload shows the same QR code)."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG QR code, drawn here (no outside service sees the secret)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code for your authenticator app", svgclass="qr-code", lineclass=None
    )


def manual_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps that cannot scan."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def confirm_authenticator(actor: Actor, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the pending authenticator with its first code; returns the new recovery codes."""
    code = _clean(code)
    if not _TOTP_PATTERN.match(code):
        raise TwoFactorError(gettext("Enter the 6-digit code your authenticator app shows."), "code")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not device.verify_token(code):
            raise TwoFactorError(gettext("That code is not right. Check the time on your phone and try the newest code."), "code")
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _issue_recovery_codes(user)
        audit.append(
            actor, Action.UPDATE, object_type="user_two_factor", object_id=user.pk, patient_id=None,
            changes={"two_factor": {"old": "off", "new": "on"}, "recovery_codes": {"old": None, "new": len(codes)}},
        )
    return codes


def regenerate_recovery_codes(actor: Actor, user: User) -> list[str]:
    """Replace every recovery code with new ones (shown once); the old ones stop working at once."""
    if not has_two_factor(user):
        raise TwoFactorError(gettext("Set up an authenticator app first."))
    with transaction.atomic():
        left = recovery_codes_left(user)
        codes = _issue_recovery_codes(user)
        audit.append(
            actor, Action.UPDATE, object_type="user_two_factor", object_id=user.pk, patient_id=None,
            changes={"recovery_codes": {"old": left, "new": len(codes)}},
        )
    return codes


def _issue_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < settings.ANAGEN_RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in codes])
    return codes


# --- signing in ---------------------------------------------------------------------------


def verify_code(user: User, code: str) -> Verification:
    """Check a 6-digit authenticator code, or a recovery code (used up by this call)."""
    code = _clean(code)
    if not code:
        return Verification(None)
    if _TOTP_PATTERN.match(code):
        model: type[TOTPDevice] | type[StaticDevice] = TOTPDevice
    else:
        model = StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("id").first()
        if device is None:
            return Verification(None)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return Verification(None, throttled_seconds=_seconds_until(info))
        if device.verify_token(code):
            return Verification(device)
    return Verification(None)


def _seconds_until(info: dict | None) -> int:
    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


# --- turning it off -----------------------------------------------------------------------


def reset_own(actor: Actor, user: User, password: str, code: str) -> None:
    """Remove one's own authenticator and recovery codes, proven by password and a current code."""
    if not user.check_password(password or ""):
        raise TwoFactorError(gettext("The password is not right."), "password")
    if not verify_code(user, code).ok:
        raise TwoFactorError(gettext("That code is not right (use a current authenticator code or a recovery code)."), "code")
    _remove_devices(actor, user, by_admin=False)


def admin_reset(actor: Actor, admin: User, member: User) -> None:
    """A clinic admin removes a staff member's authenticator (lost phone); they set it up again.
    Never one's own: that needs the password and a current code (``reset_own``)."""
    if member.clinic_id != admin.clinic_id or admin.clinic_id is None:
        raise TwoFactorError(gettext("This person is not on your clinic's staff."))
    if member.pk == admin.pk:
        raise TwoFactorError(gettext("Remove your own authenticator from your two-factor page, with your password and a current code."))
    _remove_devices(actor, member, by_admin=True)


def _remove_devices(actor: Actor, user: User, *, by_admin: bool) -> None:
    with transaction.atomic():
        had = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.append(
            actor, Action.UPDATE, object_type="user_two_factor", object_id=user.pk, patient_id=None,
            changes={
                "two_factor": {"old": "on" if had else "off", "new": "off"},
                "reset_by": {"old": None, "new": "clinic admin" if by_admin else "self"},
            },
        )
