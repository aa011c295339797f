"""The REST API at /api/v1/: one NinjaAPI, its routers, its error format and its OpenAPI document."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from anagen.api import auth, problems
from anagen.api.parser import StrictJsonParser
from anagen.api.routers import (
    billing,
    consents,
    consultations,
    downloads,
    interop,
    outcomes,
    patients,
    photos,
    portal,
    procedures,
    reminders,
    safety,
    scheduling,
    settings,
    staff,
    stock,
    tokens,
    treatments,
)

DESCRIPTION = """The Anagen practice system over HTTP: the same use cases, roles and clinic scoping
as the web pages. Authenticate with `Authorization: Bearer <token>` (create tokens under
*API tokens* in the web app) or, from the web app's own pages, with the session cookie and the
`X-CSRFToken` header. Errors are RFC 9457 problem details (`application/problem+json`). Lists are
paginated with `page` and `page_size` (at most 100). Updates need `If-Match` with the record's
ETag; a stale write gets 409. See docs/api.md."""

PROBLEM_RESPONSES = {
    "400": "The request could not be read (e.g. malformed JSON).",
    "401": "No valid token or session.",
    "403": "Your role may not do this, or the CSRF check failed.",
    "404": "No such record in your clinic.",
    "409": "Conflict: a stale write, a taken slot, a signed record, a duplicate, or a state that does not allow this.",
    "413": "The request body is larger than the limit.",
    "422": "Invalid input: `errors` names each field.",
    "428": "If-Match is required on this update.",
    "429": "Too many requests: retry after the Retry-After delay.",
}


class ProblemDocs(DocsBase):
    """Swagger UI from ninja's packaged files, served by our own view: no CDN, no inline script."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        from django.shortcuts import render

        context = {"openapi_url": self.get_openapi_url(api, kwargs), "api": api,
                   "asset_base": reverse("api-docs-asset", kwargs={"name": "x"})[:-1]}
        return render(request, "api/docs.html", context)


class AnagenAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = {
            "type": "object",
            "title": "Problem",
            "description": "RFC 9457 problem details.",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "errors": {"type": "array", "items": {
                    "type": "object", "required": ["field", "message"],
                    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                }},
            },
        }
        ref = {"$ref": "#/components/schemas/Problem"}
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                for status, text in PROBLEM_RESPONSES.items():
                    operation["responses"].setdefault(status, {
                        "description": text, "content": {problems.PROBLEM_CONTENT_TYPE: {"schema": ref}},
                    })
        return schema


api = AnagenAPI(
    title="Anagen API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=ProblemDocs(),
    docs_decorator=auth.docs_access,
    throttle=[auth.UserRateThrottle()],
    parser=StrictJsonParser(),
)
problems.install(api)

for module in (patients, consents, consultations, treatments, scheduling, procedures, stock, safety, photos, outcomes,
               interop, billing, reminders, tokens, downloads, portal, settings, staff):
    api.add_router("", module.router)
