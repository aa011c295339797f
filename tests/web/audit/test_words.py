"""Every kind of record the application writes to the audit trail has words for the people who
read the trail (the privacy officer's page, the patient's access log), not a code."""

from __future__ import annotations

import re
from pathlib import Path

from anagen.audit.words import OBJECT_WORDS, object_words

SRC = Path(__file__).resolve().parents[3] / "src" / "anagen"
# object_type="...", record_read(actor, "..."), record_reads(..., "..."), record_bulk_read(actor, "..."),
# the lists' own helpers, and audit_as="...".
PATTERNS = [
    re.compile(r'object_type="([a-z_]+)"'),
    re.compile(r'record_(?:read|reads|bulk_read|patient_list_read|list_read)\([^,()]+(?:\([^()]*\))?, "([a-z_]+)"'),
    re.compile(r'audit_as="([a-z_]+)"'),
]


def _written_codes() -> set[str]:
    codes: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or path.parts[-2:] == ("audit", "words.py"):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in PATTERNS:
            codes.update(pattern.findall(text))
    return codes


def test_every_code_the_application_writes_has_words():
    codes = _written_codes()
    assert {"patient", "consultation", "patient_registry", "non_responder_list"} <= codes  # the scan finds them
    assert sorted(codes - set(OBJECT_WORDS)) == []


def test_an_unknown_code_still_reads_as_words():
    assert object_words("lot_recipients_csv") == "lot recipients csv"
