from __future__ import annotations

import datetime as dt

from anagen.core.eligibility import booking_decision
from anagen.core.screening import Finding, FindingCode, Severity

TODAY = dt.date(2026, 12, 1)


def finding(code: FindingCode, severity: Severity) -> Finding:
    return Finding(code=code, severity=severity, message=f"{code} message", source="test")


def test_it_allows_a_patient_with_no_findings():
    decision = booking_decision([], acknowledged_codes=[], review_on=None, today=TODAY)
    assert decision.allowed and decision.reasons == ()


def test_a_stop_finding_blocks_whatever_else_is_acknowledged():
    findings = [finding(FindingCode.BLEEDING_DISORDER, Severity.STOP), finding(FindingCode.ANTICOAGULANT, Severity.CAUTION)]
    decision = booking_decision(findings, acknowledged_codes=["anticoagulant"], review_on=TODAY, today=TODAY)
    assert not decision.allowed
    assert decision.reasons[0].startswith("Not eligible")


def test_a_defer_blocks_until_its_review_date_and_not_after():
    findings = [finding(FindingCode.PREGNANCY, Severity.DEFER)]
    review = dt.date(2027, 3, 1)
    assert not booking_decision(findings, acknowledged_codes=[], review_on=None, today=TODAY).allowed
    assert not booking_decision(findings, acknowledged_codes=[], review_on=review, today=review - dt.timedelta(days=1)).allowed
    assert booking_decision(findings, acknowledged_codes=[], review_on=review, today=review).allowed


def test_every_caution_needs_an_acknowledgement():
    findings = [finding(FindingCode.ANTICOAGULANT, Severity.CAUTION), finding(FindingCode.KELOID_TENDENCY, Severity.CAUTION)]
    partly = booking_decision(findings, acknowledged_codes=["anticoagulant"], review_on=None, today=TODAY)
    assert not partly.allowed and partly.unacknowledged_cautions == ("keloid_tendency",)
    assert booking_decision(findings, acknowledged_codes=["anticoagulant", "keloid_tendency"], review_on=None, today=TODAY).allowed


def test_an_info_finding_never_blocks():
    findings = [finding(FindingCode.ADVANCED_PATTERN, Severity.INFO)]
    assert booking_decision(findings, acknowledged_codes=[], review_on=None, today=TODAY).allowed


# --- issue 17: a full re-consultation after N months ---------------------------------------------------

import datetime as _dt  # noqa: E402

from anagen.core.eligibility import add_months, reconsultation_due  # noqa: E402
from anagen.core.protocol import Protocol as _Protocol  # noqa: E402


def test_a_consultation_exactly_twelve_months_old_is_still_current_and_a_day_later_is_not():
    signed = _dt.date(2025, 12, 3)
    assert reconsultation_due(signed, _dt.date(2026, 12, 3), _Protocol()) is None
    reason = reconsultation_due(signed, _dt.date(2026, 12, 4), _Protocol())
    assert reason is not None
    assert str(reason) == ("The last signed consultation (3 Dec 2025) is more than 12 months old: a full re-consultation is "
                           "needed before further maintenance sessions.")


def test_the_months_are_a_protocol_setting_and_month_ends_are_handled():
    assert reconsultation_due(_dt.date(2026, 1, 1), _dt.date(2026, 7, 2), _Protocol(reconsultation_after_months=6))
    assert add_months(_dt.date(2026, 1, 31), 1) == _dt.date(2026, 2, 28)
    assert add_months(_dt.date(2024, 2, 29), 12) == _dt.date(2025, 2, 28)
