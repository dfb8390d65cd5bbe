"""Pure rules of the registry: identifier checks and values derived from them."""
from datetime import date

from django.core.exceptions import ValidationError
from localflavor.cn.forms import CNIDCardField
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

_ID_FIELD = CNIDCardField(min_length=18, max_length=18)


def credit_code_valid(value: str) -> bool:
    """Unified social credit code: 18 characters with the GB 32100-2015 check character."""
    try:
        uscc.validate(value)
    except StdnumError:
        return False
    return True


def id_number_problem(value: str, today: date | None = None) -> str | None:
    """Why ``value`` is not a resident ID number (GB 11643-1999), or None when it is one.

    Checks (django-localflavor's CN field): 18 characters, a known province code, a real birth date,
    the ISO 7064 MOD 11-2 check character; then that the birth date is not in the future.
    Reasons: "length", "invalid", "birthday", "location", "checksum", "future".
    """
    value = normalise_id_number(value)
    if len(value) != 18:
        return "length"
    try:
        _ID_FIELD.clean(value)
    except ValidationError as exc:
        return exc.error_list[0].code or "invalid"
    if birth_date_from_id(value) > (today or date.today()):
        return "future"
    return None


def id_number_valid(value: str) -> bool:
    return id_number_problem(value) is None


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


def birth_date_from_id(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def sex_from_id(value: str) -> str:
    """The 17th digit is odd for men and even for women (GB 11643)."""
    return "M" if int(value[16]) % 2 else "F"


def birth_decade(born: date) -> int:
    """1993-05-01 → 1990 (shown as 90后)."""
    return born.year // 10 * 10


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_character(body: str) -> str:
    """The 18th character of a resident ID number from its first 17 digits (GB 11643, ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(body[:17], _ID_WEIGHTS))
    return "10X98765432"[total % 11]


def credit_code_check_character(body: str) -> str:
    """The 18th character of a unified social credit code from its first 17 (GB 32100)."""
    return uscc.calc_check_digit(body[:17])
