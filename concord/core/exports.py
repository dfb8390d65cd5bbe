"""Export of any table to Excel or CSV, with formula injection neutralised."""
import csv
from io import BytesIO, StringIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

FORMATS = {"xlsx", "csv"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell that a spreadsheet would read as a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return neutralise(str(value))


# Excel's sheet limit is 1,048,576 rows; a county's 1.2 million workers need a second sheet.
SHEET_ROWS = 1_048_576


def write_sheets(workbook, rows, basename: str, sheet_rows: int = SHEET_ROWS) -> None:
    """Append ``rows`` (header first) to write-only sheets, starting a new sheet with the header
    repeated whenever one is full."""
    rows = iter(rows)
    header = [_plain(v) for v in next(rows, [])]
    sheet, used, number = None, sheet_rows, 0
    for row in rows:
        if used >= sheet_rows:
            number += 1
            title = basename[:27] if number == 1 else f"{basename[:24]} ({number})"
            sheet = workbook.create_sheet(title)
            sheet.append(header)
            used = 1
        sheet.append([_plain(v) for v in row])
        used += 1
    if sheet is None:
        workbook.create_sheet(basename[:27]).append(header)


def export_rows(rows, fmt: str, basename: str) -> HttpResponse:
    """``rows``: an iterable whose first item is the header row."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{basename}-{stamp}.{fmt}"
    if fmt == "csv":
        buffer = StringIO()
        # A BOM so that Excel opens the Chinese text as UTF-8.
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([_plain(v) for v in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook(write_only=True)
        write_sheets(workbook, rows, basename)
        out = BytesIO()
        workbook.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
