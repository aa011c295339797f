"""One error format for the whole API: RFC 9457 problem details (application/problem+json).

Every refusal is a JSON object with ``type``, ``title``, ``status`` and ``detail``; refusals of
input add ``errors``: a list of ``{"field", "message"}`` naming each bad field (dotted paths, e.g.
``measurements.density_per_cm2`` or ``components.0.volume_ml``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from anagen.core.errors import Conflict, FieldError, InvalidInput, NotFound, Refused, StaleWrite

logger = logging.getLogger("anagen.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://anagen.invalid/problems/"  # documented in docs/api.md; not dereferenceable

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Invalid input",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
}


class Problem(Exception):
    """Raise anywhere in an endpoint to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None, errors: Iterable[FieldError] = (),
                 extra: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None):
        self.status = status
        self.detail = detail
        self.kind = kind or TITLES.get(status, "error").lower().replace(" ", "-")
        self.errors = [e.as_dict() for e in errors]
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
        super().__init__(detail)


def invalid(errors: Iterable[FieldError], detail: str = "Some fields are invalid; see errors.") -> Problem:
    return Problem(422, detail, kind="invalid-input", errors=errors)


def from_invalid_input(exc: InvalidInput, prefix: str = "") -> Problem:
    return invalid(FieldError(f"{prefix}{e.field}" if e.field else prefix.rstrip(".") or "body", e.message) for e in exc.errors)


def form_errors(form: forms.BaseForm, prefix: str = "") -> list[FieldError]:
    """A Django form's errors as field errors (non-field errors under the prefix itself, or "body")."""
    out = []
    for name, messages in form.errors.items():
        field = f"{prefix}{name}" if name != forms.forms.NON_FIELD_ERRORS else (prefix.rstrip(".") or "body")
        out.extend(FieldError(field, str(m)) for m in messages)
    return out


# Where the services name a field other than the API's body does: the API takes ids, and the
# caller of the consent endpoint is the witness.
API_FIELD_NAMES = {"patient": "patient_id", "practitioner": "practitioner_id", "room": "room_id", "text": "text_id",
                   "witness": "body"}


def from_conflict(exc: Conflict) -> Problem:
    """A refusal of the record's state as a problem document: 409, its kind as the type. An app's
    ``Refused`` naming the input at fault is invalid input (422) instead."""
    if isinstance(exc, StaleWrite):
        return stale()
    if isinstance(exc, Refused) and exc.field:
        field = API_FIELD_NAMES.get(exc.field, exc.field)
        if exc.names_input:
            return invalid([FieldError(field, exc.message)])
        if exc.kind != Refused.kind:
            return Problem(409, exc.message, kind=exc.kind, errors=[FieldError(field, exc.message)], extra=exc.extra)
    # A core conflict's field is for the forms; the API names the record's state in the type.
    return Problem(409, exc.message, kind=exc.kind, extra=exc.extra)


def stale(detail: str = "The record changed since you read it: GET it again and re-apply your change with its new ETag.") -> Problem:
    return Problem(409, detail, kind="stale-write")


def render(request: HttpRequest, problem: Problem) -> HttpResponse:
    import json

    body: dict[str, Any] = {
        "type": TYPE_BASE + problem.kind,
        "title": TITLES.get(problem.status, "Error"),
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.path,
    }
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extra)
    response = HttpResponse(json.dumps(body, ensure_ascii=False, default=str), status=problem.status,
                            content_type=PROBLEM_CONTENT_TYPE)
    for key, value in problem.headers.items():
        response[key] = value
    return response


def _pydantic_field(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    # ninja puts the parameter source first ("body", "query", "path", "header"), then the
    # argument name; the field people know is what follows.
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        source = parts[0]
        parts = parts[1:]
        if source == "body" and len(parts) > 1:
            parts = parts[1:]
        elif source in {"query", "path", "header"} and len(parts) > 1 and parts[0] in {"filters", "params"}:
            parts = parts[1:]
    return ".".join(parts) or "body"


def install(api: Any) -> None:
    """Register the handlers: every error the API can raise becomes a problem document."""
    from django.core.exceptions import (
        PermissionDenied,
        RequestDataTooBig,
        TooManyFieldsSent,
        TooManyFilesSent,
    )
    from django.http import Http404
    from django.http.multipartparser import MultiPartParserError
    from ninja.errors import (
        AuthenticationError,
        AuthorizationError,
        HttpError,
        Throttled,
        ValidationError,
    )

    @api.exception_handler(Problem)
    def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
        return render(request, exc)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = []
        for error in exc.errors:
            message = str(error.get("msg", "Invalid value."))
            errors.append(FieldError(_pydantic_field(error.get("loc", ())), message))
        return render(request, invalid(errors))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return render(request, Problem(401, "Send a valid API token (Authorization: Bearer <token>) or sign in.",
                                       kind="not-authenticated", headers={"WWW-Authenticate": 'Bearer realm="anagen"'}))

    @api.exception_handler(AuthorizationError)
    def _unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
        return render(request, Problem(403, "Your role may not do this.", kind="forbidden"))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return render(request, Problem(403, str(exc) or "Your role may not do this.", kind="forbidden"))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return render(request, Problem(404, "No such record in your clinic.", kind="not-found"))

    @api.exception_handler(NotFound)
    def _no_such_record(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return _not_found(request, Http404())

    @api.exception_handler(InvalidInput)
    def _invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        return render(request, from_invalid_input(exc))

    @api.exception_handler(Conflict)
    def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        return render(request, from_conflict(exc))

    @api.exception_handler(Throttled)
    def _throttled(request: HttpRequest, exc: Exception) -> HttpResponse:
        return render(request, Problem(429, "Too many requests: slow down and retry after the Retry-After delay.",
                                       kind="rate-limited"))

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja wraps whatever the body parser raises in a bare 400 ("Cannot parse request body"):
        # the parser's own problem (a NUL or a surrogate naming its field, malformed JSON) says more.
        if isinstance(exc.__cause__, Problem):
            return render(request, exc.__cause__)
        status = exc.status_code
        kind = "csrf-failed" if status == 403 and "CSRF" in str(exc) else None
        detail = str(exc)
        if kind == "csrf-failed":
            detail = "CSRF check failed: send the X-CSRFToken header with session (cookie) requests."
        elif status == 400:
            detail = f"The request could not be read: {detail}"
        return render(request, Problem(status, detail, kind=kind))

    # Django refuses these while reading the body: the request is the client's fault, never a 500.
    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return render(request, Problem(413, f"The request body is larger than the limit of {limit // 1024} KiB (files sent as "
                                       "multipart/form-data count separately).", kind="content-too-large"))

    @api.exception_handler(TooManyFilesSent)
    def _too_many_files(request: HttpRequest, exc: Exception) -> HttpResponse:
        return render(request, Problem(413, "The request carries too many files.", kind="content-too-large"))

    @api.exception_handler(TooManyFieldsSent)
    def _too_many_fields(request: HttpRequest, exc: Exception) -> HttpResponse:
        return render(request, Problem(413, "The request carries too many form fields.", kind="content-too-large"))

    @api.exception_handler(MultiPartParserError)
    def _bad_multipart(request: HttpRequest, exc: Exception) -> HttpResponse:
        return render(request, Problem(400, "The multipart/form-data body could not be read: send it with its boundary "
                                       "(Content-Type: multipart/form-data; boundary=...).", kind="malformed-multipart"))

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return render(request, Problem(500, "Something went wrong on our side; it has been logged.", kind="internal-error"))
