"""Whether a contact's numbers and email are written as they can be dialled and sent to (rule contact-format)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[ -]")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")  # area code (010, 0571...) and a 7- or 8-digit number
_SERVICE = re.compile(r"[48]00\d{7}|95\d{3,6}")  # 400/800 numbers and the short service numbers
_INTERNATIONAL = re.compile(r"\+[1-9]\d{6,14}")  # E.164
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def _digits(text: str) -> str:
    return _SEPARATORS.sub("", text)


def _mainland(text: str) -> str | None:
    """The number without separators and without a +86 prefix; None when it is another country's (+852...)."""
    number = _digits(text)
    if number.startswith("+86"):
        return number[3:]
    return None if number.startswith("+") else number


def mobile_problem(text: str) -> str | None:
    """What is wrong with a mobile number, or None: a mainland mobile has 11 digits (1, then 3-9, then 9 more)."""
    number = _mainland(text)
    if number is None:
        return (
            None if _INTERNATIONAL.fullmatch(_digits(text)) else "is not an international number (+, then 7-15 digits)"
        )
    if _MAINLAND_MOBILE.fullmatch(number):
        return None
    if number.isdigit() and number.startswith("1"):
        return f"has {len(number)} digits; a mainland mobile has 11"
    return "is not a mainland mobile (11 digits starting with 13-19)"


def phone_problem(text: str) -> str | None:
    """What is wrong with an office phone, or None: an area code and number, a 400/800 or 95 number, or a mobile."""
    number = _mainland(text)
    if number is None:
        return (
            None if _INTERNATIONAL.fullmatch(_digits(text)) else "is not an international number (+, then 7-15 digits)"
        )
    if _LANDLINE.fullmatch(number) or _SERVICE.fullmatch(number) or _MAINLAND_MOBILE.fullmatch(number):
        return None
    main, _, extension = text.rpartition("-")  # 010-65880017-8001: an extension after the last hyphen
    if main and extension.isdigit() and len(extension) <= 6 and _LANDLINE.fullmatch(_mainland(main) or ""):
        return None
    return f"is not a mainland phone number (area code and number, 10-12 digits; {len(number)} given)"


def email_problem(text: str) -> str | None:
    """What is wrong with an email address, or None: a local part, @, and a domain with a top-level name."""
    if _EMAIL.fullmatch(text) and len(text) <= 254:
        return None
    return "is not an email address (name@domain.tld, letters, digits, dots and hyphens in the domain)"
