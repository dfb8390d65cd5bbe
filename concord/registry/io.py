"""The registry's two files: the enterprise file and the workforce (worker) file.

One spec per file writes the template, the export of the list and reads the import, so an
export with full personal data re-imports unchanged. The worker file has one row per worker ×
current employment: the worker's own fields, the enterprise's credit code, and the employment.
"""
from collections import namedtuple

from django.utils.translation import gettext as _, gettext_lazy

from concord.core import imports, masking
from concord.core.imports import Bool, CellError, Choice, Column, Date, FileKind, FileSpec, MobilePhone, Number, Text

from . import codes, rules
from .models import Employment, Enterprise, Worker


def _label(model, name):
    return model._meta.get_field(name).verbose_name


ID_MESSAGES = {
    "length": gettext_lazy("An ID number has 18 characters."),
    "invalid": gettext_lazy("An ID number is 17 digits followed by a digit or X."),
    "birthday": gettext_lazy("The birth date in the ID number is not a real date."),
    "location": gettext_lazy("The ID number's region code is unknown."),
    "checksum": gettext_lazy("Wrong check digit: the ID number is mistyped (GB 11643)."),
    "region": gettext_lazy("The first six digits of the ID number are not a region code that has existed since 1980 (GB/T 2260)."),
    "future": gettext_lazy("The birth date in the ID number is in the future."),
}


class IdNumber(Text):
    """A resident ID number, checked with the registry's GB 11643 rule."""

    def __init__(self):
        super().__init__(upper=True)

    def __call__(self, value):
        if isinstance(value, float) and value >= 1e15:
            # Excel keeps 15 significant digits: the last digits of an ID typed as a number are gone.
            raise CellError(_("The ID number was stored as a number and lost its last digits: format the column as text and enter it again."))
        text = rules.compact(super().__call__(value))  # spaces and hyphens typed into the cell
        if "*" in text:
            raise CellError(_("ID number is masked (*); export with full personal data to re-import."))
        problem = rules.id_number_problem(text)
        if problem:
            raise CellError(ID_MESSAGES[problem])
        return text

    def describe(self):
        return _("18 characters: 17 digits and a check digit or X (GB 11643). Format the column as text.")


class CreditCode(Text):
    cacheable = True  # a workforce file repeats its few employers' codes

    def __init__(self):
        super().__init__(upper=True)

    def __call__(self, value):
        text = rules.normalise_credit_code(super().__call__(value))
        problem = rules.credit_code_problem(text)
        if problem:
            raise CellError(rules.CREDIT_CODE_MESSAGES[problem])
        return text

    def describe(self):
        return _("18 characters: registration department and organisation type, region, organisation code and the GB 32100 check character.")


class Province(Choice):
    """A province by its two-digit code, its full name or its short name (贵州省, 贵州, 52)."""

    def lookup(self):
        if self._lookup is None:
            table = super().lookup()
            for code, name in self.choices:
                for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"):
                    if name.endswith(suffix):
                        table.setdefault(imports._normalise(name[: -len(suffix)]), code)
                        break
        return self._lookup

    def describe(self):
        return _("Province name or its two-digit code (e.g. 贵州省 or 52); empty: taken from the ID number.")


def _display(obj, name):
    return getattr(obj, f"get_{name}_display")() if obj is not None and getattr(obj, name) else ""


# ---------------------------------------------------------------------------------------------
# Enterprises

ENTERPRISE_FILE = FileSpec(
    "enterprises",
    gettext_lazy("Enterprises"),
    [
        Column("credit_code", _label(Enterprise, "credit_code"), CreditCode(), required=True),
        Column("name", _label(Enterprise, "name"), Text(128), required=True),
        Column("region", _label(Enterprise, "region"), Text(64), required=True,
               help=gettext_lazy("A town (or community) in your area, by name or administrative code."),
               get=lambda e: e.region.name),
        Column("address", _label(Enterprise, "address"), Text(255)),
        Column("industry", _label(Enterprise, "industry"), Choice(codes.INDUSTRIES)),
        Column("ownership", _label(Enterprise, "ownership"), Choice(codes.Ownership.choices)),
        Column("size_class", _label(Enterprise, "size_class"), Choice(codes.SizeClass.choices)),
        Column("legal_representative", _label(Enterprise, "legal_representative"), Text(64)),
        Column("contact_name", _label(Enterprise, "contact_name"), Text(64)),
        Column("contact_phone", _label(Enterprise, "contact_phone"), MobilePhone(), personal=masking.PHONE),
        Column("has_union", _label(Enterprise, "has_union"), Bool()),
        Column("has_mediation_committee", _label(Enterprise, "has_mediation_committee"), Bool()),
        Column("has_workers_congress", _label(Enterprise, "has_workers_congress"), Bool()),
        Column("is_key_enterprise", _label(Enterprise, "is_key_enterprise"), Bool()),
        Column("head_count", _label(Enterprise, "head_count"), readonly=True),
        Column("migrant_count", _label(Enterprise, "migrant_count"), readonly=True),
    ],
)
ENTERPRISE_FIELDS = [c.key for c in ENTERPRISE_FILE.columns if not c.readonly and c.key != "credit_code"]


def export_enterprises(queryset, *, user, unmasked):
    return queryset.select_related("region").order_by("pk").iterator(chunk_size=2000)


# ---------------------------------------------------------------------------------------------
# Workers (the workforce file)

WorkforceRow = namedtuple("WorkforceRow", "worker employment")


def _w(name):
    return lambda r: getattr(r.worker, name)


def _e(name):
    return lambda r: getattr(r.employment, name) if r.employment is not None else None


WORKER_FILE = FileSpec(
    "workers",
    gettext_lazy("Workers"),
    [
        Column("id_number", _label(Worker, "id_number"), IdNumber(), required=True, personal=masking.ID_NUMBER, get=_w("id_number")),
        Column("name", _label(Worker, "name"), Text(64), required=True, get=_w("name")),
        Column("phone", _label(Worker, "phone"), MobilePhone(), personal=masking.PHONE, get=_w("phone")),
        Column("sex", _label(Worker, "sex"), readonly=True, get=lambda r: r.worker.get_sex_display(),
               help=gettext_lazy("From the ID number.")),
        Column("birth_date", _label(Worker, "birth_date"), Date(), readonly=True, get=_w("birth_date"), personal=masking.BIRTH_DATE,
               help=gettext_lazy("From the ID number.")),
        Column("hukou_province", _label(Worker, "hukou_province"), Province(codes.PROVINCE_CHOICES), get=_w("hukou_province")),
        Column("hukou_city", _label(Worker, "hukou_city"), Text(32), get=_w("hukou_city"),
               help=gettext_lazy("Empty: taken from the ID number's region code.")),
        Column("is_migrant", _label(Worker, "is_migrant"), Bool(), get=_w("is_migrant"),
               help=gettext_lazy("Empty: yes when the household registration is outside the county's city.")),
        Column("education", _label(Worker, "education"), Choice(codes.Education.choices), get=_w("education")),
        Column("enterprise_code", _label(Enterprise, "credit_code"), CreditCode(),
               get=lambda r: r.employment.enterprise.credit_code if r.employment is not None else "",
               help=gettext_lazy("The employer, an enterprise in your area. Needed for a worker not yet in your registry.")),
        Column("enterprise_name", _label(Employment, "enterprise"), readonly=True,
               get=lambda r: r.employment.enterprise.name if r.employment is not None else ""),
        Column("position", _label(Employment, "position"), Text(64), get=_e("position")),
        Column("start_date", _label(Employment, "start_date"), Date(), get=_e("start_date"),
               help=gettext_lazy("Required with a credit code.")),
        Column("end_date", _label(Employment, "end_date"), Date(future=False), get=_e("end_date"),
               help=gettext_lazy("Empty while the worker is employed.")),
        Column("contract_signed", _label(Employment, "contract_signed"), Bool(), get=_e("contract_signed")),
        Column("contract_type", _label(Employment, "contract_type"), Choice(codes.ContractType.choices), get=_e("contract_type")),
        Column("contract_start", _label(Employment, "contract_start"), Date(), get=_e("contract_start")),
        Column("contract_end", _label(Employment, "contract_end"), Date(), get=_e("contract_end")),
        Column("insured", _label(Employment, "insured"), Bool(), get=_e("insured")),
        Column("monthly_wage", _label(Employment, "monthly_wage"), Number(9, 2), get=_e("monthly_wage")),
    ],
)
WORKER_FIELDS = ["name", "phone", "hukou_province", "hukou_city", "is_migrant", "education"]
EMPLOYMENT_FIELDS = ["position", "start_date", "end_date", "contract_signed", "contract_type", "contract_start",
                     "contract_end", "insured", "monthly_wage"]


def export_workers(queryset, *, user, unmasked, chunk: int = 2000):
    """One row per worker × current employment the user may see; a worker without one gets one
    row with the employment columns empty. Two queries per ``chunk`` workers."""
    ids = queryset.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=chunk)
    batch = []
    for pk in ids:
        batch.append(pk)
        if len(batch) >= chunk:
            yield from _workforce_rows(batch, user)
            batch = []
    if batch:
        yield from _workforce_rows(batch, user)


def _workforce_rows(ids, user):
    workers = Worker.objects.in_bulk(ids)
    employments = {}
    for emp in (
        Employment.objects.visible_to(user)
        .filter(worker_id__in=ids, end_date__isnull=True)
        .select_related("enterprise")
        .order_by("worker_id", "start_date", "pk")
    ):
        employments.setdefault(emp.worker_id, []).append(emp)
    for pk in ids:
        worker = workers.get(pk)
        if worker is None:
            continue
        for emp in employments.get(pk) or [None]:
            yield WorkforceRow(worker, emp)


imports.register(FileKind("enterprises", ENTERPRISE_FILE, Enterprise, export_enterprises,
                          "registry:import_enterprises", "registry:import_template", "registry:import_batch_detail"))
imports.register(FileKind("workers", WORKER_FILE, Worker, export_workers,
                          "registry:import_workers", "registry:import_template", "registry:import_batch_detail"))


def _navigation():
    from concord.core import navigation
    from concord.core.models import ImportBatch

    navigation.register("registry", [navigation.Item(gettext_lazy("Import batches"), "registry:import_batch_list", ImportBatch)])


_navigation()
