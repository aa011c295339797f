"""Use cases for clinics and their staff."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from anagen.accounts.models import ALL_STAFF_ROLES, Clinic, User


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
