"""No code, setting name or internal reference ever reaches a person (issue 20, item 5).

The demo clinic is seeded, then every role walks every page it can reach by following links from
its first screen (two pages of each URL shape: the shapes, not every patient, are what differ),
and downloads every PDF it is offered. The visible text of each page and every line written into
each PDF must hold no snake_case code ("vitamin_d_25oh", "ingredient_allergy"), no setting name
("Protocol.ferritin_target_ng_ml"), no internal reference ("domain.md §4b"), no field path
("components[5].concentration"), no UCUM spelling ("m[IU]/L"), no 12-hour clock and no other
date format than "3 Dec 2026".
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from anagen.ui import pdf as pdf_module

pytestmark = pytest.mark.django_db

FORBIDDEN = {
    "a snake_case code": re.compile(r"(?<![\w@.:/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])"),
    "a setting name": re.compile(r"\bProtocol\."),
    "an internal reference": re.compile(r"domain\.md"),
    "a field path": re.compile(r"\w+\[\d+\]\.\w+"),
    "a UCUM unit": re.compile(r"\[IU\]"),
    "a 12-hour clock": re.compile(r"\b\d{1,2}[:.]\d{2}\s?(?:AM|PM|a\.m\.|p\.m\.)", re.I),
    "an ISO or numeric date": re.compile(r"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\b"),
    "a long month name": re.compile(r"\b\d{1,2} (?:January|February|March|April|June|July|August|September|October|November|December) \d{4}\b"),
    "a date with a leading zero": re.compile(r"\b0\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b"),
}

# The sign-in names of the demo's people are typed, not read: they never contain underscores.
ROLES = ["reception", "nurse", "doctor", "admin", "patient"]
# The audit trail lists records and fields as stored; issue 19 rewrites that page in words.
SKIP = re.compile(r"^/(?:logout|api/|admin-area/two-factor/|account/api-tokens/|static/|media/|portal/logout|audit/)")
PER_SHAPE = 2
# Patients and their consultations are where the demo's variety lives (every stage of the
# programme, deferred, not eligible, cautions): every one of them is read.
PER_SHAPE_OF = {"/patients/N/": 40, "/consultations/N/": 40, "/treatments/courses/N/": 6, "/sessions/N/": 4}
MAX_PAGES = 400


class VisibleText(HTMLParser):
    """The text a person reads (no script, style or attribute values) and the links to follow."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Text inside <code> is what a person types (a CSV column, a message placeholder).
        if tag in ("script", "style", "template", "code"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "code") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def problems(where: str, text: str) -> list[str]:
    found = []
    for what, pattern in FORBIDDEN.items():
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            found.append(f"{where}: {what} {match.group(0)!r} in …{text[start:match.end() + 40]}…")
    return found


@pytest.fixture
def pdf_lines(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every line written into any PDF while the test runs."""
    written: list[str] = []
    original_cell, original_multi = pdf_module.UnicodePDF.cell, pdf_module.UnicodePDF.multi_cell

    def cell(self: Any, w: Any = None, h: Any = None, text: str = "", *args: Any, **kwargs: Any) -> Any:
        written.append(str(text))
        return original_cell(self, w, h, text, *args, **kwargs)

    def multi_cell(self: Any, w: Any, h: Any = None, text: str = "", *args: Any, **kwargs: Any) -> Any:
        written.append(str(text))
        return original_multi(self, w, h, text, *args, **kwargs)

    monkeypatch.setattr(pdf_module.UnicodePDF, "cell", cell)
    monkeypatch.setattr(pdf_module.UnicodePDF, "multi_cell", multi_cell)
    return written


def walk(client: Client, start: str, pdf_lines: list[str]) -> tuple[int, list[str]]:
    seen_shapes: dict[str, int] = {}
    visited: set[str] = set()
    queue = deque([start])
    found: list[str] = []
    pages = 0
    while queue and pages < MAX_PAGES:
        path = queue.popleft()
        if path in visited or SKIP.match(path):
            continue
        visited.add(path)
        key = shape(path)
        if seen_shapes.get(key, 0) >= PER_SHAPE_OF.get(key, PER_SHAPE):
            continue
        seen_shapes[key] = seen_shapes.get(key, 0) + 1
        before = len(pdf_lines)
        response = client.get(path)
        pages += 1
        assert response.status_code < 500, (path, response.status_code)
        kind = response.get("Content-Type", "")
        if response.status_code != 200:
            continue
        if "application/pdf" in kind:
            found += problems(f"PDF {path}", "\n".join(pdf_lines[before:]))
            continue
        if "text/html" not in kind:
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        found += problems(path, " · ".join(parser.text))
        for href in parser.links:
            target = urljoin(path, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages, found


def test_every_page_and_document_of_the_demo_reads_as_words_and_dates_as_3_dec_2026(pdf_lines, settings):
    from anagen.accounts.models import User
    from anagen.demo.seed import seed_demo

    settings.ANAGEN_DEMO = True  # demo accounts skip the second factor, as on the demo server
    seed_demo()
    everything: list[str] = []
    total = 0
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages, found = walk(client, "/portal/" if username == "patient" else "/", pdf_lines)
        total += pages
        everything += [f"[{username}] {p}" for p in found]
    assert total > 150, total  # the walk really went round the site
    assert everything == [], "\n".join(everything[:400])
