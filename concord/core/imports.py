"""Import of spreadsheet files, model-agnostic: reading, header matching, cell parsing, row errors.

A domain app declares a ``FileSpec`` (its ``Column`` list) and writes its own validation and commit
(e.g. ``concord.registry.importers``); this module gives it
- ``read_table``: .xlsx/.xls/.ods through python-calamine (a Rust reader, several times faster than
  openpyxl on large sheets) and CSV (UTF-8 with or without BOM, else GB18030, which Chinese Excel
  writes); a size cap; one clear ``ImportFileError`` for a file that is not a spreadsheet, damaged
  or truncated, empty, or too large;
- ``FileSpec.parse``: headers matched in any interface language (a file works whatever language its
  author used), cells parsed in plain Python, every problem a ``RowError`` with the row number as
  the spreadsheet shows it (the header is row 1) and the header as the user sees it;
- the same spec writes the export and the template (header row plus a Notes sheet), so an export
  re-imports unchanged;
- ``register``: which list exports through which spec, and where its import pages are.
"""
from __future__ import annotations

import csv
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
import hashlib
import io
import os
from pathlib import Path
import re
import zipfile
from zlib import error as zlib_error

from django.conf import settings
from django.db.models import fields as models_fields
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import masking
from .jobs import periodic_job

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_BACKGROUND_ROWS = 5000


def max_bytes() -> int:
    """The size cap of an uploaded file (setting ``CONCORD_IMPORT_MAX_BYTES``, default 50 MB)."""
    return int(getattr(settings, "CONCORD_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def background_rows() -> int:
    """Files with more rows commit as a background task (setting ``CONCORD_IMPORT_BACKGROUND_ROWS``)."""
    return int(getattr(settings, "CONCORD_IMPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS))


# ---------------------------------------------------------------------------------------------
# Errors and results


class ImportFileError(Exception):
    """The file as a whole cannot be read: one clear message, nothing is imported."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


class CellError(ValueError):
    """A cell's value is not acceptable; ``message`` is already in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


@dataclass
class RowError:
    row: int | None  # as the spreadsheet shows it (header = 1); None: the whole file
    column: str  # the header as the user sees it, or "" for the whole row / file
    message: str
    sheet: str = ""  # set only when a file spans several sheets

    def where(self) -> str:
        if self.row is None:
            return _("file")
        if self.sheet:
            place = _("sheet %(sheet)s, row %(row)s") % {"sheet": self.sheet, "row": self.row}
        else:
            place = _("row %(row)s") % {"row": self.row}
        if self.column:
            place = _("%(place)s, column %(column)s") % {"place": place, "column": self.column}
        return place

    def __str__(self):
        return _("%(where)s: %(message)s") % {"where": self.where(), "message": self.message}

    def as_list(self):
        return [self.row, self.column, self.message, self.sheet]

    @classmethod
    def from_list(cls, item):
        return cls(*item)


# ---------------------------------------------------------------------------------------------
# Cell parsers: each turns a raw cell (str, float, bool, date… as calamine or csv give it) into a
# Python value or raises CellError; ``describe`` feeds the template's Notes sheet and ``export``
# writes a value back in a form the parser reads.

_BLANK = ("", None)


def _as_text(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float):
        # Excel stores every number as a float: 13800001111.0 is the phone number 13800001111.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class Parser:
    # Whether results may be remembered per file (values that repeat: dates, codes, choices);
    # not for unique values such as ID numbers, where a memo would only grow.
    cacheable = False

    def __call__(self, value):
        raise NotImplementedError

    def describe(self) -> str:
        return ""

    def export(self, value):
        return "" if value is None else value


class Text(Parser):
    def __init__(self, max_length: int | None = None, upper: bool = False):
        self.max_length, self.upper = max_length, upper

    def __call__(self, value):
        text = _as_text(value)
        if self.upper:
            text = text.upper()
        if self.max_length and len(text) > self.max_length:
            raise CellError(_("At most %(n)s characters.") % {"n": self.max_length})
        return text

    def describe(self):
        if self.max_length:
            return _("Text, at most %(n)s characters.") % {"n": self.max_length}
        return _("Text.")


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class MobilePhone(Text):
    """A mainland mobile number: 11 digits starting with 1 (the numbering plan of MIIT)."""

    def __init__(self):
        super().__init__(max_length=None)

    def __call__(self, value):
        text = re.sub(r"[\s-]", "", _as_text(value))
        if text.startswith("+86"):
            text = text[3:]
        if "*" in text:
            raise CellError(_("The phone number is masked (*); export with full personal data to re-import."))
        if not _MOBILE.match(text):
            raise CellError(_("Not a mainland mobile number (11 digits starting with 1)."))
        return text

    def describe(self):
        return _("Mainland mobile number, 11 digits, e.g. 13800001111.")


_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's 1900 date system (serial 1 = 1900-01-01, with its 1900 leap-year quirk)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class Date(Parser):
    cacheable = True

    def __init__(self, future: bool = True):
        self.future = future

    def __call__(self, value):
        parsed = self._parse(value)
        if not self.future and parsed > date.today():
            raise CellError(_("The date cannot be in the future."))
        return parsed

    def _parse(self, value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = int(value)
            if 19000101 <= number <= 29991231 and value == number:
                text = str(number)  # 20240301 typed as a number
            elif 1 <= number <= 2958465:  # Excel serial dates up to 9999-12-31
                return _EXCEL_EPOCH + timedelta(days=number)
            else:
                raise CellError(self._message(value))
        else:
            text = _as_text(value)
        match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
        if not match:
            raise CellError(self._message(text))
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise CellError(self._message(text)) from None

    @staticmethod
    def _message(value):
        return _("Not a date: \"%(value)s\" (write it as 2024-03-01).") % {"value": _as_text(value)}

    def describe(self):
        return _("Date, e.g. 2024-03-01 (2024/3/1 and Excel dates also work).")

    def export(self, value):
        return value.isoformat() if value else ""


_TRUE = {"是", "yes", "y", "true", "t", "1", "有", "√", "✓"}
_FALSE = {"否", "no", "n", "false", "f", "0", "无", "×", "✗"}


class Bool(Parser):
    cacheable = True

    def __call__(self, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        text = _as_text(value).casefold()
        if text in _TRUE or text in _localised("Yes"):
            return True
        if text in _FALSE or text in _localised("No"):
            return False
        raise CellError(_("Write 是 or 否 (yes or no), not \"%(value)s\".") % {"value": _as_text(value)})

    def describe(self):
        return _("是 or 否 (yes or no; Y/N and 1/0 also work).")

    def export(self, value):
        return _("Yes") if value else _("No")


@lru_cache(maxsize=64)
def _localised(msgid: str) -> frozenset[str]:
    """The translations of ``msgid`` in every interface language, case-folded."""
    out = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out.add(translation.gettext(msgid).casefold())
    return frozenset(out)


def _normalise(text) -> str:
    return re.sub(r"[\s\u3000*＊]+", "", str(text)).casefold()


class Choice(Parser):
    """Accepts the stored code or the label in any interface language."""

    cacheable = True

    def __init__(self, choices, *, show_codes: bool = False):
        self.choices = list(choices)
        self.show_codes = show_codes
        self._lookup = None

    def lookup(self) -> dict[str, str]:
        if self._lookup is None:
            table = {}
            for code, label in self.choices:
                table[_normalise(code)] = code
            for lang, _name in settings.LANGUAGES:
                with translation.override(lang):
                    for code, label in self.choices:
                        table.setdefault(_normalise(str(label)), code)
            self._lookup = table
        return self._lookup

    def __call__(self, value):
        code = self.lookup().get(_normalise(_as_text(value)))
        if code is None:
            raise CellError(
                _("Unknown value \"%(value)s\"; allowed: %(allowed)s.") % {"value": _as_text(value), "allowed": self.allowed()}
            )
        return code

    def allowed(self, limit: int = 12) -> str:
        labels = [self._label(code, label) for code, label in self.choices]
        if len(labels) > limit:
            return "、".join(labels[:limit]) + " … " + _("(see the Notes sheet of the template)")
        return "、".join(labels)

    def _label(self, code, label):
        return f"{code} {label}" if self.show_codes and not str(label).startswith(str(code)) else str(label)

    def describe(self):
        return _("One of: %(allowed)s.") % {"allowed": "、".join(self._label(c, lbl) for c, lbl in self.choices)}

    def export(self, value):
        if not value:
            return ""
        return str(dict(self.choices).get(value, value))


class Number(Parser):
    """A decimal amount (e.g. a wage in yuan)."""

    cacheable = True

    def __init__(self, max_digits: int = 9, decimal_places: int = 2, min_value=0):
        self.max_digits, self.decimal_places, self.min_value = max_digits, decimal_places, min_value
        self._quantum = Decimal(1).scaleb(-decimal_places)

    def __call__(self, value):
        if isinstance(value, bool):
            raise CellError(_("Not a number: \"%(value)s\".") % {"value": _as_text(value)})
        if isinstance(value, (int, float)):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            text = _as_text(value).replace(",", "").replace("，", "").replace("¥", "").replace("元", "").strip()
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise CellError(_("Not a number: \"%(value)s\".") % {"value": _as_text(value)}) from None
        if not number.is_finite():
            raise CellError(_("Not a number: \"%(value)s\".") % {"value": _as_text(value)})
        if self.min_value is not None and number < self.min_value:
            raise CellError(_("The amount cannot be negative."))
        number = number.quantize(self._quantum)
        if len(number.as_tuple().digits) > self.max_digits:
            raise CellError(_("The number is too large."))
        return number

    def describe(self):
        return _("Number, e.g. 4500 or 4500.50.")

    def export(self, value):
        if value is None:
            return ""
        return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------------------------------------
# Columns and file specs


@dataclass
class Column:
    key: str
    header: object  # a lazy translation: the header shown is the active language's
    parser: Parser = field(default_factory=Text)
    required: bool = False  # the column must be present and its cells filled
    readonly: bool = False  # exported for reading; accepted but ignored on import
    personal: str | None = None  # masking kind: masked in exports unless revealed
    help: object = ""  # extra note for the template
    get: object = None  # export: callable(record) -> value, default getattr(record, key)

    def title(self) -> str:
        return capfirst(str(self.header))

    def aliases(self) -> set[str]:
        """Every header text that names this column: its title in each interface language."""
        names = {_normalise(self.key)}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(_normalise(str(self.header)))
        return names

    def value_of(self, record):
        if self.get is not None:
            return self.get(record)
        return getattr(record, self.key, None) if not isinstance(record, dict) else record.get(self.key)


@dataclass
class Table:
    """The rows of a file below its header: (row number, sheet label, cells)."""

    header: list
    rows: object  # iterator of (row_number, sheet_label, list of cells)
    sha256: str
    size: int
    name: str


def _parse_or_error(parser, value):
    if value.__class__ is str and not value.strip():
        return None
    try:
        return parser(value)
    except CellError as exc:
        return exc


def _parse_column(cells, parser) -> tuple[list, list[tuple[int, str]]]:
    """(values, [(position, message)]): blank cells are None, bad cells None plus a message."""
    if parser.cacheable:
        memo = {"": None, None: None}
        values = []
        append = values.append
        for cell in cells:
            try:
                hit = memo[cell]
            except KeyError:
                hit = memo[cell] = _parse_or_error(parser, cell)
            except TypeError:  # an unhashable cell value
                hit = _parse_or_error(parser, cell)
            append(hit)
    else:
        values = [None if cell == "" or cell is None else _parse_or_error(parser, cell) for cell in cells]
    problems = [(i, v.message) for i, v in enumerate(values) if v.__class__ is CellError]
    for i, _message in problems:
        values[i] = None
    return values, problems


class FileSpec:
    """The columns of one kind of file, in the order of the template and the export."""

    def __init__(self, name: str, title, columns: list[Column]):
        self.name, self.title, self.columns = name, title, columns
        self.by_key = {c.key: c for c in columns}

    def headers(self) -> list[str]:
        return [c.title() for c in self.columns]

    # -- import

    def match(self, header) -> tuple[dict[int, Column], list[RowError]]:
        """Map header cells to columns; missing required, unknown and repeated headers are errors."""
        alias = {}
        for column in self.columns:
            for name in column.aliases():
                alias.setdefault(name, column)
        mapping, seen, unknown, errors = {}, {}, [], []
        for index, cell in enumerate(header):
            text = _as_text(cell)
            if not text:
                continue
            column = alias.get(_normalise(text))
            if column is None:
                unknown.append(text)
            elif column.key in seen:
                errors.append(RowError(1, column.title(), _("This column appears more than once.")))
            else:
                seen[column.key] = index
                mapping[index] = column
        missing = [c.title() for c in self.columns if c.required and c.key not in seen]
        if missing:
            errors.append(RowError(None, "", _("Missing columns: %(columns)s.") % {"columns": "、".join(missing)}))
        if unknown:
            errors.append(RowError(None, "", _("Unknown columns: %(columns)s. The columns of this file are: %(allowed)s.") % {
                "columns": "、".join(unknown), "allowed": "、".join(self.headers())}))
        return mapping, errors

    def parse(self, table: Table) -> tuple[list[dict], list[RowError], set[str]]:
        """Records (dicts of column key → value, with ``_row`` and ``_sheet``), cell errors, and
        the keys of the columns present in the file. Blank rows are skipped."""
        mapping, errors = self.match(table.header)
        if errors:
            return [], errors, set()
        plan = [(index, column) for index, column in mapping.items() if not column.readonly]
        present = {column.key for _index, column in plan}
        # Column by column: each column's cells go through its parser in one tight loop, and the
        # columns whose values repeat (dates, codes, choices) parse each distinct value once.
        numbers, sheets, data = [], [], []
        for number, sheet, cells in table.rows:
            if any(c.__class__ is not str or c.strip() for c in cells if c != "" and c is not None):
                numbers.append(number)
                sheets.append(sheet)
                data.append(cells)
        if not data:
            errors.append(RowError(None, "", _("The file has no data rows below the header.")))
            return [], errors, present
        width = max(index for index, _column in plan) + 1 if plan else 0
        data = [cells if len(cells) >= width else list(cells) + [""] * (width - len(cells)) for cells in data]
        keys, columns, bad = ["_row", "_sheet"], [numbers, sheets], {}
        required_msg = _("A value is required.")
        for index, column in plan:
            values, problems = _parse_column([cells[index] for cells in data], column.parser)
            title = column.title()
            for i, message in problems:
                errors.append(RowError(numbers[i], title, message, sheets[i]))
                bad.setdefault(i, set()).add(column.key)
            if column.required:
                for i, value in enumerate(values):
                    if value is None and column.key not in bad.get(i, ()):
                        errors.append(RowError(numbers[i], title, required_msg, sheets[i]))
                        bad.setdefault(i, set()).add(column.key)
            keys.append(column.key)
            columns.append(values)
        records = [dict(zip(keys, row)) for row in zip(*columns)]
        for i, keys_bad in bad.items():
            records[i]["_bad"] = keys_bad
        errors.sort(key=lambda e: (e.sheet, e.row))
        return records, errors, present

    # -- export and template

    def export_rows(self, records, *, unmasked: bool = False):
        """Header then one row per record, cells in the parsers' own formats."""
        yield self.headers()
        plan = [(c, c.parser.export, c.personal) for c in self.columns]
        for record in records:
            row = []
            for column, export, personal in plan:
                value = column.value_of(record)
                if personal and not unmasked and value:
                    value = masking.mask(personal, value)
                    row.append(value)
                    continue
                row.append(export(value))
            yield row

    def template(self) -> bytes:
        """An .xlsx with the header row (text columns formatted as text so Excel keeps ID numbers
        whole) and a second sheet describing every column."""
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        wb = Workbook()
        sheet = wb.active
        sheet.title = str(self.title)[:31]
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDEBF7")
        for index, column in enumerate(self.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.title())
            cell.font, cell.fill = bold, fill
            _template_column(sheet, get_column_letter(index), column)
        sheet.freeze_panes = "A2"
        notes = wb.create_sheet(_("Notes")[:31])
        notes.append([_("Column"), _("Required"), _("Allowed values and format"), _("Note")])
        for cell in notes[1]:
            cell.font, cell.fill = bold, fill
        for column in self.columns:
            if column.readonly:
                allowed, note = _("Filled in by the system; ignored on import."), str(column.help or "")
            else:
                allowed, note = column.parser.describe(), str(column.help or "")
            notes.append([column.title(), _("Yes") if column.required else _("No"), allowed, note])
        notes.append([])
        notes.append([_("The header is row 1; errors name the row number as the spreadsheet shows it.")])
        notes.append([_("A column left out of the file leaves that field unchanged; an empty cell clears it or applies its default.")])
        for letter, width in (("A", 24), ("B", 8), ("C", 70), ("D", 60)):
            notes.column_dimensions[letter].width = width
        _template_dropdowns(wb, sheet, self.columns)  # after Notes: a hidden list sheet comes last
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


# Template and problems files (issue 14): kept apart from the reading code above and below.

TEMPLATE_ROWS = 2000  # rows of the template pre-formatted as text / offered drop-downs
_INLINE_LIST_MAX = 250  # Excel refuses an inline list formula longer than 255 characters


def _template_column(sheet, letter, column):
    """Width for the column's values, and text format for text columns: Excel would turn an 18-digit
    ID number or credit code into 1.23E+17 and lose its last digits, and drop a phone's leading 0."""
    from openpyxl.styles import Alignment

    parser = column.parser
    width = len(column.title()) * 2 + 4
    if isinstance(parser, Text) and parser.max_length:
        width = max(width, min(parser.max_length, 36) + 4)
    sheet.column_dimensions[letter].width = max(12, min(40, width))
    if isinstance(parser, Text):
        dim = sheet.column_dimensions[letter]
        dim.number_format = "@"
        # The column style alone is not kept by every spreadsheet program: the first rows' cells carry it too.
        left = Alignment(horizontal="left")
        for row in range(2, TEMPLATE_ROWS + 2):
            cell = sheet[f"{letter}{row}"]
            cell.number_format, cell.alignment = "@", left


def dropdown_values(parser) -> list[str]:
    """The values a template cell offers in a drop-down: 是/否 for yes/no, the labels of a fixed choice
    (the import reads labels in every interface language); none for free values."""
    if isinstance(parser, Bool):
        return [str(_("Yes")), str(_("No"))]
    if isinstance(parser, Choice):
        return [str(label) for _code, label in parser.choices]
    return []


def _template_dropdowns(wb, sheet, columns):
    """A list validation (Excel's drop-down) on every yes/no and fixed-choice column. Short lists are
    written in the rule itself; long ones (industries) on a hidden sheet the rule points to."""
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = None
    for index, column in enumerate(columns, start=1):
        if column.readonly:
            continue
        values = dropdown_values(column.parser)
        if not values:
            continue
        inline = ",".join(values)
        if len(inline) <= _INLINE_LIST_MAX and not any("," in v or '"' in v for v in values):
            formula = f'"{inline}"'
        else:
            if lists is None:
                lists = wb.create_sheet("lists")
                lists.sheet_state = "hidden"
            col = get_column_letter(lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value else 1)
            for row, value in enumerate(values, start=1):
                lists[f"{col}{row}"] = value
            formula = f"{quote_sheetname(lists.title)}!${col}$1:${col}${len(values)}"
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                              showErrorMessage=True, errorTitle=column.title()[:32],
                              error=str(_("Choose a value from the list.")))
        letter = get_column_letter(index)
        rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(rule)


def problems_workbook(table: "Table", errors: list) -> bytes:
    """A dry run's problems as an .xlsx: every row of the file that has a problem, as the file had it,
    with its row number in front and its reasons in a column at the end (the cells at fault shaded);
    problems of the whole file (missing columns…) on top. The user corrects the rows and re-imports."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    by_row: dict[tuple, list] = {}
    whole_file = []
    for error in errors:
        if error.row is None or error.row == 1:
            whole_file.append(error)
        else:
            by_row.setdefault((error.sheet or "", error.row), []).append(error)
    wb = Workbook()
    sheet = wb.active
    sheet.title = str(_("Problems"))[:31]
    header = [_as_text(cell) for cell in table.header]
    bold, bad = Font(bold=True), PatternFill("solid", fgColor="F8D7DA")
    sheet.append([str(_("Row"))] + header + [str(_("Problems"))])
    for cell in sheet[1]:
        cell.font = bold
    reasons_col = len(header) + 2
    wrap = Alignment(wrap_text=True, vertical="top")
    for error in whole_file:
        sheet.append(["—"] + [""] * len(header) + [str(error)])
    positions = {_normalise(name): index for index, name in enumerate(header) if name}
    for number, sheet_label, cells in table.rows:
        found = by_row.get((sheet_label or "", number))
        if not found:
            continue
        row = [f"{sheet_label} · {number}" if sheet_label else number]
        row += [_as_text(cell) if cell is not None else "" for cell in cells[:len(header)]]
        row += [""] * (len(header) + 1 - len(row))
        row.append("；".join(f"{e.column}：{e.message}" if e.column else e.message for e in found))
        sheet.append(row)
        excel_row = sheet.max_row
        for e in found:
            index = positions.get(_normalise(e.column)) if e.column else None
            if index is not None:
                sheet.cell(row=excel_row, column=index + 2).fill = bad
        sheet.cell(row=excel_row, column=reasons_col).alignment = wrap
    from openpyxl.utils import get_column_letter

    for index in range(1, reasons_col + 1):
        dim = sheet.column_dimensions[get_column_letter(index)]
        dim.number_format = "@"
        dim.width = 60 if index == reasons_col else (10 if index == 1 else 20)
    for row in sheet.iter_rows(min_row=2, max_col=reasons_col - 1, min_col=2):
        for cell in row:
            cell.number_format = "@"  # ID numbers stay whole when the file is re-imported
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Reading files

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}


def _read_source(source, filename, limit) -> tuple[bytes, str]:
    too_big = ImportFileError(_("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = filename or ""
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.stat().st_size > limit:
            raise too_big
        data = path.read_bytes()
        name = filename or path.name
    else:
        size = getattr(source, "size", None)
        if size is not None and size > limit:
            raise too_big
        if hasattr(source, "seek"):
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        data = source.read(limit + 1)
        name = filename or os.path.basename(getattr(source, "name", "") or "")
    if len(data) > limit:
        raise too_big
    return data, name


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls > len(sample) // 100


def read_table(source, filename: str | None = None, *, limit: int | None = None) -> Table:
    """Open a spreadsheet or CSV file; raises ImportFileError with one clear message."""
    limit = limit or max_bytes()
    data, name = _read_source(source, filename, limit)
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    suffix = Path(name).suffix.lower()
    if data.startswith(_ZIP) or data.startswith(_OLE):
        check_workbook(data)  # before the reader: a far cell would make it allocate without bound
        header, rows = _read_workbook(data)
    elif _looks_binary(data) or (suffix and suffix not in _SPREADSHEET_SUFFIXES | {".csv", ".txt", ".tsv"}):
        raise ImportFileError(_("This file is not a spreadsheet: upload an Excel (.xlsx, .xls), OpenDocument (.ods) or CSV file."))
    else:
        header, rows = _read_csv(data)
    return Table(header=header, rows=rows, sha256=digest, size=len(data), name=name)


def _damaged():
    return ImportFileError(_("The file is damaged or incomplete (it may have been cut off); save it again from Excel and retry."))


def _read_workbook(data: bytes):
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [m.name for m in workbook.sheets_metadata
                  if str(m.typ).endswith("WorkSheet") and str(m.visible).endswith("Visible")]
        if not sheets:
            raise _damaged()
        first = workbook.get_sheet_by_name(sheets[0])
        iterator = iter(first.iter_rows())
        header, start = _find_header(iterator)
    except ImportFileError:
        raise
    except Exception as exc:  # calamine raises several error types (zip, xml, password…) for damaged files
        if "password" in str(exc).lower() or type(exc).__name__ == "PasswordError":
            raise ImportFileError(_("The file is protected by a password: save it without one and retry.")) from None
        raise _damaged() from None
    if header is None:
        raise ImportFileError(_("The file is empty."))
    norm = [_normalise(_as_text(c)) for c in header]

    def rows():
        for number, cells in enumerate(iterator, start=start + 1):
            yield number, "", cells
        # Exports beyond Excel's 1,048,576 rows continue on further sheets with the same header;
        # their rows are named with the sheet. Other sheets (e.g. the template's Notes) are ignored.
        for sheet_name in sheets[1:]:
            try:
                it = iter(workbook.get_sheet_by_name(sheet_name).iter_rows())
                other, other_start = _find_header(it)
            except Exception:  # a damaged extra sheet is not part of the data
                continue
            if other is None or [_normalise(_as_text(c)) for c in other] != norm:
                continue
            for number, cells in enumerate(it, start=other_start + 1):
                yield number, sheet_name, cells

    return header, rows()


# ---------------------------------------------------------------------------------------------
# Workbook limits, checked before the reader opens the file.
#
# calamine loads a sheet as one rectangle of cells from its first used cell to its last, 32 bytes
# a cell (measured: a sheet whose cells are A1 and XFD1048576 asks for 549,755,813,888 bytes and the
# process aborts, SIGABRT, killing the gunicorn worker). So the rectangle of every sheet is bounded
# before the reader sees the file:
# - .xlsx/.xlsm: the zip is inspected (number of entries, uncompressed size, counted while
#   decompressing so that a lying header does not help) and each sheet's XML is scanned for its
#   declared <dimension> and the last row and column its cells name;
# - .xls, .ods, .xlsb and sheets whose cells carry no positions: the sheets are opened first in a
#   child process whose address space is limited (RLIMIT_AS): if the reader aborts there, only the
#   child dies, and the file is refused.
# Limits (settings): rows per sheet CONCORD_IMPORT_MAX_ROWS (default 1,048,576, Excel's own, because
# the exports of long lists continue on further sheets at that row), columns CONCORD_IMPORT_MAX_COLUMNS
# (default 256: the widest file kind has about 30 columns), cells per sheet CONCORD_IMPORT_MAX_CELLS
# (default 32 million, about 1 GB in the reader: a full 1,048,575-row export sheet of 20 columns is
# 21 million), CONCORD_IMPORT_MAX_ENTRIES (default 1,000 zip entries), uncompressed size
# CONCORD_IMPORT_MAX_UNZIPPED_BYTES (default 16 × the upload limit) and the child's memory
# CONCORD_IMPORT_PROBE_MEMORY_MB (default 2,048).

DEFAULT_MAX_ROWS = 1_048_576
DEFAULT_MAX_COLUMNS = 256
DEFAULT_MAX_CELLS = 32_000_000
DEFAULT_MAX_ENTRIES = 1000
DEFAULT_PROBE_MEMORY_MB = 2048
PROBE_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class WorkbookLimits:
    rows: int
    columns: int
    cells: int
    entries: int
    unzipped_bytes: int
    probe_memory: int

    @classmethod
    def from_settings(cls) -> "WorkbookLimits":
        get = lambda name, default: int(getattr(settings, name, default))  # noqa: E731
        return cls(
            rows=get("CONCORD_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS),
            columns=get("CONCORD_IMPORT_MAX_COLUMNS", DEFAULT_MAX_COLUMNS),
            cells=get("CONCORD_IMPORT_MAX_CELLS", DEFAULT_MAX_CELLS),
            entries=get("CONCORD_IMPORT_MAX_ENTRIES", DEFAULT_MAX_ENTRIES),
            unzipped_bytes=get("CONCORD_IMPORT_MAX_UNZIPPED_BYTES", 16 * max_bytes()),
            probe_memory=get("CONCORD_IMPORT_PROBE_MEMORY_MB", DEFAULT_PROBE_MEMORY_MB) * 1024 * 1024,
        )


def column_letters(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ch - 64)
    return number


def _check_extent(rows: int, columns: int, limits: WorkbookLimits) -> None:
    """Refuse a sheet whose rectangle of cells is beyond the limits, naming its last cell."""
    if rows > limits.rows or columns > limits.columns:
        raise ImportFileError(_(
            "A sheet of this file reaches cell %(cell)s (row %(row)s, column %(column)s); an import file may use at "
            "most %(max_rows)s rows and %(max_columns)s columns of a sheet. Delete what lies beyond your data (or copy "
            "only the data to a new file) and retry.") % {
            "cell": f"{column_letters(columns)}{rows}", "row": f"{rows:,}", "column": f"{columns:,}",
            "max_rows": f"{limits.rows:,}", "max_columns": f"{limits.columns:,}"})
    if rows * columns > limits.cells:
        raise ImportFileError(_(
            "A sheet of this file spans %(rows)s rows by %(columns)s columns, more than the %(cells)s cells an import "
            "reads at once; split it into smaller files.") % {
            "rows": f"{rows:,}", "columns": f"{columns:,}", "cells": f"{limits.cells:,}"})


def _too_complex():
    return ImportFileError(_("This file cannot be read safely: it is too large or too complex once unpacked. "
                             "Save the data again as a plain .xlsx or CSV file and retry."))


# What a sheet's XML says about its extent. Excel writes ``<row r="7" …>`` and ``<c r="B7" …>`` with
# the position first; the scan reads the positions with one findall per chunk (C speed, ~1 s for a
# 100,000-row sheet) and counts the tags with bytes.count. A cell or row whose position is missing
# or not written first is not bounded by the scan: the file then goes to the child-process probe.
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\sref="([A-Za-z]{1,4})(\d{1,10})(?::([A-Za-z]{1,4})(\d{1,10}))?"')
_CELL_REF = re.compile(rb'c r="([A-Za-z]{1,4})(\d{1,10})"')
_ROW_REF = re.compile(rb'row r="(\d{1,10})"')
_CELL_TAGS = (b"<c ", b"<c>", b"<c/>", b":c ", b":c>", b":c/>")
_ROW_TAGS = (b"<row ", b"<row>", b"<row/>", b":row ", b":row>", b":row/>")
_CHUNK = 1 << 22
_OVERLAP = 64  # longer than any pattern above, so that a tag cut by a chunk boundary is seen


def _count(text: bytes, needles) -> int:
    return sum(text.count(n) for n in needles)


class _SheetExtent:
    """The last row and column a sheet's XML declares or uses, read chunk by chunk."""

    def __init__(self):
        self.rows = self.columns = 0
        self.row_tags = self.numbered_rows = self.cell_tags = self.numbered_cells = 0
        self._tail = b""
        self._dimension_seen = False

    def feed(self, chunk: bytes) -> None:
        tail, text = self._tail, self._tail + chunk
        if not self._dimension_seen and (match := _DIMENSION.search(text)):
            self._dimension_seen = True
            last_col, last_row = (match[3], match[4]) if match[3] else (match[1], match[2])
            self.rows = max(self.rows, int(last_row))
            self.columns = max(self.columns, _column_number(last_col))
        cells = _CELL_REF.findall(text)
        if cells:
            letters = max({c[0].upper() for c in cells}, key=lambda b: (len(b), b))
            self.columns = max(self.columns, _column_number(letters))
            self.rows = max(self.rows, max(int(n) for n in {c[1] for c in cells}))
        rows = _ROW_REF.findall(text)
        if rows:
            self.rows = max(self.rows, max(int(n) for n in set(rows)))
        # Counted in the new text only: what lies wholly in the tail was counted with the last chunk.
        self.numbered_cells += len(cells) - len(_CELL_REF.findall(tail))
        self.numbered_rows += len(rows) - len(_ROW_REF.findall(tail))
        self.cell_tags += _count(text, _CELL_TAGS) - _count(tail, _CELL_TAGS)
        self.row_tags += _count(text, _ROW_TAGS) - _count(tail, _ROW_TAGS)
        self._tail = text[-_OVERLAP:]

    def needs_probe(self) -> bool:
        """Cells or rows without a position (first) sit after the previous one: the scan cannot bound them."""
        return self.cell_tags > self.numbered_cells or self.row_tags > self.numbered_rows


def check_workbook(data: bytes, limits: WorkbookLimits | None = None) -> None:
    """Refuse, with ImportFileError, a workbook that the reader could not open within the limits."""
    limits = limits or WorkbookLimits.from_settings()
    if data.startswith(_OLE):
        _probe_in_child(data, ".xls", limits)
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _damaged() from None
    if len(entries) > limits.entries:
        raise _too_complex()
    if sum(e.file_size for e in entries) > limits.unzipped_bytes:
        raise _too_complex()
    names = {e.filename for e in entries}
    probe = not any(n.startswith("xl/worksheets/") and n.endswith(".xml") for n in names)  # .ods, .xlsb
    total = 0
    for entry in entries:
        if entry.is_dir():
            continue
        sheet = entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")
        extent = _SheetExtent() if sheet else None
        try:
            with archive.open(entry) as stream:
                while chunk := stream.read(_CHUNK):
                    total += len(chunk)  # counted as decompressed, whatever the header says
                    if total > limits.unzipped_bytes:
                        raise _too_complex()
                    if extent is not None:
                        extent.feed(chunk)
        except ImportFileError:
            raise
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError, zlib_error):
            # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression.
            if entry.flag_bits & 0x1:
                raise ImportFileError(_("The file is protected by a password: save it without one and retry.")) from None
            raise _damaged() from None
        if extent is not None:
            _check_extent(extent.rows, extent.columns, limits)
            probe = probe or extent.needs_probe()
    if probe:
        suffix = ".ods" if "content.xml" in names else ".xlsb" if any(n.endswith(".bin") for n in names) else ".xlsx"
        _probe_in_child(data, suffix, limits)


# The child: limit the address space, open every sheet as the reader will, print each sheet's size.
_PROBE_SCRIPT = r"""
import resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from python_calamine import CalamineWorkbook
workbook = CalamineWorkbook.from_path(sys.argv[1])
for meta in workbook.sheets_metadata:
    try:
        sheet = workbook.get_sheet_by_name(meta.name)
    except MemoryError:
        raise
    except Exception as exc:
        if "limit" in str(exc).lower():  # the reader's own cell limit (ODS): refused as too large
            print("limit", flush=True)
        continue  # a damaged or chart sheet: the reader reports or skips it
    print(sheet.height, sheet.width, flush=True)
    del sheet
"""


def _probe_in_child(data: bytes, suffix: str, limits: WorkbookLimits) -> None:
    import subprocess
    import sys
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-c", _PROBE_SCRIPT, handle.name, str(limits.probe_memory)],
                capture_output=True, timeout=PROBE_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise _too_complex() from None
    if done.returncode != 0:
        if b"MemoryError" in done.stderr or b"memory allocation" in done.stderr or done.returncode < 0:
            raise _too_complex()
        raise _damaged()
    for line in done.stdout.decode("ascii", "replace").splitlines():
        if line.strip() == "limit":
            raise _too_complex()
        try:
            rows, columns = (int(n) for n in line.split())
        except ValueError:
            continue
        _check_extent(rows, columns, limits)


def _find_header(iterator):
    """The first non-blank row and its row number (1-based)."""
    for number, cells in enumerate(iterator, start=1):
        if any(c not in _BLANK and str(c).strip() for c in cells):
            return cells, number
    return None, 0


def _read_csv(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header, start = _find_header(reader)
    except csv.Error:
        raise _damaged() from None
    if header is None:
        raise ImportFileError(_("The file is empty."))

    def rows():
        try:
            for number, cells in enumerate(reader, start=start + 1):
                yield number, "", cells
        except csv.Error as exc:
            raise ImportFileError(_("The CSV file cannot be read: %(reason)s") % {"reason": exc}) from None

    return header, rows()


# ---------------------------------------------------------------------------------------------
# Which lists export through which spec, and where their import pages are


@dataclass
class FileKind:
    kind: str  # "workers"
    spec: FileSpec
    model: type  # the list whose export writes this file
    exporter: object  # callable(queryset, *, user, unmasked) -> iterable of records for spec.export_rows
    import_url: str  # URL name of the upload page
    template_url: str  # URL name of the template download (with ?kind=)
    batch_url: str  # URL name of a batch's page (with the batch pk)

    def export_rows(self, queryset, *, user, unmasked: bool):
        return self.spec.export_rows(self.exporter(queryset, user=user, unmasked=unmasked), unmasked=unmasked)


KINDS: dict[str, FileKind] = {}


def register(kind: FileKind) -> None:
    KINDS[kind.kind] = kind


def for_model(model) -> FileKind | None:
    return next((k for k in KINDS.values() if k.model is model), None)


# ---------------------------------------------------------------------------------------------
# Batched writes.
#
# ``bulk_create`` spends most of its time compiling SQL value by value (measured: about 80% of a
# 100,000-row worker import). These helpers send the same statements (multi-row INSERT …
# RETURNING id, as bulk_create does; UPDATE … WHERE id = %s through executemany) with each
# column's database conversion chosen once per column. No signals, no save(): the caller sets
# derived fields, ``auto_now`` stamps and every default, and writes the audit itself.

_PLAIN_FIELDS = (models_fields.CharField, models_fields.BooleanField, models_fields.IntegerField)


def _adapter(field, connection):
    """The conversion of one column's Python values for the driver (None: as they are)."""
    if isinstance(field, _PLAIN_FIELDS) or field.is_relation:
        return None  # str, bool, int and foreign keys go to both drivers as they are
    ops = connection.ops
    # The backend's own adapters, as Field.get_db_prep_save ends up calling them for values
    # that already have the field's Python type (the importer's parsers guarantee that).
    if isinstance(field, models_fields.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models_fields.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models_fields.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return lambda value: field.get_db_prep_save(value, connection)


def _insert_fields(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def bulk_insert(model, rows: list[dict], *, using: str = "default") -> list[int]:
    """Insert ``rows`` (dicts of field attname → value; missing fields get their defaults and
    ``auto_now``/``auto_now_add`` stamps) and return their new primary keys in order."""
    from django.db import connections
    from django.utils import timezone

    if not rows:
        return []
    connection = connections[using]
    if not connection.features.can_return_rows_from_bulk_insert:
        objs = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=1000)
        return [obj.pk for obj in objs]
    fields = _insert_fields(model)
    now = timezone.now()
    defaults = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now)
        else:
            defaults.append(f.get_default())
    plan = [(f.attname, default) for f, default in zip(fields, defaults)]
    convert = [(i, adapt) for i, adapt in enumerate(_adapter(f, connection) for f in fields) if adapt is not None]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields))
    tail = " RETURNING {}".format(quote(model._meta.pk.column))
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per = max(1, min(1000, _max_params(connection) // len(fields)))
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            chunk = rows[start:start + per]
            params = []
            for row in chunk:
                get = row.get
                values = [get(name, default) for name, default in plan]
                for i, adapt in convert:
                    value = values[i]
                    if value is not None:
                        values[i] = adapt(value)
                params.extend(values)
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            ids.extend(r[0] for r in cursor.fetchall())
    return ids


@contextmanager
def bulk_mode(using: str = "default"):
    """Settings for reading and writing a large file, restored afterwards:
    - the cyclic garbage collector paused: an import builds hundreds of thousands of small
      objects that all live until it ends, and the collector would rescan them again and again
      (about a tenth of a 100,000-row import);
    - on SQLite a larger page cache for this connection (``CONCORD_IMPORT_SQLITE_CACHE_MB``,
      default 64): inserting into million-row indexes touches pages all over them."""
    import gc

    from django.db import connections

    was_enabled = gc.isenabled()
    gc.disable()
    connection = connections[using]
    previous = None
    try:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                previous = cursor.fetchone()[0]
                megabytes = int(getattr(settings, "CONCORD_IMPORT_SQLITE_CACHE_MB", 64))
                cursor.execute(f"PRAGMA cache_size = {-megabytes * 1024:d}")
        yield
    finally:
        if previous is not None and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous):d}")
        if was_enabled:
            gc.enable()


def _max_params(connection) -> int:
    """Bound parameters allowed in one statement. Django assumes SQLite's historical 999; the
    library's real limit (32,766 since SQLite 3.32) lets an insert carry 1,000 rows at once."""
    if connection.vendor == "sqlite":
        import sqlite3

        try:
            connection.ensure_connection()
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except (AttributeError, sqlite3.Error):
            return connection.features.max_query_params or 999
    return connection.features.max_query_params or 65535


def bulk_update(model, objs, fields: list[str], *, using: str = "default") -> int:
    """``UPDATE … SET fields WHERE pk`` for every object, in one executemany."""
    from django.db import connections

    if not objs or not fields:
        return 0
    connection = connections[using]
    meta = model._meta
    columns = [meta.get_field(f) for f in fields]
    adapters = [_adapter(f, connection) for f in columns]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in columns), quote(meta.pk.column))
    attnames = [f.attname for f in columns]
    params = []
    for obj in objs:
        row = []
        for name, adapt in zip(attnames, adapters):
            value = getattr(obj, name)
            row.append(adapt(value) if adapt is not None and value is not None else value)
        row.append(obj.pk)
        params.append(row)
    with connection.cursor() as cursor:
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start:start + 2000])
    return len(params)


def compact_ids(ids) -> list[list[int]]:
    """[1, 2, 3, 7, 8] → [[1, 3], [7, 8]]: created rows of a batch, stored compactly."""
    out = []
    for pk in sorted(ids):
        if out and pk == out[-1][1] + 1:
            out[-1][1] = pk
        else:
            out.append([pk, pk])
    return out


def expand_ids(ranges) -> list[int]:
    return [pk for first, last in ranges for pk in range(first, last + 1)]


def progress_key(batch_id) -> str:
    return f"concord:import-progress:{batch_id}"


# Checked files wait here (default storage, shared with the workers) until the user commits them.
PENDING_DIR = "imports/pending/"


@periodic_job("core.purge_pending_imports", every=timedelta(hours=6),
              description="Delete checked import files that were never committed (older than a day).")
def purge_pending_imports(max_age: timedelta = timedelta(days=1)) -> str:
    from django.core.files.storage import default_storage
    from django.utils import timezone

    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return "deleted 0"
    cutoff, deleted = timezone.now() - max_age, 0
    for name in files:
        path = PENDING_DIR + name
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return f"deleted {deleted}"


__all__ = [
    "Bool", "CellError", "Choice", "Column", "Date", "FileKind", "FileSpec", "ImportFileError", "MobilePhone",
    "Number", "RowError", "Table", "Text", "background_rows", "compact_ids", "expand_ids", "for_model", "max_bytes",
    "read_table", "register", "dropdown_values", "problems_workbook",
]
