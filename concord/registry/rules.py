"""Pure rules of the registry: identifier checks and values derived from them."""
from datetime import date
from functools import lru_cache
import csv
from pathlib import Path
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from localflavor.cn.forms import CNIDCardField

from .codes import CREDIT_CODE_DEPARTMENTS, PROVINCES, Generation

_ID_FIELD = CNIDCardField(min_length=18, max_length=18)
# Residence permits of Hong Kong, Macao and Taiwan residents carry a citizen-ID-shaped number
# whose region code is 810000, 820000 or 830000 (港澳台居民居住证申领发放办法, 国办发〔2018〕81号):
# the three are accepted alike. 83 is not a GB/T 2260 province (Taiwan is 71), hence added here.
PERMIT_REGIONS = {"810000": "81", "820000": "82", "830000": "71"}
_PROVINCE_CODES = frozenset(PROVINCES) | {code[:2] for code in PERMIT_REGIONS}

# Separators people type or paste inside identifiers: spaces (also the ideographic and the
# no-break space), ASCII and full-width hyphens, dashes.
_SEPARATORS = re.compile(r"[\s\u00a0\u3000\-\uff0d\u2010-\u2015\u2212]+")


def compact(value) -> str:
    """An identifier without the separators people type ("9133-0603 …", "138 0000 1111", "330621-1988…")."""
    return _SEPARATORS.sub("", value or "") if isinstance(value, str) else ("" if value is None else str(value))


# --- unified social credit codes (GB 32100-2015) -------------------------------------------------

# The code's character set: digits and capitals without I, O, Z, S, V (GB 32100-2015 § 4).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^(i) mod 31

CREDIT_CODE_MESSAGES = {
    "length": _("A unified social credit code has 18 characters."),
    "characters": _("A unified social credit code uses digits and capital letters other than I, O, Z, S and V."),
    "department": _("The first character of the credit code is not a registration department of GB 32100 (1–9, A, N or Y)."),
    "type": _("The second character of the credit code is not an organisation type of its registration department (GB 32100)."),
    "region": _("Characters 3 to 8 of the credit code are the registering region's six-digit code."),
    "checksum": _("The check character (the 18th) of the credit code does not match the other 17: a character is probably mistyped."),
}


def normalise_credit_code(value) -> str:
    return compact(value).upper()


def credit_code_problem(value: str) -> str | None:
    """Why ``value`` is not a unified social credit code, or None when it is one (GB 32100-2015):
    18 characters of its alphabet; a registration department and one of its organisation types
    (codes.CREDIT_CODE_DEPARTMENTS); six digits of region; the check character.
    Reasons: "length", "characters", "department", "type", "region", "checksum"."""
    value = normalise_credit_code(value)
    if len(value) != 18:
        return "length"
    if any(c not in CREDIT_CODE_ALPHABET for c in value):
        return "characters"
    types = CREDIT_CODE_DEPARTMENTS.get(value[0])
    if types is None:
        return "department"
    if value[1] not in types:
        return "type"
    if not value[2:8].isdigit():
        return "region"
    if credit_code_check_character(value) != value[17]:
        return "checksum"
    return None


def credit_code_valid(value: str) -> bool:
    return credit_code_problem(value) is None


def credit_code_check_character(body: str) -> str:
    """The 18th character of a unified social credit code from its first 17 (GB 32100-2015 § 4.5,
    after GB/T 17710: weights 3^i mod 31, check = 31 − (sum mod 31))."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(body[:17].upper(), _CREDIT_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


# --- resident ID numbers (GB 11643-1999) ---------------------------------------------------------

_REGIONS_FILE = Path(__file__).parent / "data" / "region_codes.csv"


@lru_cache(maxsize=1)
def region_codes() -> dict[str, str]:
    """Every six-digit GB/T 2260 code in use at any time since 1980 → its latest name (the data
    file's header gives its sources)."""
    with open(_REGIONS_FILE, encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(line for line in fh if not line.startswith("#"))}


_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


def id_number_problem(value: str, today: date | None = None) -> str | None:
    """Why ``value`` is not a resident ID number (GB 11643-1999), or None when it is one.

    The same checks as django-localflavor's CNIDCardField (a table test holds the two equal over
    thousands of inputs), written out because an import validates a million of them: 18
    characters, a known province code, a real birth date, the ISO 7064 MOD 11-2 check character;
    then what localflavor does not check: the six-digit region code is one that GB/T 2260 had at
    some time since 1980 (people keep their number after their county is renamed, so the full
    history, not today's list), or a Hong Kong, Macao or Taiwan residence permit's 810000, 820000
    or 830000; and the birth date is not in the future.
    The region comes after the check character: a mistyped digit is then reported as a mistype.
    Reasons: "length", "invalid", "birthday", "location", "checksum", "region", "future".
    """
    value = normalise_id_number(value)
    if len(value) != 18:
        return "length"
    if not _ID_SHAPE.match(value):
        return "invalid"
    try:
        born = birth_date_from_id(value)
    except ValueError:
        return "birthday"
    if value[:2] not in _PROVINCE_CODES:
        return "location"
    if id_check_character(value) != value[17]:
        return "checksum"
    if value[:6] not in region_codes() and value[:6] not in PERMIT_REGIONS:
        return "region"
    if born > (today or date.today()):
        return "future"
    return None


def id_number_problem_localflavor(value: str) -> str | None:
    """The reference check: django-localflavor's CN ID card field (used by the equality test)."""
    value = normalise_id_number(value)
    if len(value) != 18:
        return "length"
    try:
        _ID_FIELD.clean(value)
    except ValidationError as exc:
        return exc.error_list[0].code or "invalid"
    return None


def id_number_valid(value: str) -> bool:
    return id_number_problem(value) is None


def normalise_id_number(value: str) -> str:
    """Upper case (a typed "x"), without spaces or hyphens."""
    return compact(value).upper()


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


def generation_of(born: date) -> str:
    """The generation code of a birth date: "1980" for 1980–1989 (80后) … "earlier" before 1980."""
    decade = birth_decade(born)
    if decade < 1980:
        return Generation.EARLIER
    return str(min(decade, 2010))


def generation_range(code: str) -> tuple[date | None, date | None]:
    """Birth dates [start, end) of a generation code, for an indexed range filter."""
    if code == Generation.EARLIER:
        return None, date(1980, 1, 1)
    year = int(code)
    return date(year, 1, 1), (date(year + 10, 1, 1) if year < 2010 else None)


def hukou_province_from_id(value: str) -> str:
    """The province of the region code; a residence permit's 81/82/83 gives Hong Kong, Macao or
    Taiwan (71 in GB/T 2260)."""
    if value[:6] in PERMIT_REGIONS:
        return PERMIT_REGIONS[value[:6]]
    code = value[:2]
    return code if code in PROVINCES else ""


_PREFECTURES_FILE = Path(__file__).parent / "data" / "prefectures.csv"


@lru_cache(maxsize=1)
def prefectures() -> dict[str, str]:
    """GB/T 2260 prefecture-level codes (4 digits) → names; see the data file's header for its source."""
    with open(_PREFECTURES_FILE, encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(line for line in fh if not line.startswith("#"))}


def hukou_city_from_id(value: str) -> str:
    """The prefecture (city) of an ID number's region code, or "" when the table lacks it.

    The region code is where the number was first issued, usually the household registration;
    the city stays editable for people who moved their registration since."""
    return prefectures().get(value[:4], "")


def is_migrant_default(hukou_city_code: str, county_code: str) -> bool:
    """A worker is a migrant (外来务工人员) when registered outside the county's prefecture.

    Keqiao (330603) counts Shaoxing (3306) residents as local; codes of the former 绍兴县 (330621)
    are inside that prefecture, so they stay local after the 2013 renaming."""
    return not hukou_city_code.startswith(county_code[:4])


EMPLOYMENT_MESSAGES = {
    "start_future": _("The start date cannot be in the future."),
    "end_before_start": _("The end date cannot be before the start date."),
    "contract_type_missing": _("Choose the contract type of a signed contract."),
    "contract_unsigned_details": _("Contract type and dates only apply to a signed contract."),
    "contract_start_missing": _("Enter the start date of the signed contract."),
    "contract_end_before_start": _("The contract end date cannot be before its start date."),
    "fixed_term_needs_end": _("A fixed-term contract needs an end date."),
    "open_ended_has_end": _("An open-ended contract has no end date."),
}


def employment_problems(*, start_date, end_date, contract_signed, contract_type, contract_start, contract_end,
                        today: date | None = None) -> list[tuple[str, str]]:
    """(field, message code) pairs for an employment's dates and contract (Labour Contract Law art. 10, 12–15)."""
    today = today or date.today()
    out = []
    if start_date and start_date > today:
        out.append(("start_date", "start_future"))
    if start_date and end_date and end_date < start_date:
        out.append(("end_date", "end_before_start"))
    if contract_signed:
        if not contract_type:
            out.append(("contract_type", "contract_type_missing"))
        if not contract_start:
            out.append(("contract_start", "contract_start_missing"))
        if contract_start and contract_end and contract_end < contract_start:
            out.append(("contract_end", "contract_end_before_start"))
        if contract_type == "fixed_term" and not contract_end:
            out.append(("contract_end", "fixed_term_needs_end"))
        if contract_type == "open_ended" and contract_end:
            out.append(("contract_end", "open_ended_has_end"))
    elif contract_type or contract_start or contract_end:
        out.append(("contract_signed", "contract_unsigned_details"))
    return out


# --- searching names by any part ---------------------------------------------------------------
# Chinese names are two to four characters, so what people type to find one is one or two
# characters (a given name, a surname). Trigram indexes (pg_trgm, SQLite FTS5 trigram) do not
# serve patterns shorter than three characters; an index of every character and every pair of
# adjacent characters does (docs/registry.md, "Searching by any part of a name").
NAME_GRAM_MAX = 2


def name_grams(name: str) -> set[str]:
    """The grams indexed for ``name``: each character and each pair of adjacent characters, in
    lower case (Latin names match without regard to case). The database triggers of migration
    registry 0005 compute the same set."""
    value = ascii_lower(name or "")
    return {value[i:i + size] for size in range(1, NAME_GRAM_MAX + 1) for i in range(len(value) - size + 1)}


def name_query_gram(text: str) -> str:
    """The one gram looked up for a search entry: the entry itself up to two characters, else its
    first two (the name must then also contain the whole entry)."""
    return ascii_lower(text or "")[:NAME_GRAM_MAX]


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower case for A–Z only, as SQLite's lower() does (the triggers write the same on PostgreSQL)."""
    return text.translate(_ASCII_LOWER)
