"""API tokens of the caller (a clinic admin: of the clinic's staff): list, create, revoke."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, ModelSchema, Router, Schema, Status

from anagen.accounts import two_factor
from anagen.accounts.services import staff_of
from anagen.api import auth, tokens
from anagen.api.common import Id, ModelOut, actor, clinic

router = Router(tags=["tokens"])


class TokenOut(ModelSchema, ModelOut):
    id: int
    user_id: int
    username: str

    class Meta:
        model = "api.ApiToken"
        fields = ["id", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]


class TokenCreatedOut(TokenOut):
    token: str


class TokenIn(Schema):
    name: str
    expires_at: dt.datetime | None = None
    user_id: Id | None = None
    code: str = Field("", description="A current code from your authenticator app (or a recovery code). Needed when "
                                      "this session last entered a code more than 15 minutes ago.")


def _out(token: Any) -> dict[str, Any]:
    data = {name: getattr(token, name) for name in TokenOut.model_fields if name != "username"}
    data["username"] = token.user.username
    return data


@router.get("/tokens", response=list[TokenOut], auth=auth.ANY_STAFF, summary="List API tokens")
def list_tokens(request: HttpRequest) -> Any:
    """Your tokens (a clinic admin sees every token of the clinic's staff), newest first."""
    return [_out(t) for t in tokens.tokens_visible_to(request.user)[:200]]  # type: ignore[arg-type]


@router.post("/tokens", response={201: TokenCreatedOut}, auth=auth.ANY_STAFF, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    """The ``token`` value is shown in this response only: store it now. A clinic admin may pass
    ``user_id`` to create a token for another member of the clinic's staff. Only with the signed-in
    session and a recent second factor (a code entered in the last 15 minutes, or ``code`` sent
    with this call; someone without an authenticator gets 403): a call with a bearer token gets 403,
    so no token can make one that outlives or outranks it."""
    owner = staff_of(clinic(request), payload.user_id) if payload.user_id is not None else request.user
    issued = tokens.create_token(actor(request), owner, payload.name, expires_at=payload.expires_at, by=request.user,  # type: ignore[arg-type]
                                 by_token=auth.by_token(request), code=payload.code,
                                 second_factor_at=two_factor.second_factor_at(request.session))
    if payload.code.strip():
        two_factor.remember_second_factor(request.session)
    return Status(201, {**_out(issued.token), "token": issued.secret})


@router.post("/tokens/{token_id}/revoke", response=TokenOut, auth=auth.ANY_STAFF, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    token = tokens.get_token(request.user, token_id)  # type: ignore[arg-type]
    return _out(tokens.revoke_token(actor(request), token, by=request.user))  # type: ignore[arg-type]
