"""Use cases of API tokens: create (the secret is returned once), revoke, authenticate.

A token looks like ``ang_<prefix>_<secret>``: the prefix (8 random characters) is stored in clear
to find the row and to let people tell their tokens apart; the secret (32 random bytes,
URL-safe base64) is stored only as its SHA-256 hash and compared in constant time.

Tokens cannot mint tokens (issue 19, finding 5): a token expiring in two minutes created a child
with no expiry that outlived its revocation. Only a signed-in person creates tokens, through the
web page or the API with the session, after the second factor where they have one (the
two-factor middleware refuses an unverified session everywhere). Neither narrower children nor
parent links exist, so revoking a token never leaves a descendant behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from anagen.accounts.models import Role, User
from anagen.api.models import ApiToken
from anagen.audit import services as audit
from anagen.audit.services import Actor
from anagen.core.errors import InvalidInput

TOKEN_PREFIX = "ang"
SECRET_BYTES = 32
# last_used_at is written at most this often per token, so reads do not each cost a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the full bearer value; shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _may_manage(manager: User, owner: User) -> bool:
    if manager.pk == owner.pk:
        return True
    return manager.has_role(Role.CLINIC_ADMIN) and owner.clinic_id == manager.clinic_id


class TokenCannotMintTokens(PermissionDenied):
    pass


def create_token(actor: Actor, owner: User, name: str, *, expires_at: dt.datetime | None, by: User,
                 by_token: bool = False, now: dt.datetime | None = None) -> IssuedToken:
    """A new token for ``owner`` (by the owner or their clinic's admin), asked for by a signed-in
    person: ``by_token`` (the request came with a bearer token) is refused."""
    if by_token:
        raise TokenCannotMintTokens(gettext("An API token cannot create tokens: sign in to Anagen and create it under "
                                            "API tokens."))
    if not _may_manage(by, owner):
        raise PermissionDenied("Only the user or a clinic admin of their clinic may create their tokens.")
    now = now or timezone.now()
    name = (name or "").strip()
    if not name:
        raise InvalidInput.single("name", "Name the token, e.g. after the script that uses it.")
    if len(name) > 100:
        raise InvalidInput.single("name", "Keep the name under 100 characters.")
    if expires_at is not None and expires_at <= now:
        raise InvalidInput.single("expires_at", "The expiry must be in the future.")
    with transaction.atomic():
        prefix = secrets.token_hex(4)
        while ApiToken.objects.filter(prefix=prefix).exists():
            prefix = secrets.token_hex(4)
        secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        token = ApiToken.objects.create(
            user=owner, name=name, prefix=prefix, secret_hash=_hash(secret), expires_at=expires_at, created_by=by
        )
        audit.append(actor, "create", object_type="api_token", object_id=token.pk, patient_id=None,
                     changes={"user": {"old": None, "new": owner.username}, "name": {"old": None, "new": name},
                              "expires_at": {"old": None, "new": expires_at.isoformat() if expires_at else None}})
    return IssuedToken(token, secret)


def revoke_token(actor: Actor, token: ApiToken, *, by: User, now: dt.datetime | None = None) -> ApiToken:
    if not _may_manage(by, token.user):
        raise PermissionDenied("Only the user or a clinic admin of their clinic may revoke their tokens.")
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = now or timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit.append(actor, "update", object_type="api_token", object_id=locked.pk, patient_id=None,
                     changes={"revoked_at": {"old": None, "new": locked.revoked_at.isoformat()}})
    return locked


def tokens_visible_to(user: User) -> QuerySet[ApiToken]:
    """A user's own tokens; a clinic admin sees every token of their clinic's staff."""
    qs = ApiToken.objects.select_related("user")
    if user.has_role(Role.CLINIC_ADMIN):
        return qs.filter(user__clinic_id=user.clinic_id).order_by("-created_at", "-id")
    return qs.filter(user=user).order_by("-created_at", "-id")


def get_token(user: User, token_id: int) -> ApiToken:
    token = tokens_visible_to(user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token


def authenticate(bearer: str, *, now: dt.datetime | None = None) -> User | None:
    """The active staff user owning this bearer value, or None (unknown, revoked, expired)."""
    parts = (bearer or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or len(parts[1]) > 16:
        return None
    token = ApiToken.objects.select_related("user", "user__clinic").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(bearer.strip())):
        return None
    now = now or timezone.now()
    if not token.is_active_at(now) or not token.user.is_active or not token.user.is_clinic_staff:
        return None
    # Demo accounts share the password "demo" and their tokens may sit in a copied demo folder:
    # like their web sign-in (accounts.backends.StaffBackend), they work on a demo server only.
    if token.user.is_demo_account and not settings.ANAGEN_DEMO:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
