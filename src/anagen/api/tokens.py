"""Use cases of API tokens: create (the secret is returned once), revoke, authenticate.

A token looks like ``ang_<prefix>_<secret>``: the prefix (8 random characters) is stored in clear
to find the row and to let people tell their tokens apart; the secret (32 random bytes,
URL-safe base64) is stored only as its SHA-256 hash and compared in constant time.

Tokens cannot mint tokens (issue 19, finding 5): a token expiring in two minutes created a child
with no expiry that outlived its revocation. Only a signed-in person creates tokens, through the
web page or the API with the session, and only with a *recent* second factor: a code entered in
the last ``SECOND_FACTOR_MAX_AGE`` (at sign-in, or typed with the request). A token acts for its
owner without any second factor, so a session left open on a shared desk, or a person who never
set up an authenticator, must not be able to make one. Neither narrower children nor parent links
exist, so revoking a token never leaves a descendant behind.
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

from anagen.accounts import two_factor
from anagen.accounts.models import Role, User
from anagen.api.models import ApiToken
from anagen.audit import services as audit
from anagen.audit.services import Actor
from anagen.core.errors import InvalidInput

TOKEN_PREFIX = "ang"
SECRET_BYTES = 32
# last_used_at is written at most this often per token, so reads do not each cost a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# How long after entering a code a person may create tokens without typing another: long enough
# to set up a script after signing in, short enough that an unattended session cannot.
SECOND_FACTOR_MAX_AGE = dt.timedelta(minutes=15)


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


def _check_may_manage(by: User, owner: User) -> None:
    if not _may_manage(by, owner):
        raise PermissionDenied("Only the user or a clinic admin of their clinic may create their tokens.")


class TokenCannotMintTokens(PermissionDenied):
    pass


class TokenNeedsSecondFactor(PermissionDenied):
    """The person asking has no authenticator, so nothing can prove a recent second factor."""


def _check_recent_second_factor(by: User, *, code: str, second_factor_at: dt.datetime | None, now: dt.datetime) -> None:
    if two_factor.is_waived_for(by):
        return
    if not two_factor.has_two_factor(by):
        raise TokenNeedsSecondFactor(gettext("Creating an API token needs two-factor sign-in: set up an authenticator "
                                             "under Two-factor sign-in first."))
    if code.strip():
        verification = two_factor.verify_code(by, code)
        if verification.ok:
            return
        if verification.throttled_seconds:
            raise InvalidInput.single("code", gettext("Too many wrong codes: wait %(seconds)s seconds, then try the newest code.")
                                      % {"seconds": verification.throttled_seconds})
        raise InvalidInput.single("code", gettext("That code is not right. Try the newest code from your authenticator app."))
    if second_factor_at is None or now - second_factor_at > SECOND_FACTOR_MAX_AGE:
        raise InvalidInput.single("code", gettext("Enter the current code from your authenticator app: creating a token "
                                                  "needs a code entered in the last %(minutes)s minutes.")
                                  % {"minutes": int(SECOND_FACTOR_MAX_AGE.total_seconds() // 60)})


def create_token(actor: Actor, owner: User, name: str, *, expires_at: dt.datetime | None, by: User,
                 by_token: bool = False, code: str = "", second_factor_at: dt.datetime | None = None,
                 now: dt.datetime | None = None) -> IssuedToken:
    """A new token for ``owner`` (by the owner or their clinic's admin), asked for by a signed-in
    person with a recent second factor: ``code`` just typed, or ``second_factor_at`` (when their
    session last entered one) within ``SECOND_FACTOR_MAX_AGE``. ``by_token`` (the request came with
    a bearer token) is refused. The code is checked last, so a recovery code is not used up by a
    request that fails for a missing name."""
    if by_token:
        raise TokenCannotMintTokens(gettext("An API token cannot create tokens: sign in to Anagen and create it under "
                                            "API tokens."))
    _check_may_manage(by, owner)
    now = now or timezone.now()
    name = (name or "").strip()
    if not name:
        raise InvalidInput.single("name", gettext("Name the token, e.g. after the script that uses it."))
    if len(name) > 100:
        raise InvalidInput.single("name", gettext("Keep the name under 100 characters."))
    if expires_at is not None and expires_at <= now:
        raise InvalidInput.single("expires_at", gettext("The expiry must be in the future."))
    _check_recent_second_factor(by, code=code, second_factor_at=second_factor_at, now=now)
    return issue_token(actor, owner, name, expires_at=expires_at, by=by)


def issue_token(actor: Actor, owner: User, name: str, *, expires_at: dt.datetime | None, by: User) -> IssuedToken:
    """Make and record the token, for a caller that has already established who asks and how
    (``create_token`` for people; an operator's shell and the tests' fixtures)."""
    _check_may_manage(by, owner)
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
