"""The core marks its sentences for translation without Django, and a finding's message can be
taken apart again into the marked rule and its detail (the app layer words both)."""

from __future__ import annotations

import datetime as dt

from anagen.core.eligibility import booking_decision
from anagen.core.protocol import Protocol
from anagen.core.screening import FINDING_DETAILS, FindingCode, _finding, finding, finding_parts
from anagen.core.wording import Sentence, gettext_noop


def test_the_marker_returns_the_english_unchanged_and_a_sentence_reads_its_english():
    assert gettext_noop("Treatment is deferred.") == "Treatment is deferred."
    assert str(Sentence("Treatment is deferred until %(day)s.", {"day": dt.date(2026, 12, 3)})) == "Treatment is deferred until 3 Dec 2026."
    assert str(Sentence("No parameters: %(kept)s")) == "No parameters: %(kept)s"


def test_every_rules_message_is_its_own_msgid_with_no_detail():
    for code in FindingCode:
        message = finding(code, Protocol()).message
        assert finding_parts(code, message) == (message, None, "")


def test_a_message_with_a_detail_comes_apart_into_rule_template_and_detail():
    for code, template in FINDING_DETAILS.items():
        written = _finding(code, Protocol(), "Biotin (vitamin B7) (biotin)")
        rule = finding(code, Protocol()).message
        assert written.message == f"{rule} {template % {'detail': 'Biotin (vitamin B7) (biotin)'}}"
        assert finding_parts(code, written.message) == (rule, template, "Biotin (vitamin B7) (biotin)")


def test_a_message_the_core_does_not_write_for_its_code_is_not_taken_apart():
    assert finding_parts(FindingCode.ANTICOAGULANT, "Takes warfarin.") is None
    assert finding_parts("no_such_code", "Anything.") is None
    rule = finding(FindingCode.ANTICOAGULANT, Protocol()).message
    assert finding_parts(FindingCode.ANTICOAGULANT, rule + " Excluded: x.") is None  # no detail for this code


def test_a_booking_decision_gives_each_reason_as_a_sentence_and_the_same_in_english():
    findings = [finding(FindingCode.PREGNANCY, Protocol()), finding(FindingCode.ANTICOAGULANT, Protocol()),
                finding(FindingCode.KELOID_TENDENCY, Protocol())]
    decision = booking_decision(findings, acknowledged_codes=[], review_on=dt.date(2026, 12, 10), today=dt.date(2026, 12, 3))
    assert [s.msgid for s in decision.sentences] == ["Treatment is deferred until %(day)s.",
                                                     "Acknowledge every caution with a reason before booking: %(cautions)s."]
    assert decision.reasons == (
        "Treatment is deferred until 10 Dec 2026.",
        "Acknowledge every caution with a reason before booking: Takes an anticoagulant: expect bruising and bleeding; "
        "consider with the prescriber; Keloid tendency: risk of scarring at injection points.",
    )
