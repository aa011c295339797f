"""One audit entry per page view naming every patient the page showed (issue 19, finding 13).

A page may gather several lists of patients (the home page's dashboard panels, a list and its
side panel): each list read is folded into one ``page_view`` entry written when the response is
ready, naming the page and every patient it showed. API calls are left out: each list endpoint
already writes one entry per call.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from anagen.audit.services import Actor, page_view


class AuditPageViewMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)
        with page_view(lambda: _page_name(request), lambda: Actor.from_request(request)):
            return self.get_response(request)


def _page_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else request.path[:50]
