"""The web's half of the error vocabulary (``anagen.core.errors``): a service's ``NotFound`` is the
404 page, exactly as a missing URL is. (The API maps the same errors in ``anagen.api.problems``.)"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from anagen.core.errors import NotFound


class NotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            # Raised again as Http404, Django renders its 404 page (404.html) as for any unknown URL.
            raise Http404(str(exception)) from exception
