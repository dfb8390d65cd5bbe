"""Loading a county's organisation tree from a data file (CSV: code, name, kind, parent_code)."""
import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Region

DATA_DIR = Path(__file__).resolve().parent / "data" / "regions"
COLUMNS = ("code", "name", "kind", "parent_code")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0


class RegionFileError(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegionFileError([_("Missing columns: %(cols)s") % {"cols": ", ".join(missing)}])
        return [{k: (row.get(k) or "").strip() for k in COLUMNS} for row in reader]


def validate_rows(rows: list[dict]) -> list[str]:
    problems, codes = [], set()
    kinds = set(Region.Kind.values)
    known = set(Region.objects.values_list("code", flat=True))
    for number, row in enumerate(rows, start=2):
        code = row["code"]
        if code in codes:
            problems.append(_("Row %(row)d: code %(code)s appears twice.") % {"row": number, "code": code})
        codes.add(code)
        if row["kind"] not in kinds:
            problems.append(_("Row %(row)d: unknown kind “%(kind)s”.") % {"row": number, "kind": row["kind"]})
        if not row["name"]:
            problems.append(_("Row %(row)d: the name is empty.") % {"row": number})
        if row["parent_code"] and row["parent_code"] not in codes and row["parent_code"] not in known:
            problems.append(
                _("Row %(row)d: parent %(parent)s is neither earlier in the file nor already loaded.")
                % {"row": number, "parent": row["parent_code"]}
            )
    return problems


def load_regions(path: Path) -> LoadResult:
    """All-or-nothing upsert by code; parents must come before children."""
    rows = read_rows(path)
    problems = validate_rows(rows)
    if problems:
        raise RegionFileError(problems)
    result = LoadResult()
    with transaction.atomic():
        by_code = {r.code: r for r in Region.objects.filter(code__in=[row["code"] for row in rows] + [row["parent_code"] for row in rows])}
        for number, row in enumerate(rows, start=2):
            region = by_code.get(row["code"]) or Region(code=row["code"])
            created = region.pk is None
            region.name, region.kind = row["name"], row["kind"]
            region.parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
            try:
                region.full_clean(exclude=["path"] if created else None, validate_unique=created)
            except ValidationError as exc:
                raise RegionFileError([_("Row %(row)d: %(errors)s") % {"row": number, "errors": "; ".join(exc.messages)}])
            region.save()
            by_code[region.code] = region
            result.created += created
            result.updated += not created
    return result
