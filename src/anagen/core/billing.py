"""Money and GST rules for invoices: integer paise, never floats.

Sources:
- GST on health care: services by a clinical establishment by way of health care are exempt
  (SAC 9993); cosmetic or plastic surgery that is not restorative is taxed (SAC 999722, 18%)
  (domain.md §8; Notification 12/2017-Central Tax (Rate), entry 74). Which of a clinic's
  services are cosmetic is clinic protocol (configurable: the tax class of each price-list item).
- Intra-state supply: CGST + SGST, each at half the rate; inter-state: IGST at the full rate
  (IGST Act 2017 s.5, CGST Act 2017 s.9). Place of supply for services to an unregistered
  customer whose state is not known: the location of the supplier (IGST Act s.12(2)(b)).
- A discount shown on the invoice at the time of supply is not part of the value of supply: GST
  is computed on the price after the discount (CGST Act 2017 s.15(3)(a)).
- Amount in words: customary on Indian invoices (not required by rule 46), written with the Indian
  numbering system (lakh, crore): in English by num2words' en_IN language, in Hindi and Marathi by
  anagen.core.number_words (num2words has neither).
- India's financial year runs 1 April to 31 March; invoice numbers are consecutive and unique per
  financial year, at most 16 characters (CGST Rules 2017, rule 46(b)).

Rounding (the one rule, applied per line, never to totals):
    taxable = unit price (paise) × quantity − discount (paise)
    intra-state: CGST = round_half_up(taxable × rate / 2), SGST = the same amount
    inter-state: IGST = round_half_up(taxable × rate)
Each component is computed on the line's taxable value at its own rate and rounded half-up to
the paisa once, so CGST and SGST are always equal and CGST + SGST = the line's tax exactly.
Invoice totals are plain sums of the rounded line amounts. Consequence (tested): an odd
inter-state amount can differ by one paisa from the same line billed intra-state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from babel.numbers import format_decimal
from num2words import num2words

from anagen.core.errors import InvalidInput, InvalidState
from anagen.core.number_words import number_in_words

PAISE_PER_RUPEE = 100
BASIS_POINTS = 10_000
# The largest amount one line or payment may carry: ₹1 crore. A typing error beyond this.
MAX_AMOUNT_PAISE = 1_00_00_000 * PAISE_PER_RUPEE
MAX_QUANTITY = 1000


class TaxClass(StrEnum):
    """The tax class of an invoice line (domain.md §8)."""

    MEDICAL_EXEMPT = "medical_exempt"  # health care by a clinical establishment, SAC 9993, exempt
    COSMETIC = "cosmetic"  # cosmetic procedure, SAC 999722, 18%
    GOODS = "goods"  # products sold over the counter: HSN code and rate as configured


DEFAULT_CODE = {TaxClass.MEDICAL_EXEMPT: "9993", TaxClass.COSMETIC: "999722", TaxClass.GOODS: "3305"}
# Rates in basis points (1800 = 18%). Goods default to 18% (hair preparations, HSN 3305).
DEFAULT_RATE_BP = {TaxClass.MEDICAL_EXEMPT: 0, TaxClass.COSMETIC: 1800, TaxClass.GOODS: 1800}
ALLOWED_RATES_BP = frozenset({0, 500, 1200, 1800, 2800})

# The 2-digit GST state codes (the first two characters of a GSTIN).
STATE_CODES = {
    "01": "Jammu and Kashmir", "02": "Himachal Pradesh", "03": "Punjab", "04": "Chandigarh",
    "05": "Uttarakhand", "06": "Haryana", "07": "Delhi", "08": "Rajasthan", "09": "Uttar Pradesh",
    "10": "Bihar", "11": "Sikkim", "12": "Arunachal Pradesh", "13": "Nagaland", "14": "Manipur",
    "15": "Mizoram", "16": "Tripura", "17": "Meghalaya", "18": "Assam", "19": "West Bengal",
    "20": "Jharkhand", "21": "Odisha", "22": "Chhattisgarh", "23": "Madhya Pradesh", "24": "Gujarat",
    "26": "Dadra and Nagar Haveli and Daman and Diu", "27": "Maharashtra", "29": "Karnataka",
    "30": "Goa", "31": "Lakshadweep", "32": "Kerala", "33": "Tamil Nadu", "34": "Puducherry",
    "35": "Andaman and Nicobar Islands", "36": "Telangana", "37": "Andhra Pradesh", "38": "Ladakh",
}

GSTIN_PATTERN = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up (away from zero for .5) to a whole number, exactly."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return sign * quotient


@dataclass(frozen=True)
class LineInput:
    description: str
    tax_class: TaxClass
    rate_bp: int
    unit_price_paise: int
    quantity: int = 1
    code: str = ""
    discount_paise: int = 0

    @property
    def gross_paise(self) -> int:
        return self.unit_price_paise * self.quantity


@dataclass(frozen=True)
class LineTax:
    taxable_paise: int
    cgst_paise: int
    sgst_paise: int
    igst_paise: int

    @property
    def tax_paise(self) -> int:
        return self.cgst_paise + self.sgst_paise + self.igst_paise

    @property
    def total_paise(self) -> int:
        return self.taxable_paise + self.tax_paise


@dataclass(frozen=True)
class InvoiceTotals:
    lines: tuple[LineTax, ...]
    taxable_paise: int
    cgst_paise: int
    sgst_paise: int
    igst_paise: int
    total_paise: int


def check_rate(tax_class: TaxClass, rate_bp: int, field: str = "rate_bp") -> None:
    if tax_class == TaxClass.MEDICAL_EXEMPT and rate_bp != 0:
        raise InvalidInput.single(field, "Exempt medical treatment (SAC 9993) carries no GST: the rate must be 0%.")
    if tax_class != TaxClass.MEDICAL_EXEMPT and rate_bp not in ALLOWED_RATES_BP:
        raise InvalidInput.single(field, "The GST rate must be one of 0%, 5%, 12%, 18% or 28%.")


def line_tax(taxable_paise: int, rate_bp: int, intra_state: bool) -> LineTax:
    """GST on one line's taxable value; see the module docstring for the rounding rule."""
    if taxable_paise < 0:
        raise InvalidInput.single("unit_price", "A price cannot be negative.")
    if intra_state:
        half = round_half_up(taxable_paise * rate_bp, 2 * BASIS_POINTS)
        return LineTax(taxable_paise, half, half, 0)
    return LineTax(taxable_paise, 0, 0, round_half_up(taxable_paise * rate_bp, BASIS_POINTS))


def invoice_totals(lines: Iterable[LineInput], intra_state: bool) -> InvoiceTotals:
    """Tax per line, then totals as sums of the rounded line amounts."""
    taxes: list[LineTax] = []
    for index, line in enumerate(lines):
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise InvalidInput.single(f"lines.{index}.quantity", f"The quantity must be between 1 and {MAX_QUANTITY}.")
        check_rate(line.tax_class, line.rate_bp, f"lines.{index}.rate_bp")
        if line.gross_paise > MAX_AMOUNT_PAISE:
            raise InvalidInput.single(f"lines.{index}.unit_price", "This line is larger than ₹1,00,00,000: check the amount.")
        if line.discount_paise < 0:
            raise InvalidInput.single(f"lines.{index}.discount", "A discount cannot be negative.")
        if line.discount_paise > line.gross_paise:
            raise InvalidInput.single(f"lines.{index}.discount",
                                      f"The discount is more than the line's price ({format_paise(line.gross_paise)}).")
        taxes.append(line_tax(line.gross_paise - line.discount_paise, line.rate_bp, intra_state))
    if not taxes:
        raise InvalidInput.single("lines", "An invoice needs at least one line.")
    return InvoiceTotals(
        lines=tuple(taxes),
        taxable_paise=sum(t.taxable_paise for t in taxes),
        cgst_paise=sum(t.cgst_paise for t in taxes),
        sgst_paise=sum(t.sgst_paise for t in taxes),
        igst_paise=sum(t.igst_paise for t in taxes),
        total_paise=sum(t.total_paise for t in taxes),
    )


def is_intra_state(clinic_state_code: str, customer_state_code: str) -> bool:
    """Intra-state when the customer is in the clinic's state, or their state is not known
    (place of supply = the supplier's location, IGST Act s.12(2)(b))."""
    return not customer_state_code or customer_state_code == clinic_state_code


# --- financial year and numbering ----------------------------------------------------------


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int

    @property
    def label(self) -> str:
        """2026-27 for the year from 1 April 2026 to 31 March 2027."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def first_day(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, 3, 31)


def financial_year(day: date) -> FinancialYear:
    """India's financial year containing ``day`` (1 April to 31 March)."""
    return FinancialYear(day.year if day.month >= 4 else day.year - 1)


def invoice_number(prefix: str, fy: FinancialYear, sequence: int) -> str:
    """``MUM/2026-27/0001``: per clinic prefix, financial year, 4-digit (or longer) sequence."""
    if sequence < 1:
        raise ValueError("invoice sequences start at 1")
    return f"{prefix}/{fy.label}/{sequence:04d}"


PREFIX_PATTERN = re.compile(r"^[A-Z0-9]{1,6}$")


def check_prefix(prefix: str) -> str:
    prefix = prefix.strip().upper()
    if not PREFIX_PATTERN.match(prefix):
        raise InvalidInput.single("invoice_prefix", "Use 1 to 6 capital letters or digits, e.g. MUM.")
    return prefix


def check_state_code(code: str, field: str = "state_code") -> str:
    code = code.strip()
    if code and code not in STATE_CODES:
        raise InvalidInput.single(field, "Choose a GST state code from the list (e.g. 27 for Maharashtra).")
    return code


def check_gstin(gstin: str, state_code: str = "", field: str = "gstin") -> str:
    """A GSTIN's shape: 2-digit state, 10-character PAN, entity digit, 'Z', check character.

    The check character is not verified (format only); the first two digits must match the
    clinic's state when both are given.
    """
    gstin = gstin.strip().upper()
    if not gstin:
        return ""
    if not GSTIN_PATTERN.match(gstin) or gstin[:2] not in STATE_CODES:
        raise InvalidInput.single(field, "A GSTIN has 15 characters, e.g. 27ABCDE1234F1Z5.")
    if state_code and gstin[:2] != state_code:
        raise InvalidInput.single(field, f"This GSTIN is registered in state {gstin[:2]}, not {state_code}.")
    return gstin


# --- amounts ---------------------------------------------------------------------------------


def parse_rupees(text: str, field: str = "amount", *, allow_zero: bool = False) -> int:
    """'1,500.50' or '1500.5' (rupees) → 150050 paise, exactly; at most two decimal places."""
    cleaned = (text or "").strip().replace(",", "").removeprefix("₹").strip()
    if not cleaned:
        raise InvalidInput.single(field, "Enter an amount in rupees, e.g. 1500 or 1500.50.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise InvalidInput.single(field, "Enter an amount in rupees, e.g. 1500 or 1500.50.") from exc
    if not value.is_finite() or abs(value) > MAX_AMOUNT_PAISE:
        raise InvalidInput.single(field, "Enter an amount in rupees, e.g. 1500 or 1500.50.")
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput.single(field, "Amounts have at most two decimal places (paise).")
    paise = int(value * PAISE_PER_RUPEE)
    if paise < 0 or (paise == 0 and not allow_zero):
        raise InvalidInput.single(field, "The amount must be more than zero." if not allow_zero else "The amount cannot be negative.")
    if paise > MAX_AMOUNT_PAISE:
        raise InvalidInput.single(field, "The amount is larger than ₹1,00,00,000: check it.")
    return paise


def format_paise(paise: int, symbol: str = "₹") -> str:
    """150050 → '₹1,500.50'; 1234567800 → '₹1,23,45,678.00': Indian digit grouping and Latin
    digits in every language. CLDR's en_IN pattern through babel; CLDR's own Marathi pattern groups
    in thousands (123,456.00), which no Mumbai bill does, so the pattern is fixed, not the reader's."""
    sign = "-" if paise < 0 else ""
    amount = Decimal(abs(paise)).scaleb(-2)
    return f"{sign}{symbol}{format_decimal(amount, format='#,##,##0.00', locale='en_IN')}"


# Hindi and Marathi: "<rupees> रुपये और <paise> पैसे मात्र" / "… रुपये आणि … पैसे फक्त" (one: रुपया, पैसा).
_RUPEE_WORDS = {
    "hi": {"rupee": "रुपया", "rupees": "रुपये", "paisa": "पैसा", "paise": "पैसे", "and": "और", "only": "मात्र"},
    "mr": {"rupee": "रुपया", "rupees": "रुपये", "paisa": "पैसा", "paise": "पैसे", "and": "आणि", "only": "फक्त"},
}


def words_language(language: str | None) -> str:
    """The language an amount is written in for a language code: 'hi' or 'mr' (any region,
    'hi-in'), else 'en' (English as in India)."""
    base = (language or "").lower().replace("_", "-").split("-")[0]
    return base if base in _RUPEE_WORDS else "en"


def amount_in_words(paise: int, language: str | None = "en") -> str:
    """150050 → 'Rupees one thousand, five hundred and fifty paise only'; lakh and crore as in
    India (12345678 rupees: 'one crore, twenty-three lakh, ...'). In Hindi ('hi'): 'एक हज़ार पाँच
    सौ रुपये और पचास पैसे मात्र'; in Marathi ('mr'): 'एक हजार पाचशे रुपये आणि पन्नास पैसे फक्त'.
    Any other language code reads English."""
    if paise < 0:
        raise ValueError("an amount in words is never negative")
    whole, fraction = divmod(paise, PAISE_PER_RUPEE)
    language = words_language(language)
    if language != "en":
        w = _RUPEE_WORDS[language]
        words = f"{number_in_words(whole, language)} {w['rupee'] if whole == 1 else w['rupees']}"
        if fraction:
            words += f" {w['and']} {number_in_words(fraction, language)} {w['paisa'] if fraction == 1 else w['paise']}"
        return f"{words} {w['only']}"
    words = f"Rupees {num2words(whole, lang='en_IN')}"
    if fraction:
        words += f" and {num2words(fraction, lang='en_IN')} paise"
    return words + " only"


def rupees_text(paise: int) -> str:
    """The plain decimal form for a form field: 150050 → '1500.50'."""
    whole, fraction = divmod(paise, PAISE_PER_RUPEE)
    return f"{whole}.{fraction:02d}"


# --- payments, refunds, packages ---------------------------------------------------------


def balance_due(total_paise: int, paid_paise: int, refunded_paise: int) -> int:
    """What the patient still owes: total − (paid − refunded). Never below zero."""
    return max(0, total_paise - (paid_paise - refunded_paise))


def check_payment(amount_paise: int, total_paise: int, paid_paise: int, refunded_paise: int) -> None:
    due = balance_due(total_paise, paid_paise, refunded_paise)
    if amount_paise <= 0:
        raise InvalidInput.single("amount", "The amount must be more than zero.")
    if amount_paise > due:
        raise InvalidInput.single("amount", f"Only {format_paise(due)} is due on this invoice.")


def check_refund(amount_paise: int, paid_paise: int, refunded_paise: int) -> None:
    refundable = paid_paise - refunded_paise
    if amount_paise <= 0:
        raise InvalidInput.single("amount", "The amount must be more than zero.")
    if amount_paise > refundable:
        raise InvalidInput.single("amount", f"At most {format_paise(refundable)} can be refunded (paid less already refunded).")


def check_redemption(sessions_total: int, sessions_used: int) -> int:
    """Sessions left after redeeming one; refuses when none is left (never below zero)."""
    if sessions_used >= sessions_total:
        raise InvalidState("This package has no sessions left.", field="package")
    return sessions_total - sessions_used - 1


def sessions_not_covered(planned_sessions: int, covered_sessions: int) -> int:
    """How many of a course's planned sessions no package pays for (0 when the packages cover the
    course or more).

    ``planned_sessions`` is the course's plan (intensive plus maintenance sessions, as
    anagen.core.course plans them, domain.md §1); ``covered_sessions`` the sessions of every
    package sold for that course. A course longer than its packages is a notice at invoicing,
    never a refusal: the clinic may bill the remaining sessions singly (clinic protocol).
    """
    if planned_sessions < 0 or covered_sessions < 0:
        raise InvalidInput.single("sessions", "Session counts are never negative.")
    return max(0, planned_sessions - covered_sessions)
