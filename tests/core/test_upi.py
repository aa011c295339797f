"""The UPI payment link and the payee's UPI ID (anagen.core.upi)."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from anagen.core.errors import InvalidInput
from anagen.core.upi import check_payee_name, check_upi_id, payment_uri, rupees_text


def _parameters(uri: str) -> dict[str, str]:
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("upi", "pay")
    return dict(parse_qsl(parts.query, strict_parsing=True))


def test_the_link_carries_payee_amount_in_rupees_currency_and_invoice_number():
    uri = payment_uri(upi_id="anagen@okhdfcbank", payee_name="Anagen Hair Clinic", amount_paise=1_234_550,
                      reference="MUM/2026-27/0042", note="Invoice MUM/2026-27/0042")
    assert _parameters(uri) == {"pa": "anagen@okhdfcbank", "pn": "Anagen Hair Clinic", "am": "12345.50", "cu": "INR",
                                "tr": "MUM/2026-27/0042", "tn": "Invoice MUM/2026-27/0042"}


def test_spaces_are_percent_encoded_never_plus_signs_which_some_upi_apps_show_literally():
    uri = payment_uri(upi_id="anagen@ybl", payee_name="Dr Rao & Co", amount_paise=100, reference="INV/1")
    assert "pn=Dr%20Rao%20%26%20Co" in uri
    assert "+" not in uri


def test_the_amount_is_exact_in_paise_without_floating_point():
    assert rupees_text(1) == "0.01"
    assert rupees_text(10) == "0.10"
    assert rupees_text(2_999_999_999) == "29999999.99"


@pytest.mark.parametrize("paise", [0, -100])
def test_a_link_for_nothing_or_a_negative_amount_is_refused(paise):
    with pytest.raises(ValueError):
        payment_uri(upi_id="anagen@ybl", payee_name="Anagen", amount_paise=paise, reference="INV/1")


def test_a_long_payee_name_is_cut_to_what_upi_apps_show():
    uri = payment_uri(upi_id="anagen@ybl", payee_name="A" * 80, amount_paise=100, reference="INV/1")
    assert _parameters(uri)["pn"] == "A" * 50


@pytest.mark.parametrize("value, stored", [("AnagenClinic@OKHDFCBANK", "anagenclinic@okhdfcbank"),
                                           ("  ravi.k-98_x@ybl ", "ravi.k-98_x@ybl"), ("", "")])
def test_a_upi_id_is_stored_trimmed_in_lower_case_and_blank_clears_it(value, stored):
    assert check_upi_id(value) == stored


@pytest.mark.parametrize("value", ["anagen", "anagen@", "@ybl", "a@ybl", "ana gen@ybl", "anagen@okhdfc.bank", "anagen@9bank",
                                   "upi://pay?pa=x@ybl"])
def test_a_malformed_upi_id_is_refused_naming_the_field(value):
    with pytest.raises(InvalidInput) as caught:
        check_upi_id(value)
    assert caught.value.errors[0].field == "upi_id"


def test_the_payee_name_is_tidied_and_refused_when_longer_than_upi_apps_show():
    assert check_payee_name("  Anagen   Hair  Clinic ") == "Anagen Hair Clinic"
    with pytest.raises(InvalidInput):
        check_payee_name("x" * 51)
