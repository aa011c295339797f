from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend, UserModel
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from anagen.accounts.compiled import CompiledQuery

# Every signed-in request loads its user, the user's clinic (ClinicMiddleware scopes everything by
# it) and whether the user has a confirmed authenticator (TwoFactorMiddleware asks, for a session
# not yet verified by a code): one query, compiled once per connection (anagen.accounts.compiled).
SIGNED_IN_USER = CompiledQuery(
    lambda user_id: UserModel._default_manager.select_related("clinic")
    .annotate(has_confirmed_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    .filter(pk=user_id),
    UserModel._meta.pk,
)


class StaffBackend(ModelBackend):
    """Django's model backend, refusing demo accounts anywhere but on a demo server."""

    def user_can_authenticate(self, user) -> bool:  # type: ignore[no-untyped-def]
        if getattr(user, "is_demo_account", False) and not settings.ANAGEN_DEMO:
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id):  # type: ignore[no-untyped-def]
        """The signed-in user with their clinic and their second-factor flag, in one query."""
        user = SIGNED_IN_USER.first(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
