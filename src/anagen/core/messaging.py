"""Rules of the WhatsApp Business Platform and of Indian commercial SMS that decide what may be sent.

Sources:
- The customer-service window: "When a WhatsApp user messages you, a 24-hour timer called a
  customer service window starts (or refreshes)"; inside it any message type may be sent, outside
  it only approved template messages (Meta, WhatsApp Cloud API, "Send messages", customer
  service windows: developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages).
- Error codes worth retrying: Meta's Cloud API error-code reference
  (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes) lists these as
  temporary (throttling, rate limits, service unavailable, "something went wrong"): 1, 2, 4,
  80007, 130429, 131000, 131016, 131048, 131056, 133004. Every other code (an expired token,
  a template that does not exist, a parameter mismatch, an undeliverable number, the re-engagement
  error 131047 for free text outside the window) will fail again unchanged: it is permanent.
- Opt-out words: "STOP" and "opt out" are the words the issue and Meta's opt-out guidance name
  (Meta, WhatsApp Business Messaging Policy: honour a request to stop, by any means). The Hindi
  and Marathi phrases are plain everyday words ("बंद" = off/closed, "रोको/रोकें" = stop in Hindi,
  "थांबवा" = stop in Marathi); they are the project's own choice, checked by no regulator.
- DLT: every commercial SMS to an Indian number carries the sender's registered header and the
  content template id registered on a DLT platform (TRAI, Telecom Commercial Communications
  Customer Preference Regulations 2018, regulation 6 and Schedule-I). A template id is the
  19-digit number the DLT platform issues.

Pure: every moment is an argument; nothing here reads a clock or the database.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

SERVICE_WINDOW = timedelta(hours=24)

RETRYABLE_WHATSAPP_ERRORS = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004})

OPT_OUT_PHRASES = frozenset({
    "stop", "stop all", "stopall", "opt out", "optout", "opt-out", "unsubscribe",
    # Hindi
    "बंद", "बंद करो", "बंद करें", "रोको", "रोकें",
    # Marathi
    "बंद करा", "थांबवा",
})

DLT_TEMPLATE_ID = re.compile(r"^\d{19}$")
SMS_SENDER_ID = re.compile(r"^[A-Z]{6}$")


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """True while free text may go: within 24 hours of the patient's last inbound message."""
    return last_inbound_at is not None and last_inbound_at <= now < last_inbound_at + SERVICE_WINDOW


def window_closes_at(last_inbound_at: datetime) -> datetime:
    return last_inbound_at + SERVICE_WINDOW


def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").casefold()
    text = re.sub(r"[\s\u200c\u200d]+", " ", text)
    return text.strip(" .!।\"'")


def is_opt_out_request(text: str) -> bool:
    """The whole message is a request to stop ("STOP", "stop.", "Opt out", "बंद करा").

    The whole message, not any message containing the word: "don't stop my sessions" must not
    end an opt-in.
    """
    return _normalised(text) in OPT_OUT_PHRASES


def whatsapp_error_retryable(code: int | None, http_status: int) -> bool:
    """Retry a failed send? Known temporary codes and server errors yes; everything else no."""
    if code is not None:
        return code in RETRYABLE_WHATSAPP_ERRORS
    return http_status >= 500 or http_status == 429


def valid_dlt_template_id(text: str) -> bool:
    return bool(DLT_TEMPLATE_ID.match(text or ""))


def valid_sms_sender_id(text: str) -> bool:
    """A DLT-registered header for service messages: six letters (TRAI TCCCPR 2018)."""
    return bool(SMS_SENDER_ID.match(text or ""))


def whatsapp_number(phone: str) -> str:
    """The digits WhatsApp uses for a number ("+91 98200 12345" -> "919820012345")."""
    return "".join(ch for ch in phone or "" if ch.isdigit())
