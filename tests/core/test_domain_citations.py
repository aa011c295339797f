"""Every "domain.md §N" that code and docs cite is a section of docs/domain.md, in this repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITATION = re.compile(r"domain\.md(?: (?:§ ?|section )(?P<first>[0-9]+[a-z]?)(?P<more>(?:, ?§ ?[0-9]+[a-z]?)*))?")


def _sections() -> set[str]:
    text = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    return set(re.findall(r"^## ([0-9]+[a-z]?)\. ", text, flags=re.MULTILINE))


def _citations() -> list[tuple[str, str]]:
    found = []
    for path in [*(ROOT / "src").rglob("*.py"), *(ROOT / "src").rglob("*.html"), *(ROOT / "docs").glob("*.md")]:
        for match in CITATION.finditer(path.read_text(encoding="utf-8")):
            for section in [match["first"], *re.findall(r"[0-9]+[a-z]?", match["more"] or "")]:
                if section:
                    found.append((str(path.relative_to(ROOT)), section))
    return found


def test_the_clinical_reference_is_in_the_repository():
    assert {"1", "2", "3", "4", "4b", "5", "6", "7", "8", "9"} <= _sections()


def test_every_cited_section_of_the_clinical_reference_exists():
    citations = _citations()
    assert len(citations) > 100  # the code cites it throughout: an empty list would mean a broken pattern
    missing = sorted({(where, section) for where, section in citations if section not in _sections()})
    assert not missing, missing
