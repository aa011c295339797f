"""Bearer secrets never reach a log line (issue 19, finding 2).

Three kinds of URL carry a secret in their path: a calendar feed (``/interop/feeds/<token>.ics``;
calendar apps need the token in the URL), a portal invitation (``/portal/welcome/<token>/``, which
is exchanged for a session claim on first opening) and a password-reset link
(``/admin-area/password-reset/<uid>/<token>/``, which Django exchanges for a session and
redirects to ``.../set-password/``); a reminder's opt-out link (``/reminders/stop/<token>/``)
and a recall's booking link (``/portal/recall/<token>/``) too. Gunicorn's access and error logs go through
``MaskingLogger`` and Django's log records through ``MaskTokensFilter``: the secret part of those
paths becomes ``[token]`` and query strings are dropped (they may hold search words). The
operator guide gives the same masking for nginx (a ``map``), tested against these patterns.

Plain Python and gunicorn only: the gunicorn master loads this before Django is set up.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn import glogging

MASK = "[token]"
_SEGMENT = r"[^/?#\s\"']+"
# (pattern, replacement): the secret is the part between the two kept groups.
TOKEN_PATHS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(/interop/feeds/){_SEGMENT}?(\.ics)"), rf"\1{MASK}\2"),
    (re.compile(rf"(/portal/welcome/){_SEGMENT}(/)"), rf"\1{MASK}\2"),
    (re.compile(rf"(/admin-area/password-reset/{_SEGMENT}/)(?!set-password/){_SEGMENT}(/)"), rf"\1{MASK}\2"),
    (re.compile(rf"(/reminders/stop/){_SEGMENT}(/)"), rf"\1{MASK}\2"),
    (re.compile(rf"(/portal/recall/){_SEGMENT}(/)"), rf"\1{MASK}\2"),
)
_QUERY = re.compile(r"\?[^\s\"']*")


def mask_tokens(text: str) -> str:
    for pattern, replacement in TOKEN_PATHS:
        text = pattern.sub(replacement, text)
    return text


def mask_url(text: str) -> str:
    """A path or URL as it may be logged: secrets masked, the query string dropped."""
    return mask_tokens(_QUERY.sub("", text))


def _masked_arg(value: Any) -> Any:
    if isinstance(value, str):
        return mask_url(value) if value.startswith(("/", "http://", "https://")) else mask_tokens(value)
    return value


class MaskTokensFilter(logging.Filter):
    """Masks secrets in a record's message and its arguments (paths lose their query strings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            # In place: gunicorn's access atoms are a dict subclass answering "-" for unknown keys.
            for key, value in list(record.args.items()):
                record.args[key] = _masked_arg(value)
        return True


# Request headers and WSGI environ values a log format could name that hold secrets or queries.
_SECRET_ATOMS = frozenset({"{authorization}i", "{cookie}i", "{proxy-authorization}i", "{x-csrftoken}i"})


class MaskingLogger(glogging.Logger):
    """Gunicorn's logger with the request line, path, referer and error messages masked, and no
    query string, cookie, Authorization header or WSGI environ value ever formatted."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, MaskTokensFilter) for f in log.filters):
                log.addFilter(MaskTokensFilter())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        raw_uri = str(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {mask_url(raw_uri)} {environ.get('SERVER_PROTOCOL')}"
        atoms["U"] = mask_url(str(environ.get("PATH_INFO") or ""))
        atoms["q"] = "-"
        atoms["f"] = mask_url(str(environ.get("HTTP_REFERER", "-")))
        for key in list(atoms):
            if key.endswith("}e") or key in _SECRET_ATOMS:
                atoms[key] = "-"
            elif key == "{referer}i":
                atoms[key] = mask_url(str(atoms[key]))
        return atoms
