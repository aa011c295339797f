"""Secrets in URL paths are masked wherever a line is logged (issue 19, finding 2). The real server's
access log is checked in tests/web/reliability/test_tokens_stay_out_of_logs.py; these tests pin
every route that takes a token to the masking patterns, Django's log records, and the nginx
``map`` the operator guide gives."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from anagen.log_masking import MASK, MaskTokensFilter, mask_url

SECRET = "Zx9SECRETtoken-_Q"
GUIDE = Path(__file__).resolve().parents[3] / "docs" / "operator-guide.md"


def _routes_with_a_secret(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        namespace = getattr(entry, "namespace", None)
        if isinstance(entry, URLResolver):
            for name, sub in _routes_with_a_secret(entry, route):
                found.append((f"{namespace}:{name}" if namespace else name, sub))
        elif isinstance(entry, URLPattern) and re.search(r"<(?:\w+:)?token>", route):
            found.append((entry.name or "", route))
    return found


def _sample(name: str) -> str:
    kwargs = {"token": SECRET}
    if name.endswith("password_reset_confirm"):
        kwargs["uidb64"] = "MTI"
    return reverse(name, kwargs=kwargs)


def test_every_route_with_a_token_in_its_path_is_masked():
    routes = _routes_with_a_secret(get_resolver())
    assert {name for name, _ in routes} >= {"interop:feed", "portal:accept", "accounts:password_reset_confirm"}
    for name, _route in routes:
        url = _sample(name)
        assert SECRET in url
        masked = mask_url(url)
        assert SECRET not in masked and MASK in masked, (name, masked)


def test_a_query_string_is_dropped_and_the_password_reset_follow_up_page_is_left_alone():
    assert mask_url("/api/v1/patients?q=Asha+Patil") == "/api/v1/patients"
    assert mask_url("/admin-area/password-reset/MTI/set-password/") == "/admin-area/password-reset/MTI/set-password/"
    assert mask_url("/patients/12/") == "/patients/12/"


def test_djangos_not_found_warning_is_masked():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s",
                               (f"/interop/feeds/{SECRET}.ics",), None)
    MaskTokensFilter().filter(record)
    assert record.getMessage() == f"Not Found: /interop/feeds/{MASK}.ics"


def _nginx_map() -> list[tuple[re.Pattern[str], str]]:
    block = re.search(r"map \$uri \$anagen_log_path \{\n(.*?)\n\}", GUIDE.read_text(), re.S)
    assert block, "the operator guide's nginx map is missing"
    rules = []
    for line in block.group(1).splitlines():
        pattern, _, value = line.strip().rstrip(";").partition(" ")
        value = value.strip()
        if pattern == "default":
            assert value == "$uri"
            continue
        assert pattern.startswith("~")
        # PCRE (nginx) names a group (?<name>...); Python spells it (?P<name>...).
        rules.append((re.compile(re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", pattern[1:])), value))
    return rules


def _apply_nginx(rules: list[tuple[re.Pattern[str], str]], uri: str) -> str:
    """What nginx's map gives: the first matching regex, its value with named captures filled in."""
    for pattern, value in rules:
        match = pattern.search(uri)
        if match:
            return re.sub(r"\$(\w+)", lambda m, found=match: found.group(m.group(1)), value)
    return uri


@pytest.mark.parametrize("name", ["interop:feed", "portal:accept", "accounts:password_reset_confirm", "reminders:opt_out"])
def test_the_operator_guides_nginx_map_masks_like_anagen(name):
    rules = _nginx_map()
    url = _sample(name)
    assert _apply_nginx(rules, url) == mask_url(url)
    assert SECRET not in _apply_nginx(rules, url)


def test_the_nginx_map_leaves_other_paths_alone():
    rules = _nginx_map()
    for uri in ("/patients/12/", "/admin-area/password-reset/MTI/set-password/", "/portal/welcome/"):
        assert _apply_nginx(rules, uri) == uri


def test_the_nginx_log_format_uses_the_masked_path_and_no_query_or_referer():
    text = GUIDE.read_text()
    log_format = re.search(r"log_format anagen '([^']*)'", text).group(1)
    assert "$anagen_log_path" in log_format
    for leaky in ("$request ", "$request_uri", "$args", "$query_string", "$http_referer", "$request\""):
        assert leaky not in log_format
