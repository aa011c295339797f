"""Amounts in Hindi and Marathi words, grouped the Indian way (lakh, crore), rupees and paise."""

from __future__ import annotations

import pytest

from anagen.core.billing import amount_in_words, words_language
from anagen.core.number_words import _HI_UNDER_100, _MR_UNDER_100, number_in_words


def test_every_number_below_a_hundred_has_its_own_word_in_both_languages():
    assert len(_HI_UNDER_100) == len(set(_HI_UNDER_100)) == 100
    assert len(_MR_UNDER_100) == len(set(_MR_UNDER_100)) == 100


@pytest.mark.parametrize(("number", "hindi", "marathi"), [
    (0, "शून्य", "शून्य"),
    (7, "सात", "सात"),
    (19, "उन्नीस", "एकोणीस"),
    (25, "पच्चीस", "पंचवीस"),
    (51, "इक्यावन", "एक्कावन्न"),
    (99, "निन्यानबे", "नव्व्याण्णव"),
    (100, "एक सौ", "शंभर"),
    (125, "एक सौ पच्चीस", "एकशे पंचवीस"),
    (500, "पाँच सौ", "पाचशे"),
    (999, "नौ सौ निन्यानबे", "नऊशे नव्व्याण्णव"),
    (1_000, "एक हज़ार", "एक हजार"),
    (1_500, "एक हज़ार पाँच सौ", "एक हजार पाचशे"),
    (1_25_000, "एक लाख पच्चीस हज़ार", "एक लाख पंचवीस हजार"),
    (10_00_000, "दस लाख", "दहा लाख"),
    (1_00_00_000, "एक करोड़", "एक कोटी"),
    (1_23_45_678, "एक करोड़ तेईस लाख पैंतालीस हज़ार छह सौ अठहत्तर", "एक कोटी तेवीस लाख पंचेचाळीस हजार सहाशे अठ्ठ्याहत्तर"),
    (150_00_00_000, "एक सौ पचास करोड़", "एकशे पन्नास कोटी"),
])
def test_numbers_read_in_hindi_and_marathi_with_lakh_and_crore(number, hindi, marathi):
    assert number_in_words(number, "hi") == hindi
    assert number_in_words(number, "mr") == marathi


def test_an_amount_in_hindi_names_rupees_and_paise_and_ends_with_only():
    assert amount_in_words(1_25_000_00, "hi") == "एक लाख पच्चीस हज़ार रुपये मात्र"
    assert amount_in_words(1_500_50, "hi") == "एक हज़ार पाँच सौ रुपये और पचास पैसे मात्र"
    assert amount_in_words(1_01, "hi") == "एक रुपया और एक पैसा मात्र"
    assert amount_in_words(0, "hi") == "शून्य रुपये मात्र"


def test_an_amount_in_marathi_names_rupees_and_paise_and_ends_with_only():
    assert amount_in_words(1_25_000_00, "mr") == "एक लाख पंचवीस हजार रुपये फक्त"
    assert amount_in_words(1_500_50, "mr") == "एक हजार पाचशे रुपये आणि पन्नास पैसे फक्त"
    assert amount_in_words(1_00_00_000_00, "mr") == "एक कोटी रुपये फक्त"


def test_the_language_code_of_a_request_picks_the_words_and_anything_else_reads_english():
    assert words_language("hi") == "hi" and words_language("mr-IN") == "mr" and words_language("mr_in") == "mr"
    assert words_language("en-in") == words_language(None) == words_language("ta") == "en"
    assert amount_in_words(1_500_50, "en-in") == amount_in_words(1_500_50) == "Rupees one thousand, five hundred and fifty paise only"
    assert amount_in_words(1_500_50, "ta") == amount_in_words(1_500_50)


def test_a_negative_number_or_an_unknown_language_is_refused():
    with pytest.raises(ValueError):
        number_in_words(-1, "hi")
    with pytest.raises(ValueError):
        number_in_words(5, "en")
    with pytest.raises(ValueError):
        amount_in_words(-1, "mr")
