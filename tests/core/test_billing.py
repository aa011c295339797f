"""GST per line in paise, the rounding rule, financial years and amounts (anagen.core.billing)."""

from datetime import date

import pytest

from anagen.core.billing import (
    FinancialYear,
    LineInput,
    TaxClass,
    amount_in_words,
    balance_due,
    check_gstin,
    check_payment,
    check_redemption,
    check_refund,
    financial_year,
    format_paise,
    invoice_number,
    invoice_totals,
    is_intra_state,
    line_tax,
    parse_rupees,
    round_half_up,
)
from anagen.core.errors import InvalidInput, InvalidState


def test_half_a_paisa_rounds_up_and_less_rounds_down():
    assert round_half_up(5, 10) == 1
    assert round_half_up(4, 10) == 0
    assert round_half_up(15, 10) == 2
    assert round_half_up(-5, 10) == -1


def test_an_intra_state_cosmetic_line_splits_18_percent_into_equal_cgst_and_sgst():
    tax = line_tax(10_000_00, 1800, intra_state=True)  # ₹10,000
    assert (tax.cgst_paise, tax.sgst_paise, tax.igst_paise) == (90_000, 90_000, 0)
    assert tax.total_paise == 11_800_00


def test_an_inter_state_line_carries_igst_only():
    tax = line_tax(10_000_00, 1800, intra_state=False)
    assert (tax.cgst_paise, tax.sgst_paise, tax.igst_paise) == (0, 0, 1_800_00)


def test_cgst_and_sgst_are_each_rounded_half_up_to_the_paisa_and_sum_exactly():
    # 9% of 1,005 paise = 90.45 → 90 each; 18% of it = 180.9 → 181 inter-state.
    intra = line_tax(1_005, 1800, intra_state=True)
    inter = line_tax(1_005, 1800, intra_state=False)
    assert intra.cgst_paise == intra.sgst_paise == 90
    assert intra.tax_paise == 180
    assert inter.igst_paise == 181  # the documented one-paisa difference between the two forms
    # 9% of 1,050 paise = 94.5 → 95 each (half-up).
    assert line_tax(1_050, 1800, intra_state=True).cgst_paise == 95


def test_every_split_sums_to_its_line_total_for_many_amounts():
    for taxable in range(0, 5_000, 7):
        tax = line_tax(taxable, 1800, intra_state=True)
        assert tax.cgst_paise == tax.sgst_paise
        assert tax.total_paise == taxable + tax.cgst_paise + tax.sgst_paise


def test_exempt_and_taxed_lines_total_line_by_line():
    lines = [
        LineInput("6-session intensive course", TaxClass.MEDICAL_EXEMPT, 0, 36_000_00),
        LineInput("Cosmetic scalp session", TaxClass.COSMETIC, 1800, 2_999_99),
        LineInput("Hair serum", TaxClass.GOODS, 1800, 333_33, quantity=3),
    ]
    totals = invoice_totals(lines, intra_state=True)
    assert totals.lines[0].tax_paise == 0
    assert totals.taxable_paise == 36_000_00 + 2_999_99 + 999_99
    # 9% of 299,999 = 26,999.91 → 27,000; 9% of 99,999 = 8,999.91 → 9,000
    assert totals.cgst_paise == totals.sgst_paise == 27_000 + 9_000
    assert totals.total_paise == totals.taxable_paise + 2 * 36_000


def test_it_refuses_gst_on_exempt_medical_treatment_and_odd_rates():
    with pytest.raises(InvalidInput) as exc:
        invoice_totals([LineInput("x", TaxClass.MEDICAL_EXEMPT, 1800, 100)], True)
    assert exc.value.errors[0].field == "lines.0.rate_bp"
    with pytest.raises(InvalidInput):
        invoice_totals([LineInput("x", TaxClass.COSMETIC, 1700, 100)], True)


def test_it_refuses_an_empty_invoice_and_a_zero_quantity():
    with pytest.raises(InvalidInput):
        invoice_totals([], True)
    with pytest.raises(InvalidInput) as exc:
        invoice_totals([LineInput("x", TaxClass.GOODS, 1800, 100, quantity=0)], True)
    assert exc.value.errors[0].field == "lines.0.quantity"


def test_a_customer_of_unknown_state_is_billed_within_the_clinics_state():
    assert is_intra_state("27", "")
    assert is_intra_state("27", "27")
    assert not is_intra_state("27", "29")


def test_the_financial_year_turns_on_the_first_of_april():
    assert financial_year(date(2026, 3, 31)) == FinancialYear(2025)
    assert financial_year(date(2026, 4, 1)) == FinancialYear(2026)
    assert financial_year(date(2026, 4, 1)).label == "2026-27"
    assert FinancialYear(1999).label == "1999-00"


def test_invoice_numbers_carry_prefix_year_and_four_digits():
    assert invoice_number("MUM", FinancialYear(2026), 1) == "MUM/2026-27/0001"
    assert invoice_number("MUM", FinancialYear(2026), 12345) == "MUM/2026-27/12345"


def test_rupees_parse_exactly_to_paise_and_refuse_fractions_of_a_paisa():
    assert parse_rupees("1,500.50") == 150_050
    assert parse_rupees("0.1") == 10
    assert parse_rupees("₹ 24000") == 24_000_00
    for bad in ("", "abc", "1.005", "-5", "0", "NaN", "1e400"):
        with pytest.raises(InvalidInput):
            parse_rupees(bad)


def test_amounts_show_with_indian_digit_grouping():
    assert format_paise(150_050) == "₹1,500.50"
    assert format_paise(12_34_56_789_00) == "₹12,34,56,789.00"
    assert format_paise(5) == "₹0.05"


def test_payments_cannot_exceed_the_balance_and_refunds_cannot_exceed_what_was_paid():
    assert balance_due(1000, 600, 100) == 500
    check_payment(500, 1000, 600, 100)
    with pytest.raises(InvalidInput):
        check_payment(501, 1000, 600, 100)
    check_refund(500, 600, 100)
    with pytest.raises(InvalidInput):
        check_refund(501, 600, 100)


def test_a_package_is_never_redeemed_below_zero():
    assert check_redemption(6, 5) == 0
    with pytest.raises(InvalidState):
        check_redemption(6, 6)


def test_a_gstin_must_have_the_right_shape_and_state():
    assert check_gstin("27abcde1234f1z5", "27") == "27ABCDE1234F1Z5"
    with pytest.raises(InvalidInput):
        check_gstin("27ABCDE1234F1Z5", "29")
    with pytest.raises(InvalidInput):
        check_gstin("12345")


def test_a_discount_comes_off_the_price_before_gst_is_computed():
    # ₹3,000 cosmetic session less ₹500: GST at 18% on ₹2,500 (CGST Act s.15(3)(a)).
    totals = invoice_totals([LineInput("Cosmetic scalp session", TaxClass.COSMETIC, 1800, 3_000_00, discount_paise=500_00)], True)
    line = totals.lines[0]
    assert line.taxable_paise == 2_500_00
    assert line.cgst_paise == line.sgst_paise == 225_00
    assert totals.total_paise == 2_950_00


def test_a_discount_larger_than_the_line_or_below_zero_is_refused_naming_the_line():
    with pytest.raises(InvalidInput) as exc:
        invoice_totals([LineInput("x", TaxClass.GOODS, 1800, 100_00, quantity=2, discount_paise=200_01)], True)
    assert exc.value.errors[0].field == "lines.0.discount"
    assert "₹200.00" in exc.value.errors[0].message
    with pytest.raises(InvalidInput) as exc:
        invoice_totals([LineInput("x", TaxClass.GOODS, 1800, 100_00), LineInput("y", TaxClass.GOODS, 1800, 100_00, discount_paise=-1)], True)
    assert exc.value.errors[0].field == "lines.1.discount"


def test_a_whole_line_given_free_is_allowed_and_carries_no_tax():
    totals = invoice_totals([LineInput("Hair serum", TaxClass.GOODS, 1800, 999_00, discount_paise=999_00)], False)
    assert totals.lines[0].taxable_paise == 0 and totals.total_paise == 0


def test_amounts_in_words_use_lakh_and_crore_and_name_the_paise():
    assert amount_in_words(1_500_50) == "Rupees one thousand, five hundred and fifty paise only"
    assert amount_in_words(1_50_000_00) == "Rupees one lakh, fifty thousand only"
    assert amount_in_words(1_23_45_678_00) == "Rupees one crore, twenty-three lakh, forty-five thousand, six hundred and seventy-eight only"
    assert amount_in_words(0) == "Rupees zero only"
    assert amount_in_words(1) == "Rupees zero and one paise only"
    with pytest.raises(ValueError):
        amount_in_words(-1)


def test_a_course_longer_than_its_packages_leaves_sessions_not_covered():
    from anagen.core.billing import sessions_not_covered

    assert sessions_not_covered(8, 6) == 2
    assert sessions_not_covered(6, 6) == 0
    assert sessions_not_covered(6, 8) == 0
    with pytest.raises(InvalidInput):
        sessions_not_covered(-1, 6)
