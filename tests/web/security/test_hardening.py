"""Web hardening: the production settings give HSTS, secure cookies, X-Frame-Options DENY and the CSP."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
# The health check needs no static files (production serves them from a manifest made by collectstatic).
secure = client.get("/healthz", secure=True, HTTP_HOST="clinic.example.in")
plain = client.get("/login/", HTTP_HOST="clinic.example.in")
print(json.dumps({
    "status": secure.status_code,
    "headers": dict(secure.headers),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "csrf_setting_secure": settings.CSRF_COOKIE_SECURE,
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    data = tmp_path_factory.mktemp("prod")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ANAGEN_", "DJANGO_"))},
        "ANAGEN_ENV": "production",
        "ANAGEN_SECRET_KEY": "p" * 64,
        "ANAGEN_ALLOWED_HOSTS": "clinic.example.in",
        "ANAGEN_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "anagen.settings",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, cwd=data, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_for_a_year_with_subdomains(production):
    assert production["status"] == 200
    assert production["headers"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_production_redirects_plain_http_to_https(production):
    assert production["plain_status"] == 301
    assert production["plain_location"] == "https://clinic.example.in/login/"


def test_production_cookies_are_secure(production):
    assert production["session_cookie_secure"] and production["csrf_setting_secure"]
    assert production["session_cookie_httponly"]


def test_production_forbids_framing(production):
    assert production["headers"]["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in production["headers"]["Content-Security-Policy"]


def test_production_sends_a_csp_without_inline_scripts(production):
    policy = {d.split()[0]: d.split()[1:] for d in production["headers"]["Content-Security-Policy"].split("; ")}
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in production["headers"]["Content-Security-Policy"]
    assert "'unsafe-eval'" not in production["headers"]["Content-Security-Policy"]


def test_every_response_carries_the_csp_and_nosniff(client):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_base_page_turns_off_htmx_eval_and_injected_styles(client):
    body = client.get(reverse("login")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false}\'>' in body


def test_no_template_has_an_inline_script_style_or_event_handler():
    import re
    from pathlib import Path

    import anagen

    root = Path(anagen.__file__).parent
    offenders = []
    for path in root.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|\shx-on[:-]|javascript:", text):
            offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
    assert offenders == []


def test_uploaded_files_have_no_url_of_their_own(settings):
    for alias in ("default", "photos", "reports"):
        assert settings.STORAGES[alias]["OPTIONS"]["base_url"] is None
    assert str(settings.DATA_DIR) not in [str(p) for p in getattr(settings, "STATICFILES_DIRS", [])]
    assert not str(settings.STORAGES["photos"]["OPTIONS"]["location"]).startswith(str(settings.STATIC_ROOT))


def test_no_url_serves_a_directory_of_files():
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.views.static import serve

    def views(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from views(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p.callback

    callbacks = list(views(get_resolver().url_patterns))
    assert callbacks and serve not in callbacks


def test_a_photo_file_is_not_reachable_by_a_guessable_path(client, trichologist):
    client.force_login(trichologist)
    for path in ("/media/", "/files/", "/photos/files/", "/var/photos/", "/static/../photos/"):
        assert client.get(path).status_code in (302, 404)
