from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class StaffBackend(ModelBackend):
    """Django's model backend, refusing demo accounts anywhere but on a demo server."""

    def user_can_authenticate(self, user) -> bool:  # type: ignore[no-untyped-def]
        if getattr(user, "is_demo_account", False) and not settings.ANAGEN_DEMO:
            return False
        return super().user_can_authenticate(user)
