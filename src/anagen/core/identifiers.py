"""Identifiers of the patient registry: Indian phone numbers, ABHA numbers and ABHA addresses.

Sources: ABDM Health ID specification (ABHA number: 14 digits, shown XX-XXXX-XXXX-XXXX; ABHA
address: ``username@abdm``, 8-18 characters of letters and digits with at most one dot and one
underscore, neither at the start nor the end); ITU-T E.164 for phone numbers.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

DEFAULT_PHONE_REGION = "IN"

ABHA_NUMBER_DIGITS = 14
_ABHA_ADDRESS = re.compile(r"^(?P<user>[A-Za-z0-9._]{8,18})@(?P<domain>abdm|sbx)$")


class IdentifierError(ValueError):
    pass


def normalise_phone(raw: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """A phone number in E.164 (``+919820012345``); numbers without a country code are Indian."""
    text = raw.strip()
    if not text:
        raise IdentifierError("Enter a phone number.")
    message = "Enter a valid phone number, e.g. 98200 12345 or +44 20 7946 0958."
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise IdentifierError(message) from exc
    if not phonenumbers.is_valid_number(number):
        raise IdentifierError(message)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=8192)
def format_phone(e164: str) -> str:
    """The international format for display: ``+91 98200 12345``."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164


def normalise_abha_number(raw: str) -> str:
    """Fourteen digits with separators removed; anything else is refused."""
    digits = re.sub(r"[\s-]", "", raw.strip())
    if not digits.isdigit() or len(digits) != ABHA_NUMBER_DIGITS:
        raise IdentifierError("An ABHA number has exactly 14 digits, e.g. 91-1234-5678-9012.")
    return digits


def format_abha_number(digits: str) -> str:
    if len(digits) != ABHA_NUMBER_DIGITS:
        return digits
    return f"{digits[:2]}-{digits[2:6]}-{digits[6:10]}-{digits[10:]}"


def normalise_abha_address(raw: str) -> str:
    text = raw.strip().lower()
    match = _ABHA_ADDRESS.match(text)
    if not match:
        raise IdentifierError(
            "An ABHA address looks like name@abdm: 8 to 18 letters or digits, "
            "with at most one dot and one underscore."
        )
    user = match.group("user")
    if user.count(".") > 1 or user.count("_") > 1:
        raise IdentifierError("An ABHA address may contain at most one dot and one underscore.")
    if user[0] in "._" or user[-1] in "._":
        raise IdentifierError("An ABHA address may not start or end with a dot or an underscore.")
    return text


def normalise_indian_mobile(raw: str) -> str:
    """An Indian mobile number in E.164 (``+919820012345``), the only kind a one-time code by SMS
    or WhatsApp can reach: a landline or a foreign number is refused."""
    number_e164 = normalise_phone(raw)
    number = phonenumbers.parse(number_e164, None)
    if number.country_code != 91 or phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise IdentifierError("Enter an Indian mobile number, e.g. 98200 12345.")
    return number_e164
