"""UPI payment requests: the ``upi://pay`` link a patient's UPI app opens from a QR code, and the
payee's UPI ID (VPA) it pays.

Source: NPCI, *UPI Linking Specifications*, version 1.6: the deep link ``upi://pay?`` with the
parameters ``pa`` (payee address, mandatory), ``pn`` (payee name, mandatory), ``tr`` (the payee's
transaction reference, e.g. a bill number), ``tn`` (a note), ``am`` (the amount in rupees, at most
two decimals) and ``cu`` (currency: only ``INR``). A payee address is ``handle@psp``: the handle
letters, digits, dots, hyphens and underscores, the PSP part letters and digits.

Why the link carries the amount due and the invoice number: the payer's app shows them for
approval, so the patient pays the right sum, and the bank statement's reference finds the invoice
when reception records the payment.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from anagen.core.errors import InvalidInput

UPI_ID = re.compile(r"^[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9]{1,63}$")
PAYEE_NAME_MAX_CHARS = 50
NOTE_MAX_CHARS = 50
# Characters left as they are in the link: '@' of the UPI ID and '/' of invoice numbers are read
# by every UPI app; everything else is percent-encoded (a '+' for a space is not).
_SAFE = "@/-._"


def check_upi_id(value: str, field: str = "upi_id") -> str:
    """The UPI ID as stored (trimmed, lower case: UPI IDs are not case-sensitive); '' clears it."""
    value = (value or "").strip()
    if not value:
        return ""
    if not UPI_ID.match(value):
        raise InvalidInput.single(field, "Enter a UPI ID as name@bank, e.g. anagenclinic@okhdfcbank.")
    return value.lower()


def check_payee_name(value: str, field: str = "upi_payee_name") -> str:
    value = " ".join((value or "").split())
    if len(value) > PAYEE_NAME_MAX_CHARS:
        raise InvalidInput.single(field, f"The name shown to the payer has at most {PAYEE_NAME_MAX_CHARS} characters.")
    return value


def rupees_text(amount_paise: int) -> str:
    """12345 → '123.45': the ``am`` parameter, exact (integer paise, never a float)."""
    whole, fraction = divmod(amount_paise, 100)
    return f"{whole}.{fraction:02d}"


def payment_uri(*, upi_id: str, payee_name: str, amount_paise: int, reference: str, note: str = "") -> str:
    """The ``upi://pay`` link for one payment of ``amount_paise`` to ``upi_id``."""
    if amount_paise <= 0:
        raise ValueError("a UPI payment request is for an amount above zero")
    if not UPI_ID.match(upi_id):
        raise ValueError("not a UPI ID")
    parameters = [("pa", upi_id), ("pn", payee_name[:PAYEE_NAME_MAX_CHARS]), ("am", rupees_text(amount_paise)),
                  ("cu", "INR"), ("tr", reference)]
    if note:
        parameters.append(("tn", note[:NOTE_MAX_CHARS]))
    return "upi://pay?" + "&".join(f"{key}={quote(value, safe=_SAFE)}" for key, value in parameters)
