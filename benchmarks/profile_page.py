"""Where a page's time goes: the page served in this process through Django's WSGI handler (the code
path gunicorn runs, with the benchmark server's production settings and signed-in session) against
a seeded data folder, timed and then profiled with pyinstrument.

For each page it prints: the CPU and wall time per request, the queries per request and the time
the database driver spent executing them, a breakdown of the profile by kind of work (each sample
is charged to the innermost Django, django-ninja or Anagen frame on its stack: SQL execution, ORM
query building and model instances, templates, the audit append, request handling and middleware,
views and services), and the top functions by their own time. With several pages it first prints a
table of them all, most expensive first.

Usage (after `make bench` or benchmarks/http_bench.py has seeded the folder):

    .venv/bin/python benchmarks/profile_page.py --data-dir var/bench-3000 patient progress home
    .venv/bin/python benchmarks/profile_page.py --data-dir var/bench-3000 all --top 3

Page keys: floor, and those of benchmarks/bench_pages.py (home, list, search, patient, week,
progress, outcomes, api-patients, api-appointments, api-sessions, api-courses). Needs pyinstrument
(the project's `bench` extra: pip install -e ".[bench]").
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from bench_pages import FLOOR, Page, discover
from http_bench import ANAGEN, PASSWORD, ensure_seeded, outlooks_built, server_env

ROOT = Path(__file__).resolve().parent.parent


class Browser:
    """A signed-in browser talking to the WSGI application in this process: cookies kept, requests
    sent as behind the clinic's TLS proxy (as the benchmark server is run)."""

    def __init__(self, app: Any):
        self.app = app
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        path_info, _, query = path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method, "PATH_INFO": path_info, "QUERY_STRING": query, "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "10.0.0.9",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
        status: list[str] = []
        response_headers: list[tuple[str, str]] = []

        def start_response(s: str, h: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(s)
            response_headers.extend(h)

        result = self.app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    self.cookies[morsel.key] = morsel.value
        return int(status[0].split()[0]), content

    def send(self, spec: str) -> tuple[int, bytes]:
        """One request of a page's list, as benchmarks/wrk_page.lua sends it."""
        method, path, *rest = spec.split(" ", 2)
        if method != "POST":
            return self.request(method, path)
        token = self.cookies["csrftoken"]
        body = ((rest[0] if rest else "") + "&csrfmiddlewaretoken=" + token).encode()
        return self.request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token, "Referer": f"https://127.0.0.1{path}",
            "HX-Request": "true", "HX-Target": "patient-results", "HX-Trigger": "id_q", "HX-Current-URL": f"https://127.0.0.1{path}"})

    def sign_in(self, username: str, password: str) -> None:
        _, form = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token, "no CSRF token on the login page"
        body = f"username={username}&password={password}&csrfmiddlewaretoken={token.group(1).decode()}".encode()
        status, _ = self.request("POST", "/login/", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                            "Referer": "https://127.0.0.1/login/"})
        if status != 302:
            raise SystemExit(f"sign-in as {username} failed: {status}")


# Each sample goes to the innermost frame of ours or the framework's (standard-library work is
# charged to whoever called it). Patterns are tried in order on that frame's file path.
KINDS = [
    ("SQL: the database driver executing and fetching", re.compile(r"django/db/backends/")),
    ("ORM: building and compiling queries, making model instances", re.compile(r"django/db/")),
    ("templates (Django template language)", re.compile(r"django/template/|django/templatetags/|jinja2/")),
    ("audit append (hashing; its queries are counted above)", re.compile(r"anagen/audit/")),
    ("forms", re.compile(r"django/forms/")),
    ("API framework (django-ninja, pydantic)", re.compile(r"ninja/|pydantic")),
    ("views and services (Anagen)", re.compile(r"anagen/")),
    ("request handling, middleware, sessions, auth, URLs", re.compile(r"django/|django_otp/|axes/|csp/|whitenoise/|django_htmx/")),
]
OURS = re.compile(r"/django/|/anagen/|/ninja/|/jinja2/|/django_otp/|/axes/|/csp/|/whitenoise/|/django_htmx/|pydantic")
# Counted whole (a sample may count in several): the big subsystems with everything they call.
def _has(pattern: str) -> Any:
    compiled = re.compile(pattern)
    return lambda stack: any(compiled.search(frame) for frame in stack)


def _in_view(stack: list[str]) -> bool:
    """Under the view function (and its response's rendering), not the middleware around it."""
    for i, frame in enumerate(stack[:-1]):
        if frame.startswith("_get_response\x00") and "django/core/handlers/base.py" in frame:
            return not stack[i + 1].startswith("process_view\x00")
    return False


INCLUSIVE = [
    ("template rendering, with the queries it triggers", _has(r"^render\x00.*django/template/(backends/django|base)\.py")),
    ("ORM and SQL, wherever called from", _has(r"^[^\x00]*\x00[^\x00]*django/db/")),
    ("audit appends, with their queries", _has(r"^(append|record_reads?)\x00.*anagen/audit/services\.py")),
    ("the view (everything under the view function)", _in_view),
]


@dataclass
class Profiled:
    page: Page
    requests: int
    cpu_ms: float
    wall_ms: float
    queries: float
    sql_ms: float
    kinds: dict[str, float] = field(default_factory=dict)  # ms per request
    inclusive: dict[str, float] = field(default_factory=dict)
    flat: str = ""


def kind_of(stack: list[str]) -> str:
    for frame in reversed(stack):
        path = frame.split("\x00")[1] if "\x00" in frame else ""
        if OURS.search(path):
            for name, pattern in KINDS:
                if pattern.search(path):
                    return name
    return "other (interpreter, libraries)"


def measure(browser: Browser, page: Page, requests: int, interval_s: float, top: int) -> Profiled:
    from django.db import connection
    from pyinstrument import Profiler

    for spec in page.requests:  # warm: caches, connections, compiled templates
        status, body = browser.send(spec)
        if status != 200 or b'name="password"' in body:
            raise SystemExit(f"{page.name}: {spec} answered {status}")
    specs = [page.requests[i % len(page.requests)] for i in range(requests)]

    sql = {"n": 0, "s": 0.0}

    def timed(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["n"] += 1
            sql["s"] += time.perf_counter() - started

    with connection.execute_wrapper(timed):
        cpu, wall = time.process_time(), time.perf_counter()
        for spec in specs:
            browser.send(spec)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall

    profiler = Profiler(interval=interval_s)
    profiler.start()
    for spec in specs:
        browser.send(spec)
    session = profiler.stop()
    # The sampler measures wall time, and on a busy machine this process is also paused by others:
    # the pauses fall on whatever was running, in proportion to its CPU time, so each kind's share
    # of the samples is its share of the CPU, converted to ms with the CPU time measured above.
    kinds: dict[str, float] = defaultdict(float)
    inclusive: dict[str, float] = defaultdict(float)
    functions: dict[str, float] = defaultdict(float)
    total = 0.0
    for stack, seconds in session.frame_records:
        total += seconds
        kinds[kind_of(stack)] += seconds
        for name, test in INCLUSIVE:
            if test(stack):
                inclusive[name] += seconds
        functions[describe(stack[-1])] += seconds
    per_request_ms = cpu * 1000 / requests

    def ms(seconds: float) -> float:
        return per_request_ms * seconds / total if total else 0.0

    flat = "\n".join(f"{100 * seconds / total:5.1f}%  {ms(seconds):5.2f} ms  {name}"
                      for name, seconds in sorted(functions.items(), key=lambda kv: -kv[1])[:top])
    return Profiled(page, requests, per_request_ms, wall * 1000 / requests, sql["n"] / requests, sql["s"] * 1000 / requests,
                    {k: ms(v) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])},
                    {k: ms(v) for k, v in inclusive.items()}, flat)


def describe(frame: str) -> str:
    """pyinstrument's frame identifier ("function NUL file NUL line SOH cClass ...") as
    "Class.function  path:line", the path from the package folder on."""
    parts = frame.split("\x01")
    function, path, line = (parts[0].split("\x00") + ["", ""])[:3]
    cls = next((p[1:] for p in parts[1:] if p.startswith("c")), "")
    short = re.sub(r"^.*/(site-packages|src|lib/python3\.\d+)/", "", path)
    return f"{cls + '.' if cls else ''}{function}  {short}:{line}"


def report(results: Iterable[Profiled], profiled_seconds: bool = True) -> str:
    out = []
    for r in results:
        sampled = sum(r.kinds.values())
        out.append(f"### {r.page.name}\n")
        out.append(f"{r.cpu_ms:.1f} ms of CPU per request ({r.wall_ms:.1f} ms wall), {r.queries:.1f} queries, "
                   f"{r.sql_ms:.1f} ms executing them; {r.requests} requests ({r.page.requests[0]}"
                   f"{' and others like it' if len(r.page.requests) > 1 else ''}).\n")
        out.append("| where the time goes (innermost Django or Anagen frame) | ms per request | share |")
        out.append("|---|---|---|")
        for name, ms in r.kinds.items():
            out.append(f"| {name} | {ms:.1f} | {100 * ms / sampled:.0f}% |")
        view = r.inclusive.get(INCLUSIVE[3][0], 0.0)
        out.append("\nCounted whole (with everything they call): " + "; ".join(
            f"{name} {r.inclusive.get(name, 0.0):.1f} ms" for name, _ in INCLUSIVE)
            + f"; outside the view (WSGI handler, middleware, session and user) {sampled - view:.1f} ms.\n")
        out.append("Top functions by their own time (share of the samples, ms per request):\n")
        out.append("```\n" + r.flat + "\n```\n")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="+", help="page keys, or 'all'")
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-3000"))
    parser.add_argument("--patients", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=60, help="requests per page, timed and then profiled")
    parser.add_argument("--interval-ms", type=float, default=0.5, help="pyinstrument's sampling interval")
    parser.add_argument("--top", type=int, default=0, help="profile in full only the N most expensive pages (0: all given)")
    parser.add_argument("--functions", type=int, default=25, help="functions listed per profile")
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    ensure_seeded(data_dir, args.patients, 3)
    outlooks_built(data_dir)
    # As `anagen serve` does before it answers: the production settings serve static files by
    # their manifest, which a folder only the profiler has used does not have yet.
    subprocess.run([ANAGEN, "manage", "collectstatic", "--noinput"], env=server_env(data_dir), check=True, stdout=subprocess.DEVNULL)
    os.environ.update(server_env(data_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "anagen.settings"
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    browser = Browser(WSGIHandler())
    browser.sign_in("doctor-1", PASSWORD)

    def get(path: str) -> str:
        return browser.request("GET", path)[1].decode()

    pages, _ = discover(get)
    known = {p.key: p for p in [FLOOR, *pages]}
    wanted = list(known) if args.pages == ["all"] else args.pages
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise SystemExit(f"unknown page {', '.join(unknown)}: choose from {', '.join(known)}")
    results = [measure(browser, known[k], args.requests, args.interval_ms / 1000, args.functions) for k in wanted]
    floor = next((r for r in results if r.page.key == "floor"), None)
    print(f"In-process profile, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, data {data_dir.name}\n")
    print("| page | CPU ms/request | × floor | queries | SQL ms | ORM ms (with SQL) | templates ms |")
    print("|---|---|---|---|---|---|---|")
    ranked = sorted(results, key=lambda r: -r.cpu_ms)
    for r in ranked:
        times = f"{r.cpu_ms / floor.cpu_ms:.1f}×" if floor else ""
        print(f"| {r.page.name} | {r.cpu_ms:.1f} | {times} | {r.queries:.0f} | {r.sql_ms:.1f} | "
              f"{r.inclusive.get(INCLUSIVE[1][0], 0.0):.1f} | {r.inclusive.get(INCLUSIVE[0][0], 0.0):.1f} |")
    print()
    chosen = [r for r in ranked if r.page.key != "floor"][: args.top] if args.top else ranked
    print(report(chosen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
