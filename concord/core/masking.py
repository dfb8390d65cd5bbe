"""Masking of personal data: the one rule every page, table, export, API field and the change log use.

The rule (docs/privacy.md says why):
- ID number: the first 2 and the last 1 characters (``33***************4``). The other fields a role
  reads without a reveal (household registration province and city, sex, birth year) restore at
  most the region code and one bit of the sequence; the birth day and the sequence stay hidden,
  some 10^5 candidates, too many to confirm through the rate-limited exact search.
- Mobile number: the first 3 and the last 4 digits (``138****5678``).
- Birth date: the year only (``1990-**-**``): with the full date the ID number's middle is known.
Lists, tables and exports show masked values unless a reveal (or an export "with full personal
data") is logged in the access log.
"""
import re
from datetime import date

ID_NUMBER = "id_number"
PHONE = "phone"
BIRTH_DATE = "birth_date"


def _stars(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail + 2:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail:]


def mask_id_number(value) -> str:
    """330603199001011234 → 33***************4."""
    return _stars(str(value), 2, 1) if value else ""


def mask_phone(value) -> str:
    """13812345678 → 138****5678."""
    return _stars(str(value), 3, 4) if value else ""


def mask_birth_date(value) -> str:
    """1990-01-01 → 1990-**-** (the year only)."""
    if not value:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text[:4] + "-**-**" if re.match(r"^\d{4}", text) else "*" * len(text)


MASKERS = {ID_NUMBER: mask_id_number, PHONE: mask_phone, BIRTH_DATE: mask_birth_date}


def mask(kind: str, value) -> str:
    return MASKERS[kind](value)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_PHONE = re.compile(r"^[\d*]{11}$")


def mask_value(value) -> str:
    """The rule for a value of unknown kind, told by its shape: django-auditlog calls this for the
    personal fields of the change log (``register_audited``), and the change-log pages re-mask
    stored values with it, so entries written under an older rule show no more than this one."""
    text = "" if value is None else str(value)
    if not text or text == "None":
        return text
    if _DATE.match(text):
        return mask_birth_date(text)
    if _PHONE.match(text):
        return mask_phone(text)
    return mask_id_number(text)


def may_reveal(user) -> bool:
    """Whether ``user`` holds a role that may reveal full values (each reveal is logged)."""
    from .scope import REVEAL_ROLES, user_roles

    return bool(getattr(user, "is_superuser", False) or user_roles(user) & REVEAL_ROLES)
