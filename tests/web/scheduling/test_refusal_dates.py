"""A taken slot's refusal writes its day in the one format of every page ("5 Dec 2026", 24-hour
times) through the shared helper, whatever the reader's language: Django's own date format would
write "5 दिस् 2026" for a Hindi reader."""

from __future__ import annotations

import pytest
from django.utils import translation

from anagen.core import display
from anagen.scheduling import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["hi", "mr", "en-in"])
def test_a_busy_practitioners_refusal_gives_the_day_in_the_one_date_format_in_every_language(book, make_patient, clinic, tomorrow,
                                                                                            language):
    book(start="10:00")
    with translation.override(language), pytest.raises(services.SlotTaken) as refusal:
        book(start="10:15", patient=make_patient(clinic))
    message = refusal.value.message
    assert display.day(tomorrow) in message and "10:00" in message and "10:45" in message
    if language != "en-in":
        assert any("\u0900" <= ch <= "\u097f" for ch in message)  # the sentence itself is translated
