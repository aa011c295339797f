"""The Content-Security-Policy holds in a real browser: every page of a seeded clinic loads with no
violation (no inline script, style or handler anywhere, htmx without eval).

The walk visits every URL pattern without parameters, plus the patient, consent, consultation and
session pages of seeded records; non-HTML answers (CSV, PDF, JSON) are skipped.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# Collects violations from the start of every document; an init script runs outside the page's CSP.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""
SKIP_PREFIXES = ("logout/", "api/v1/openapi.json")
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return list(walk(get_resolver().url_patterns))


def _ids() -> dict[str, int]:
    """An id for the record kinds the pages name, taken from the seeded clinic."""
    from django.apps import apps

    from anagen.demo.seed import DEMO_CLINIC_NAME

    wanted = {
        "patient_id": ("patients", "Patient"),
        "consultation_id": ("consultations", "Consultation"),
        "session_id": ("procedures", "TreatmentSession"),
        "record_id": ("consents", "ConsentRecord"),
        "text_id": ("consents", "ConsentText"),
        "photo_id": ("photos", "Photo"),
        "course_id": ("treatments", "Course"),
    }
    ids = {}
    for name, (app_label, model_name) in wanted.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        field = "clinic__name" if any(f.name == "clinic" for f in model._meta.get_fields()) else None
        qs = model.objects.filter(**{field: DEMO_CLINIC_NAME}) if field else model.objects.all()
        if name == "patient_id":
            # The patient with the most history shows the most page parts.
            qs = qs.order_by("-id")
            with_sessions = [p for p in qs[:40] if p.consent_records.exists()]
            obj = with_sessions[0] if with_sessions else qs.first()
        else:
            obj = qs.order_by("id").first()
        if obj is not None:
            ids[name] = obj.pk
    return ids


def _urls() -> list[str]:
    ids = _ids()
    urls = []
    for route in _routes():
        if route.startswith(SKIP_PREFIXES) or (route.startswith("api/") and route != "api/v1/docs"):
            continue
        names = [m.group(2) for m in CONVERTER.finditer(route)]
        if not names:
            urls.append("/" + route)
        elif len(names) == 1 and names[0] in ids:
            urls.append("/" + CONVERTER.sub(str(ids[names[0]]), route))
    return sorted(set(urls))


def _visit(page, url: str, console: list[str]) -> list[str]:
    response = page.request.get(url, max_redirects=0)
    content_type = response.headers.get("content-type", "")
    if response.status == 405:
        return []  # a form's POST-only target, no page of its own
    if response.status not in (301, 302, 303) and "text/html" not in content_type:
        return []  # CSV, PDF, JSON: no document for the policy to guard
    console.clear()
    # No page loads parts later (no hx-trigger="load"), so "load" has every script and style in.
    page.goto(url, wait_until="load")
    found = page.evaluate("window.__csp || []")
    return found + [m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m]


@pytest.fixture
def demo_page(page, settings):
    from anagen.demo.seed import seed_demo

    settings.ANAGEN_DEMO = True  # the seeded accounts sign in on a demo server only
    seed_demo()
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if msg.type in ("error", "warning") else None)
    page.context.add_init_script(LISTEN)
    return page, console


def test_the_detector_reports_an_inline_script(demo_page, sign_in):
    page, console = demo_page
    sign_in("admin", "demo")
    page.goto("/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; document.body.appendChild(s); }")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__csp.length") >= 1
    assert page.evaluate("window.x === undefined")


# The admin sees every staff page a trichologist sees and more; reception gets its own templates.
@pytest.mark.parametrize("username", ["admin", "reception"])
def test_every_page_of_a_seeded_clinic_loads_without_a_csp_violation(demo_page, sign_in, username):
    page, console = demo_page
    sign_in(username, "demo")
    urls = _urls()
    assert "/patients/" in urls and len(urls) > 20
    violations = {}
    for url in urls:
        found = _visit(page, url, console)
        if found:
            violations[url] = found
    assert violations == {}


def test_the_sign_in_and_password_reset_pages_have_no_csp_violation(page):
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text))
    page.context.add_init_script(LISTEN)
    for url in ("/login/", "/admin-area/password-reset/", "/admin-area/password-reset/sent/"):
        page.goto(url)
        assert page.evaluate("window.__csp") == []
    assert not [m for m in console if "Content Security Policy" in m]
