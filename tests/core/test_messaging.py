"""The WhatsApp window, opt-out words, retryable error codes and DLT id shapes (anagen.core.messaging)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from anagen.core import messaging as rules

WROTE = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def test_the_window_is_open_from_the_patients_last_message_until_24_hours_later():
    assert rules.window_open(WROTE, WROTE)
    assert rules.window_open(WROTE, WROTE + timedelta(hours=23, minutes=59, seconds=59))
    assert not rules.window_open(WROTE, WROTE + timedelta(hours=24))
    assert rules.window_closes_at(WROTE) == datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def test_the_window_is_closed_for_a_patient_who_never_wrote_or_before_they_wrote():
    assert not rules.window_open(None, WROTE)
    assert not rules.window_open(WROTE, WROTE - timedelta(seconds=1))


@pytest.mark.parametrize("text", ["STOP", "stop", "Stop.", " stop! ", "opt out", "Opt-Out", "OPTOUT", "unsubscribe",
                                  "बंद", "बंद करो", "बंद करा", "थांबवा", "रोकें"])
def test_these_whole_messages_ask_to_stop(text):
    assert rules.is_opt_out_request(text)


@pytest.mark.parametrize("text", ["", "don't stop my sessions", "stop by tomorrow at 5?", "yes", "OK thanks", "बंद है क्या"])
def test_a_message_that_merely_contains_a_stop_word_does_not_opt_out(text):
    assert not rules.is_opt_out_request(text)


def test_throttling_and_temporary_errors_are_retried_and_the_rest_are_not():
    for code in (130429, 131000, 131016, 131056, 133004, 4, 80007):
        assert rules.whatsapp_error_retryable(code, 400)
    for code in (131047, 132001, 132000, 131026, 190, 100):
        assert not rules.whatsapp_error_retryable(code, 400)
    assert rules.whatsapp_error_retryable(None, 503)
    assert not rules.whatsapp_error_retryable(None, 400)


def test_dlt_template_ids_are_19_digits_and_sender_ids_six_capital_letters():
    assert rules.valid_dlt_template_id("1107161234567890123")
    assert not rules.valid_dlt_template_id("110716123456789012")
    assert not rules.valid_dlt_template_id("11071612345678901a3")
    assert rules.valid_sms_sender_id("ANAGEN")
    assert not rules.valid_sms_sender_id("ANAG3N") and not rules.valid_sms_sender_id("anagen")


def test_a_whatsapp_number_is_the_digits_of_the_phone():
    assert rules.whatsapp_number("+91 98200-12345") == "919820012345"
