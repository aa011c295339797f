from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend, UserModel


class StaffBackend(ModelBackend):
    """Django's model backend, refusing demo accounts anywhere but on a demo server."""

    def user_can_authenticate(self, user) -> bool:  # type: ignore[no-untyped-def]
        if getattr(user, "is_demo_account", False) and not settings.ANAGEN_DEMO:
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id):  # type: ignore[no-untyped-def]
        """The signed-in user with their clinic in the same query: every request needs both
        (``ClinicMiddleware`` scopes everything by the clinic)."""
        user = UserModel._default_manager.select_related("clinic").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
