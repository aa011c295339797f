"""Use cases for clinics and their staff: each in one transaction, each written to the audit trail.

Role and active-flag changes, passwords set by an admin, clinic details and new clinics are exactly
the changes an access review asks about, so they are audited like changes to a patient's record
(``object_type`` ``staff_account`` or ``clinic``; a password is recorded as changed, never stored).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from anagen.accounts.models import ALL_STAFF_ROLES, Clinic, Role, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.core.errors import InvalidInput, NotFound

STAFF_FIELDS = ("username", "first_name", "last_name", "email", "role")
"""What a new member of staff is created with (and the password)."""
STAFF_EDIT_FIELDS = ("first_name", "last_name", "email", "role", "is_active")
"""What an admin may change on a member's account."""
CLINIC_FIELDS = ("name", "city", "address", "phone", "email", "gstin", "mrn_prefix")


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
        raise InvalidInput.single("role", "You cannot remove your own admin role or deactivate yourself.")
    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=member.pk)
        before = {f: getattr(stored, f) for f in STAFF_EDIT_FIELDS}
        for field in STAFF_EDIT_FIELDS:
            setattr(stored, field, values[field])
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
