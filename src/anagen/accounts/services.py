"""Use cases for clinics and their staff.

Who may change a password or a second factor (issue 19, finding 4): one's own only with the
current password and a current code (a signed-in session, never an API token); another person's
only as a clinic admin of their clinic, audited, and the person is told by email.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from anagen.accounts import two_factor
from anagen.accounts.models import ALL_STAFF_ROLES, Clinic, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor

logger = logging.getLogger("anagen.accounts")


class AccountError(Exception):
    """A change to an account that cannot go ahead; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def create_staff(clinic: Clinic, values: dict[str, Any], password: str) -> User:
    with transaction.atomic():
        user = User(clinic=clinic, **values)
        user.set_password(password)
        user.save()
    return user


def staff_of(clinic: Clinic, user_id: int) -> User:
    """A member of this clinic's staff; another clinic's users do not exist from here (404)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(User, pk=user_id, clinic=clinic, role__in=ALL_STAFF_ROLES)


def own_account_refusal() -> AccountError:
    return AccountError(_("Change your own password or two-factor sign-in from your account pages, with your current "
                          "password and a current code."))


def notify_account_change(member: User, by: User, what: str) -> bool:
    """Tell a person by email that someone else changed how they sign in (True when sent).

    The message names who and when, never a password or a code. Without an address nothing is
    sent; a mail-server failure is logged (by user id) and does not undo the change."""
    if not member.email:
        return False
    when = dateformat.format(timezone.localtime(), "j M Y H:i")
    body = _("Hello %(name)s,\n\n%(admin)s, a clinic admin of %(clinic)s, %(what)s on %(when)s.\n\n"
             "If you did not ask for this, tell your clinic at once.\n") % {
        "name": member.get_full_name() or member.username, "admin": by.get_full_name() or by.username,
        "clinic": member.clinic.name if member.clinic else "Anagen", "what": what, "when": when}
    try:
        send_mail(_("Your sign-in was changed by a clinic admin"), body, None, [member.email])
    except Exception:  # noqa: BLE001 - the change is done and audited; the mail is a courtesy
        logger.warning("could not send the account-change notice to user %s", member.pk)
        return False
    return True


def set_member_password(actor: Actor, admin: User, member: User, new_password: str) -> None:
    """A clinic admin gives a member of their staff a new password (never their own: see
    ``change_own_password``). Audited (without the password) and the member is told."""
    if member.pk == admin.pk:
        raise own_account_refusal()
    if member.clinic_id != admin.clinic_id or not admin.has_role("clinic_admin"):
        raise AccountError(_("This person is not on your clinic's staff."))
    with transaction.atomic():
        member.set_password(new_password)
        member.save(update_fields=["password"])
        audit.append(actor, Action.UPDATE, object_type="user_password", object_id=member.pk, patient_id=None,
                     changes={"password": {"old": None, "new": "set by a clinic admin"}})
    notify_account_change(member, admin, _("set a new password for your account"))


def reset_member_two_factor(actor: Actor, admin: User, member: User) -> None:
    """A clinic admin removes a member's authenticator (lost phone): audited, and the member is told."""
    if member.pk == admin.pk:
        raise own_account_refusal()
    try:
        two_factor.admin_reset(actor, admin, member)
    except two_factor.TwoFactorError as exc:
        raise AccountError(exc.message) from exc
    notify_account_change(member, admin, _("reset your two-factor sign-in (you set it up again at your next sign-in)"))


def change_own_password(actor: Actor, user: User, current_password: str, code: str, new_password: str) -> None:
    """One's own new password: proven by the current password and, with two-factor on, a current code."""
    if not user.check_password(current_password or ""):
        raise AccountError(_("The password is not right."), "current_password")
    if two_factor.has_two_factor(user) and not two_factor.verify_code(user, code).ok:
        raise AccountError(_("That code is not right (use a current authenticator code or a recovery code)."), "code")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages), "new_password1") from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.append(actor, Action.UPDATE, object_type="user_password", object_id=user.pk, patient_id=None,
                     changes={"password": {"old": None, "new": "changed by its owner"}})
