"""Web pages of the API app: the token management page, and the docs page's packaged assets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ninja
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from anagen.accounts import two_factor
from anagen.accounts.permissions import staff_required
from anagen.api import tokens
from anagen.api.forms import TokenForm
from anagen.audit.services import Actor
from anagen.core.errors import InvalidInput
from anagen.ui.forms import add_errors_from

# Swagger UI as django-ninja packages it: served from the installed package, never a CDN.
NINJA_STATIC = Path(ninja.__file__).resolve().parent / "static" / "ninja"
DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}


@require_GET
def docs_asset(request: HttpRequest, name: str) -> HttpResponse:
    if name not in DOCS_ASSETS:
        raise Http404
    response = FileResponse(open(NINJA_STATIC / name, "rb"), content_type=DOCS_ASSETS[name])  # noqa: SIM115
    response["Cache-Control"] = "public, max-age=86400"
    return response


@staff_required()
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, manager=request.user)
    issued = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            expires_on: dt.date | None = form.cleaned_data["expires_on"]
            expires_at = (
                timezone.make_aware(dt.datetime.combine(expires_on, dt.time(23, 59, 59))) if expires_on else None
            )
            try:
                issued = tokens.create_token(
                    Actor.from_request(request), form.owner(), form.cleaned_data["name"],
                    expires_at=expires_at, by=request.user,  # type: ignore[arg-type]
                    code=form.cleaned_data["code"], second_factor_at=two_factor.second_factor_at(request.session),
                )
            except InvalidInput as exc:
                add_errors_from(form, exc, rename={"expires_at": "expires_on"})
                status = 400
            except tokens.TokenNeedsSecondFactor as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                if form.cleaned_data["code"].strip():
                    two_factor.remember_second_factor(request.session)
                form = TokenForm(manager=request.user)
        else:
            status = 400
    context = {
        "form": form,
        "issued": issued,
        # Without an authenticator nothing can prove a recent second factor: the page says so
        # instead of offering a form that would be refused.
        "needs_authenticator": not (two_factor.is_waived_for(request.user) or two_factor.has_two_factor(request.user)),  # type: ignore[arg-type]
        "tokens": tokens.tokens_visible_to(request.user)[:200],  # type: ignore[arg-type]
        "now": timezone.now(),
    }
    return render(request, "api/tokens.html", context, status=status)


@staff_required()
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = tokens.get_token(request.user, token_id)  # type: ignore[arg-type]
    tokens.revoke_token(Actor.from_request(request), token, by=request.user)  # type: ignore[arg-type]
    messages.success(request, gettext("Revoked the token “%(name)s” (%(prefix)s…). Programs using it are refused from now on.") % {
        "name": token.name, "prefix": token.prefix})
    return redirect("api_tokens:list")
