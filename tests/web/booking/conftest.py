"""Online booking fixtures: a clinic that takes bookings, its SMS gateway (a local server speaking
MSG91's documented API, tests.web.reminders.fake_providers) and a way to read the code it got."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.web.reminders.fake_providers import MSG91_OK, FakeProvider

DLT_TEMPLATE_ID = "1107160000000000001"


@pytest.fixture
def sms_gateway(settings: Any) -> Any:
    server = FakeProvider(MSG91_OK)
    settings.ANAGEN_REMINDER_ADAPTERS = {"email": "log", "sms": "msg91", "whatsapp": "log"}
    settings.ANAGEN_MSG91_AUTHKEY = "test-authkey"
    settings.ANAGEN_MSG91_API_BASE = server.base_url
    yield server
    server.close()


def last_code(gateway: Any) -> str:
    """The code in the last SMS the gateway received."""
    text = gateway.requests[-1]["json"]["sms"][0]["message"]
    return re.search(r"\b(\d{6})\b", text).group(1)


@pytest.fixture
def booking_clinic(clinic: Any, trichologist: Any, sms_gateway: Any) -> Any:
    from anagen.booking.models import OnlineBookingSettings
    from anagen.reminders.models import MessagingAccount
    from anagen.scheduling.models import Room

    Room.objects.create(clinic=clinic, name="Consultation room")
    MessagingAccount.objects.create(clinic=clinic, sms_sender_id="LOTUSH")
    OnlineBookingSettings.objects.create(clinic=clinic, enabled=True, code_channel="sms", dlt_template_id=DLT_TEMPLATE_ID)
    return clinic
