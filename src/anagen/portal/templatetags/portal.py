"""``{% load portal %}{% portal_panel patient %}``: portal access on the staff patient page.

The patient page's own read is already audited by the patients view; the panel shows access
status and open requests only, so it adds no audit entry of its own.
"""

from __future__ import annotations

from typing import Any

from django import template

from anagen.accounts.models import Role
from anagen.portal import services

register = template.Library()

INVITER_ROLES = (Role.CLINIC_ADMIN, Role.TRICHOLOGIST, Role.RECEPTION)


@register.inclusion_tag("portal/_panel.html", takes_context=True)
def portal_panel(context: template.Context, patient: Any) -> dict[str, Any]:
    user = context.get("user")
    return {
        "patient": patient,
        "status": services.portal_status(patient),
        "can_invite": bool(user is not None and user.is_authenticated and user.has_role(*INVITER_ROLES)),
        "csrf_token": context.get("csrf_token"),
    }
