"""Use cases for clinics and their staff: each in one transaction, each written to the audit trail.

Role and active-flag changes, passwords set by an admin, clinic details and new clinics are exactly
the changes an access review asks about, so they are audited like changes to a patient's record
(``object_type`` ``staff_account`` or ``clinic``; a password is recorded as changed, never stored).

Who may change a password or a second factor (issue 19, finding 4): one's own only with the
current password and a current code (a signed-in session, never an API token); another person's
only as a clinic admin of their clinic, audited, and the person is told by email.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from anagen.accounts import two_factor
from anagen.accounts.models import (
    ALL_STAFF_ROLES,
    Clinic,
    ClinicClosure,
    ClinicProtocol,
    Language,
    Role,
    User,
)
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.core import display
from anagen.core.errors import Duplicate, FieldError, InvalidInput, NotFound, Refused

logger = logging.getLogger("anagen.accounts")

STAFF_FIELDS = ("username", "first_name", "last_name", "email", "role", "language")
"""What a new member of staff is created with (and the password)."""
STAFF_EDIT_FIELDS = ("first_name", "last_name", "email", "role", "is_active", "language")
"""What an admin may change on a member's account."""
CLINIC_FIELDS = ("name", "city", "address", "phone", "email", "gstin", "mrn_prefix", "language")


class AccountError(Refused):
    """A change to an account that cannot go ahead; ``field`` names the input at fault."""


def _in_clinic(actor: Actor, clinic: Clinic) -> Actor:
    """The actor, with the clinic the change belongs to when they have none (the deployment's
    superuser adding a clinic or its first admin): the entry then shows in that clinic's trail."""
    if actor.clinic_id is not None:
        return actor
    return Actor(actor.user_id, actor.username, clinic.pk, actor.ip_address)


def create_staff(actor: Actor, clinic: Clinic, values: dict[str, Any], password: str) -> User:
    with transaction.atomic():
        user = User(clinic=clinic, **{f: values[f] for f in STAFF_FIELDS if f in values})
        user.set_password(password)
        user.save()
        audit.append(_in_clinic(actor, clinic), Action.CREATE, object_type="staff_account", object_id=user.pk, patient_id=None,
                     changes=audit.snapshot_created({"clinic_id": clinic.pk, **{f: getattr(user, f) for f in STAFF_FIELDS}}))
    return user


def with_two_factor(members: list[User]) -> list[User]:
    """The members, each with ``two_factor_on``: whether their authenticator is set up (one query)."""
    on = set(TOTPDevice.objects.filter(user__in=members, confirmed=True).values_list("user_id", flat=True))
    for member in members:
        member.two_factor_on = member.pk in on  # type: ignore[attr-defined]
    return members


def _staff(clinic: Clinic) -> Any:
    return User.objects.filter(clinic=clinic, role__in=ALL_STAFF_ROLES).order_by("-is_active", "last_name", "first_name", "id")


def staff_members(clinic: Clinic) -> list[User]:
    """The whole staff, active members first, then by name, with ``two_factor_on`` (the staff page)."""
    return with_two_factor(list(_staff(clinic)))


def list_staff(clinic: Clinic, *, page: int = 1, page_size: int = 25) -> Page[User]:
    """One page of ``staff_members``. Staff are not patients: the list is not audited as a read."""
    found = page_of_query(_staff(clinic), page, page_size)
    with_two_factor(found.items)
    return found


def staff_of(clinic: Clinic | None, user_id: int) -> User:
    """A member of this clinic's staff; another clinic's users do not exist from here (404)."""
    member = User.objects.filter(pk=user_id, clinic=clinic, role__in=ALL_STAFF_ROLES).first() if clinic is not None else None
    if member is None:
        raise NotFound
    return member


def update_staff(actor: Actor, member: User, values: dict[str, Any], *, by: User) -> User:
    """Change a member's name, email, role or active flag. An admin cannot remove their own admin
    role or deactivate themself: the clinic would be left to lock itself out."""
    if member.pk == by.pk and (values["role"] != Role.CLINIC_ADMIN or not values["is_active"]):
        raise InvalidInput.single("role", _("You cannot remove your own admin role or deactivate yourself."))
    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=member.pk)
        before = {f: getattr(stored, f) for f in STAFF_EDIT_FIELDS}
        for field in STAFF_EDIT_FIELDS:
            setattr(stored, field, values.get(field, getattr(stored, field)))
        stored.save(update_fields=list(STAFF_EDIT_FIELDS))
        changes = audit.diff(before, {f: getattr(stored, f) for f in STAFF_EDIT_FIELDS})
        if changes:
            audit.append(actor, Action.UPDATE, object_type="staff_account", object_id=stored.pk, patient_id=None, changes=changes)
    for field in STAFF_EDIT_FIELDS:
        setattr(member, field, getattr(stored, field))
    return member


def set_password(actor: Actor, member: User, password: str) -> User:
    """A new password chosen by an admin (already checked by the password rules). The member's
    other sessions end at their next request: Django ties a session to the password's hash."""
    with transaction.atomic():
        member.set_password(password)
        member.save(update_fields=["password"])
        audit.append(actor, Action.UPDATE, object_type="staff_account", object_id=member.pk, patient_id=None,
                     changes={"password": {"old": None, "new": "set by an admin"}})
    return member


def create_clinic(actor: Actor, values: dict[str, Any]) -> Clinic:
    with transaction.atomic():
        clinic = Clinic.objects.create(**{f: values[f] for f in CLINIC_FIELDS if f in values})
        audit.append(_in_clinic(actor, clinic), Action.CREATE,
                     object_type="clinic", object_id=clinic.pk, patient_id=None,
                     changes=audit.snapshot_created({f: getattr(clinic, f) for f in CLINIC_FIELDS}))
    return clinic


def update_clinic(actor: Actor, clinic: Clinic, values: dict[str, Any]) -> Clinic:
    """The clinic's details (name, address, phone, email, GSTIN, record-number prefix)."""
    with transaction.atomic():
        stored = Clinic.objects.select_for_update().get(pk=clinic.pk)
        before = {f: getattr(stored, f) for f in CLINIC_FIELDS}
        for field in CLINIC_FIELDS:
            if field in values:
                setattr(stored, field, values[field])
        stored.save(update_fields=[f for f in CLINIC_FIELDS if f in values])
        changes = audit.diff(before, {f: getattr(stored, f) for f in CLINIC_FIELDS})
        if changes:
            audit.append(actor, Action.UPDATE, object_type="clinic", object_id=stored.pk, patient_id=None, changes=changes)
    for field in CLINIC_FIELDS:
        setattr(clinic, field, getattr(stored, field))
    return clinic


# --- opening days and hours, closures (issue 20: the clinic set up from its own pages) ----------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def save_opening_hours(actor: Actor, clinic: Clinic, *, open_weekdays: list[str], opens_at: dt.time, closes_at: dt.time,
                       self_service_notice_hours: int | None = None) -> ClinicProtocol:
    """The weekdays the clinic opens and its hours on them; free times and course dates follow.
    ``self_service_notice_hours`` (None: unchanged): how long before a course session patients may
    still move or cancel it in the portal (anagen.core.protocol.Protocol says why 24 h by default)."""
    days = [day for day in WEEKDAYS if day in set(open_weekdays)]
    errors = []
    if not days:
        errors.append(FieldError("open_weekdays", _("Tick at least one day the clinic is open.")))
    if len(days) != len(set(open_weekdays)):
        errors.append(FieldError("open_weekdays", _("Choose days from Monday to Sunday.")))
    if opens_at >= closes_at:
        errors.append(FieldError("closes_at", _("The clinic must close after it opens (%(time)s).") % {"time": display.clock(opens_at)}))
    if self_service_notice_hours is not None and not 0 <= self_service_notice_hours <= 336:
        errors.append(FieldError("self_service_notice_hours", _("Give 0 to 336 hours (two weeks).")))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        stored = ClinicProtocol.objects.select_for_update().filter(clinic=clinic).first() or ClinicProtocol(clinic=clinic)
        before = {"open_weekdays": ", ".join(stored.open_weekdays), "opens_at": f"{stored.opens_at:%H:%M}",
                  "closes_at": f"{stored.closes_at:%H:%M}", "self_service_notice_hours": stored.self_service_notice_hours} if stored.pk else {}
        stored.open_weekdays, stored.opens_at, stored.closes_at = days, opens_at, closes_at
        if self_service_notice_hours is not None:
            stored.self_service_notice_hours = self_service_notice_hours
        stored.save()
        audit.append(actor, Action.UPDATE if before else Action.CREATE, object_type="clinic_hours", object_id=clinic.pk, patient_id=None,
                     changes=audit.diff(before, {"open_weekdays": ", ".join(days), "opens_at": f"{opens_at:%H:%M}",
                                                 "closes_at": f"{closes_at:%H:%M}",
                                                 "self_service_notice_hours": stored.self_service_notice_hours}))
    return stored


def add_closure(actor: Actor, clinic: Clinic, *, day: dt.date, reason: str, today: dt.date) -> ClinicClosure:
    """A day the clinic is closed (a holiday): no free times are offered and courses skip it."""
    reason = reason.strip()
    if day < today:
        raise InvalidInput.single("date", _("Choose today or a later date (%(day)s or after).") % {"day": display.day(today)})
    if len(reason) > 200:
        raise InvalidInput.single("reason", _("At most 200 characters."))
    with transaction.atomic():
        if ClinicClosure.objects.filter(clinic=clinic, date=day).exists():
            raise Duplicate(_("The clinic is already closed on %(day)s.") % {"day": display.day(day)}, field="date")
        try:
            with transaction.atomic():
                closure = ClinicClosure.objects.create(clinic=clinic, date=day, reason=reason)
        except IntegrityError as exc:
            raise Duplicate(_("The clinic is already closed on %(day)s.") % {"day": display.day(day)}, field="date") from exc
        audit.append(actor, Action.CREATE, object_type="clinic_closure", object_id=closure.pk, patient_id=None,
                     changes=audit.snapshot_created({"date": day.isoformat(), "reason": reason}))
    return closure


def remove_closure(actor: Actor, clinic: Clinic, closure_id: int) -> None:
    with transaction.atomic():
        closure = ClinicClosure.objects.select_for_update().filter(pk=closure_id, clinic=clinic).first()
        if closure is None:
            raise NotFound
        audit.append(actor, Action.DELETE, object_type="clinic_closure", object_id=closure.pk, patient_id=None,
                      changes={"date": {"old": closure.date.isoformat(), "new": None}, "reason": {"old": closure.reason, "new": None}})
        closure.delete()


def upcoming_closures(clinic: Clinic, today: dt.date) -> list[ClinicClosure]:
    return list(ClinicClosure.objects.filter(clinic=clinic, date__gte=today).order_by("date"))


def own_account_refusal() -> AccountError:
    return AccountError(_("Change your own password or two-factor sign-in from your account pages, with your current "
                          "password and a current code."))


def notify_account_change(member: User, by: User, what: str) -> bool:
    """Tell a person by email that someone else changed how they sign in (True when sent).

    The message names who and when, never a password or a code. Without an address nothing is
    sent; a mail-server failure is logged (by user id) and does not undo the change."""
    if not member.email:
        return False
    when = display.moment(timezone.localtime())
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
    set_password(actor, member, new_password)
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
        audit.append(actor, Action.UPDATE, object_type="staff_account", object_id=user.pk, patient_id=None,
                     changes={"password": {"old": None, "new": "changed by its owner"}})


def set_own_language(actor: Actor, member: User, language: str) -> User:
    """A member of staff chooses the language of their own pages; "" goes back to the clinic's."""
    if language and language not in Language.values:
        raise InvalidInput.single("language", _("Choose one of %(languages)s.") % {"languages": ", ".join(Language.values)})
    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=member.pk)
        changes = audit.diff({"language": stored.language}, {"language": language})
        if changes:
            stored.language = language
            stored.save(update_fields=["language"])
            audit.append(actor, Action.UPDATE, object_type="staff_account", object_id=stored.pk, patient_id=None, changes=changes)
    member.language = language
    return member
