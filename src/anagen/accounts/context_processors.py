from __future__ import annotations

from django.http import HttpRequest

from anagen.accounts.models import Role


def staff(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_clinic": getattr(request, "clinic", None),
        "is_clinic_admin": user.has_role(Role.CLINIC_ADMIN),
        "sees_clinical_content": user.sees_clinical_content,
    }
