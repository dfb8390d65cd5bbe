"""Masking of personal data. Lists, tables and exports show masked values unless a reveal is logged."""

ID_NUMBER = "id_number"
PHONE = "phone"


def mask_id_number(value: str) -> str:
    """330603199001011234 → 330603********1234 (region kept, birth date and sequence hidden)."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


MASKERS = {ID_NUMBER: mask_id_number, PHONE: mask_phone}


def mask(kind: str, value) -> str:
    return MASKERS[kind](value)
