"""The import mechanism (core/imports.py) and the registry's files (registry/io.py, importers.py):
every rule with its bad input and exact message, malformed files, dry run, commit, upsert, scope,
audit, export ⇄ import round trips, the pages, the background task and the commands.

Messages are compared in English (the msgids); a few tests check the Chinese interface."""
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO, StringIO
import csv
import os

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from concord.core import imports
from concord.core.imports import Bool, CellError, Choice, Date, MobilePhone, Number, Text
from concord.core.models import AccessLog, Event, ImportBatch
from concord.registry import codes, importers, io, rules, tasks
from concord.registry.models import Employment, Enterprise, Worker
from tests.conftest import credit_code, id_number, make_user

NEW_1 = id_number("522422", "19960101", 601)  # Guizhou (Bijie): a migrant
NEW_2 = id_number("341222", "19900606", 602)  # Anhui
LOCAL = id_number("330621", "19850505", 603)  # the former Shaoxing county: local
TODAY = date.today  # called at test time: a run may cross midnight


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# -- helpers ------------------------------------------------------------------------------------

def worker_values(code, number=NEW_1, **over):
    values = {"id_number": number, "name": "New worker", "phone": "13900001234", "education": "junior",
              "enterprise_code": code, "position": "Weaver", "start_date": "2025-03-01", "contract_signed": "yes",
              "contract_type": "fixed_term", "contract_start": "2025-03-01", "contract_end": "2028-02-29",
              "insured": "yes", "monthly_wage": "5200"}
    values.update(over)
    return values


def enterprise_values(code, **over):
    values = {"credit_code": code, "name": "Alpha新厂", "region": "Alpha街道", "industry": "C17D", "ownership": "private",
              "size_class": "small", "contact_phone": "13700001111", "has_union": "yes"}
    values.update(over)
    return values


def table(spec, records, keys=None):
    keys = keys or [c.key for c in spec.columns]
    titles = {c.key: c.title() for c in spec.columns}
    return [[titles[k] for k in keys]] + [[r.get(k, "") for k in keys] for r in records]


def csv_file(rows, encoding="utf-8-sig", delimiter=",") -> bytes:
    out = StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows, sheets=None) -> bytes:
    book = Workbook()
    book.active.title = "data"
    for row in rows:
        book.active.append(row)
    for title, extra in (sheets or {}).items():
        sheet = book.create_sheet(title)
        for row in extra:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def workers(world, records, *, actor=None, commit=False, keys=None):
    data = csv_file(table(io.WORKER_FILE, records, keys))
    return importers.import_file("workers", data, actor=actor or world.officer_a, filename="w.csv", commit=commit)


def enterprises(world, records, *, actor=None, commit=False, keys=None):
    data = csv_file(table(io.ENTERPRISE_FILE, records, keys))
    return importers.import_file("enterprises", data, actor=actor or world.officer_a, filename="e.csv", commit=commit)


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def snapshot():
    """Row counts of every table of the project's models and the change log, and the registry's data."""
    counts = {m._meta.label: m._base_manager.count() for m in apps.get_models() if not m._meta.proxy}
    data = (list(Worker.objects.order_by("pk").values()), list(Employment.objects.order_by("pk").values()),
            list(Enterprise.objects.order_by("pk").values()))
    return counts, data


def title(spec, key):
    return spec.by_key[key].title()


W = lambda key: title(io.WORKER_FILE, key)  # noqa: E731
E = lambda key: title(io.ENTERPRISE_FILE, key)  # noqa: E731


# -- cell parsers (pure) ------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("2024-03-01", date(2024, 3, 1)), ("2024/3/1", date(2024, 3, 1)), ("2024.3.1", date(2024, 3, 1)),
    ("2024年3月1日", date(2024, 3, 1)), ("20240301", date(2024, 3, 1)), (20240301.0, date(2024, 3, 1)),
    (45352.0, date(2024, 3, 1)), (datetime(2024, 3, 1, 0, 0), date(2024, 3, 1)), (date(2024, 3, 1), date(2024, 3, 1)),
    ("2024-03-01 00:00:00", date(2024, 3, 1)),
])
def test_dates_in_the_forms_excel_and_people_write(raw, expected):
    assert Date()(raw) == expected


@pytest.mark.parametrize("raw", ["明天", "2024-02-30", "03/01/2024", "-5"])
def test_a_bad_date_names_the_value_and_the_format(raw):
    with pytest.raises(CellError) as exc:
        Date()(raw)
    assert exc.value.message == f'Not a date: "{raw}" (write it as 2024-03-01).'


def test_a_date_that_may_not_be_in_the_future():
    with pytest.raises(CellError) as exc:
        Date(future=False)((TODAY() + timedelta(days=1)).isoformat())
    assert exc.value.message == "The date cannot be in the future."
    assert Date(future=False)(TODAY().isoformat()) == TODAY()


@pytest.mark.parametrize("raw, expected", [
    ("是", True), ("否", False), ("yes", True), ("No", False), ("Y", True), ("n", False), ("1", True), ("0", False),
    (1.0, True), (0.0, False), (True, True), ("TRUE", True), ("有", True), ("无", False),
])
def test_yes_and_no_in_both_languages(raw, expected):
    assert Bool()(raw) is expected


def test_a_bad_yes_no_value():
    with pytest.raises(CellError) as exc:
        Bool()("maybe")
    assert exc.value.message == 'Write 是 or 否 (yes or no), not "maybe".'


@pytest.mark.parametrize("raw", ["junior", "Junior secondary", "junior SECONDARY", "初中"])
def test_a_choice_by_code_or_label_in_either_language(raw):
    assert Choice(codes.Education.choices)(raw) == "junior"


def test_an_unknown_choice_lists_the_allowed_values():
    with pytest.raises(CellError) as exc:
        Choice(codes.ContractType.choices)("lifetime")
    assert exc.value.message == 'Unknown value "lifetime"; allowed: Fixed-term、Open-ended、Task-based.'


def test_province_by_code_full_or_short_name():
    parser = io.WORKER_FILE.by_key["hukou_province"].parser
    assert parser("52") == parser("贵州省") == parser("贵州") == "52"
    assert parser("广西") == "45"


@pytest.mark.parametrize("raw, expected", [
    ("5200", Decimal("5200.00")), ("5,200.50", Decimal("5200.50")), (5200.0, Decimal("5200.00")),
    ("¥5200元", Decimal("5200.00")), (4999.99, Decimal("4999.99")), (3, Decimal("3.00")),
])
def test_amounts(raw, expected):
    assert Number(9, 2)(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("-1", "The amount cannot be negative."), ("abc", 'Not a number: "abc".'), ("12345678901", "The number is too large."),
])
def test_bad_amounts(raw, message):
    with pytest.raises(CellError) as exc:
        Number(9, 2)(raw)
    assert exc.value.message == message


@pytest.mark.parametrize("raw, expected", [("138 0000 1111", "13800001111"), ("+8613800001111", "13800001111"),
                                           (13800001111.0, "13800001111"), ("138-0000-1111", "13800001111")])
def test_mobile_numbers(raw, expected):
    assert MobilePhone()(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("12345", "Not a mainland mobile number (11 digits starting with 1)."),
    ("10012345678", "Not a mainland mobile number (11 digits starting with 1)."),
    ("138****1111", "The phone number is masked (*); export with full personal data to re-import."),
])
def test_bad_mobile_numbers(raw, message):
    with pytest.raises(CellError) as exc:
        MobilePhone()(raw)
    assert exc.value.message == message


def test_text_length_and_numbers_typed_into_text_columns():
    assert Text(5)(" abc ") == "abc"
    assert Text()(12.0) == "12"
    with pytest.raises(CellError) as exc:
        Text(5)("abcdef")
    assert exc.value.message == "At most 5 characters."


@pytest.mark.parametrize("raw, message", [
    (NEW_1[:-1] + ("0" if NEW_1[-1] != "0" else "1"), "Wrong check digit: the ID number is mistyped (GB 11643)."),
    (NEW_1[:17], "An ID number has 18 characters."),
    ("52242219960101A01X", "An ID number is 17 digits followed by a digit or X."),
    (id_number("522422", "19960231", 1), "The birth date in the ID number is not a real date."),
    (id_number("992422", "19960101", 1), "The ID number's region code is unknown."),
    (id_number("522422", (TODAY() + timedelta(days=400)).strftime("%Y%m%d"), 1), "The birth date in the ID number is in the future."),
    ("522422********0011", "ID number is masked (*); export with full personal data to re-import."),
    (522422199601016011.0, "The ID number was stored as a number and lost its last digits: format the column as text and enter it again."),
])
def test_id_number_checks(raw, message):
    with pytest.raises(CellError) as exc:
        io.IdNumber()(raw)
    assert exc.value.message == message


def test_id_number_is_normalised():
    assert io.IdNumber()(" " + NEW_1.lower() + " ") == NEW_1


def test_credit_code_check_character():
    assert io.CreditCode()(credit_code(5).lower()) == credit_code(5)
    with pytest.raises(CellError) as exc:
        io.CreditCode()(credit_code(5)[:-1] + ("0" if credit_code(5)[-1] != "0" else "1"))
    assert exc.value.message == str(rules.CREDIT_CODE_MESSAGES["checksum"])


def test_codes_typed_with_hyphens_and_spaces_are_stored_without_them():
    assert io.CreditCode()("9133-0603 " + credit_code(5)[8:].lower()) == credit_code(5)
    assert io.IdNumber()(NEW_1[:6] + "-" + NEW_1[6:14] + " " + NEW_1[14:]) == NEW_1


# -- reading files -------------------------------------------------------------------------------

def read(data, name="f.xlsx", **kw):
    t = imports.read_table(data, name, **kw)
    return t.header, list(t.rows)


def file_error(data, name="f.xlsx", **kw):
    with pytest.raises(imports.ImportFileError) as exc:
        read(data, name, **kw)
    return exc.value.message


def test_not_a_spreadsheet():
    assert file_error(os.urandom(3000), "workers.xlsx") == (
        "This file is not a spreadsheet: upload an Excel (.xlsx, .xls), OpenDocument (.ods) or CSV file.")
    assert file_error(b"%PDF-1.4 some text", "workers.pdf") == (
        "This file is not a spreadsheet: upload an Excel (.xlsx, .xls), OpenDocument (.ods) or CSV file.")


def test_truncated_workbook():
    data = xlsx_file([["a", "b"], [1, 2]] * 200)
    assert file_error(data[: len(data) // 2]) == (
        "The file is damaged or incomplete (it may have been cut off); save it again from Excel and retry.")


def test_empty_files():
    assert file_error(b"", "f.csv") == "The file is empty."
    assert file_error(b"\n\n  \n", "f.csv") == "The file is empty."
    assert file_error(xlsx_file([])) == "The file is empty."


def test_size_cap(settings):
    settings.CONCORD_IMPORT_MAX_BYTES = 1024 * 1024
    assert file_error(b"x" * (1024 * 1024 + 1), "f.csv") == "The file is larger than the limit of 1 MB."
    path_error = file_error(BytesIO(b"x" * (2 * 1024 * 1024)), "f.csv")
    assert path_error == "The file is larger than the limit of 1 MB."


def test_fifty_megabytes_of_garbage_is_refused_before_reading_it(tmp_path):
    big = tmp_path / "garbage.xlsx"
    with open(big, "wb") as fh:
        fh.seek(50 * 1024 * 1024)
        fh.write(b"\x01")
    assert file_error(str(big)) == "The file is larger than the limit of 50 MB."


def test_csv_in_gb18030_and_utf8_with_or_without_bom_and_other_delimiters():
    rows = [["姓名", "岗位"], ["张三", "挡车工"]]
    for data in (csv_file(rows, "gb18030"), csv_file(rows, "utf-8-sig"), csv_file(rows, "utf-8"),
                 csv_file(rows, "utf-8", ";"), csv_file(rows, "utf-8", "\t")):
        header, body = read(data, "f.csv")
        assert header == ["姓名", "岗位"] and body == [(2, "", ["张三", "挡车工"])]


def test_rows_are_numbered_as_the_spreadsheet_shows_them():
    header, body = read(xlsx_file([[], ["a", "b"], ["1", "2"], [], ["3", "4"]]))
    assert header == ["a", "b"]
    assert [number for number, _s, cells in body if any(cells)] == [3, 5]


def test_headers_in_english_or_chinese_missing_unknown_and_repeated():
    spec = io.ENTERPRISE_FILE
    with translation.override("zh-hans"):
        chinese = spec.headers()
    english = spec.headers()
    assert chinese != english
    for header in (chinese, english, [h.upper() for h in english], chinese[:2] + english[2:]):
        mapping, problems = spec.match(header)
        assert not problems and len(mapping) == len(spec.columns)
    _m, problems = spec.match(["Name", "Phone of the boss", "Name"])
    assert [(p.row, p.column, p.message) for p in problems] == [
        (1, "Name", "This column appears more than once."),
        (None, "", "Missing columns: Unified social credit code、Town."),
        (None, "", "Unknown columns: Phone of the boss. The columns of this file are: " + "、".join(english) + "."),
    ]


def test_wrong_headers_import_nothing(world):
    before = snapshot()
    data = csv_file([["姓名", "电话号码"], ["张三", "1"]])  # 姓名 is the Chinese header of the name column
    result = importers.import_file("workers", data, actor=world.officer_a, filename="w.csv", commit=True)
    assert [(e.row, e.message) for e in result.errors] == [
        (None, "Missing columns: ID number."),
        (None, "Unknown columns: 电话号码. The columns of this file are: " + "、".join(io.WORKER_FILE.headers()) + "."),
    ]
    assert snapshot()[1] == before[1]


def test_header_only_file(world):
    result = importers.import_file("workers", csv_file([io.WORKER_FILE.headers()]), actor=world.officer_a, filename="w.csv",
                                   commit=False)
    assert errors(result) == [(None, "", "The file has no data rows below the header.")]


def test_export_continued_on_a_second_sheet_is_read_and_its_rows_named_by_sheet(world):
    head = io.WORKER_FILE.headers()
    first = table(io.WORKER_FILE, [worker_values(world.ent_a.credit_code)])
    second = table(io.WORKER_FILE, [worker_values(world.ent_a.credit_code, NEW_2, phone="1")])[1:]
    data = xlsx_file(first, {"data (2)": [head] + second, "Notes": [["Column", "Required"], ["x", "y"]]})
    result = importers.import_file("workers", data, actor=world.officer_a, filename="w.xlsx", commit=False)
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [("data (2)", 2, W("phone"))]
    assert str(result.errors[0]) == "sheet data (2), row 2, column Mobile phone: Not a mainland mobile number (11 digits starting with 1)."
    assert result.rows == 2


# -- worker file: every rule by row and column ------------------------------------------------------

def one_bad_row(world, expected_key, message, **over):
    before = snapshot()
    good = worker_values(world.ent_a.credit_code)
    bad = worker_values(world.ent_a.credit_code, NEW_2, **{"name": "Second", **over})
    result = workers(world, [good, bad], commit=True)
    assert errors(result) == [(3, W(expected_key), message)]
    assert not result.committed and snapshot()[1] == before[1]
    return result


@pytest.mark.parametrize("over, key, message", [
    ({"id_number": NEW_2[:-1] + ("0" if NEW_2[-1] != "0" else "1")}, "id_number", "Wrong check digit: the ID number is mistyped (GB 11643)."),
    ({"name": ""}, "name", "A value is required."),
    ({"phone": "0575-8888888"}, "phone", "Not a mainland mobile number (11 digits starting with 1)."),
    ({"education": "PhD"}, "education", None),
    ({"hukou_province": "火星"}, "hukou_province", None),
    ({"is_migrant": "sometimes"}, "is_migrant", 'Write 是 or 否 (yes or no), not "sometimes".'),
    ({"enterprise_code": credit_code(2)}, "enterprise_code", "No enterprise with this credit code in your scope."),
    ({"enterprise_code": credit_code(900)}, "enterprise_code", "No enterprise with this credit code in your scope."),
    ({"enterprise_code": "91330603MA2000001X"}, "enterprise_code", None),
    ({"start_date": ""}, "start_date", "A value is required."),
    ({"start_date": "soon"}, "start_date", 'Not a date: "soon" (write it as 2024-03-01).'),
    ({"start_date": (TODAY() + timedelta(days=3)).isoformat(), "contract_start": (TODAY() + timedelta(days=3)).isoformat()},
     "start_date", "The start date cannot be in the future."),
    ({"end_date": (TODAY() + timedelta(days=3)).isoformat()}, "end_date", "The date cannot be in the future."),
    ({"end_date": "2025-01-01"}, "end_date", "The end date cannot be before the start date."),
    ({"contract_type": ""}, "contract_type", "Choose the contract type of a signed contract."),
    ({"contract_start": ""}, "contract_start", "Enter the start date of the signed contract."),
    ({"contract_end": "2024-01-01"}, "contract_end", "The contract end date cannot be before its start date."),
    ({"contract_end": ""}, "contract_end", "A fixed-term contract needs an end date."),
    ({"contract_type": "open_ended"}, "contract_end", "An open-ended contract has no end date."),
    ({"contract_signed": "no"}, "contract_signed", "Contract type and dates only apply to a signed contract."),
    ({"contract_type": "forever"}, "contract_type", None),
    ({"insured": "?"}, "insured", 'Write 是 or 否 (yes or no), not "?".'),
    ({"monthly_wage": "-100"}, "monthly_wage", "The amount cannot be negative."),
])
def test_each_worker_rule_names_row_column_and_reason(world, over, key, message):
    if message:
        one_bad_row(world, key, message, **over)
    else:  # messages that list allowed values: row, column and one error
        before = snapshot()
        result = workers(world, [worker_values(world.ent_a.credit_code), worker_values(world.ent_a.credit_code, NEW_2, **over)],
                         commit=True)
        assert [(e.row, e.column) for e in result.errors] == [(3, W(key))] and result.errors[0].message
        assert snapshot()[1] == before[1]


def test_employment_fields_without_a_credit_code(world):
    result = workers(world, [worker_values("", NEW_1)])
    assert errors(result) == [(2, W("enterprise_code"), "Enter the enterprise's credit code for this employment.")]


def test_a_new_worker_needs_an_employer(world):
    keys = ["id_number", "name", "phone"]
    result = workers(world, [{"id_number": NEW_1, "name": "Nobody", "phone": "13900001111"}], keys=keys)
    assert errors(result) == [(2, W("enterprise_code"), "Required for a worker who is not yet in your registry.")]
    # The same for a registered person outside the importer's scope: nothing reveals that they exist.
    result = workers(world, [{"id_number": world.worker_b.id_number, "name": "x", "phone": "13900001111"}], keys=keys)
    assert errors(result) == [(2, W("enterprise_code"), "Required for a worker who is not yet in your registry.")]


def test_duplicates_in_the_file_name_both_rows(world):
    rows = [worker_values(world.ent_a.credit_code), worker_values(world.ent_a.credit_code, NEW_2),
            worker_values(world.ent_a.credit_code)]
    result = workers(world, rows)
    assert errors(result) == [
        (2, W("id_number"), "Same ID number and enterprise as row 4."),
        (4, W("id_number"), "Same ID number and enterprise as row 2."),
    ]


def test_one_person_two_jobs_is_fine_but_not_two_versions_of_them(world):
    two_jobs = [worker_values(world.ent_a.credit_code), worker_values(world.ent_a2.credit_code)]
    assert workers(world, two_jobs).ok
    conflicting = [worker_values(world.ent_a.credit_code), worker_values(world.ent_a2.credit_code, name="Someone else")]
    assert errors(workers(world, conflicting)) == [
        (3, W("id_number"), "Different personal data from row 2 for the same ID number.")]


def test_every_problem_of_a_file_is_listed_in_one_dry_run(world):
    rows = [worker_values(world.ent_a.credit_code, phone="1", education="PhD"),
            worker_values(credit_code(2), NEW_2, start_date="x"),
            worker_values(world.ent_a.credit_code, LOCAL, contract_type="")]
    result = workers(world, rows)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, W("phone")), (2, W("education")), (3, W("start_date")), (4, W("contract_type"))]


def test_messages_and_headers_in_chinese(world):
    with translation.override("zh-hans"):
        bad = worker_values(world.ent_a.credit_code, phone="12345")
        result = workers(world, [bad])
        error = result.errors[0]
        assert error.column == "手机号码"
        assert error.message == "不是有效的中国大陆手机号码（应为以1开头的11位数字）。"


# -- worker file: commit ----------------------------------------------------------------------------

def test_a_dry_run_changes_nothing_at_all(world):
    before = snapshot()
    result = workers(world, [worker_values(world.ent_a.credit_code), worker_values(world.ent_a.credit_code, NEW_2)])
    assert result.ok and not result.committed and result.created == 2 and result.batch is None
    assert snapshot() == before


def test_commit_creates_workers_with_derived_fields_and_the_batch_lists_them(world):
    result = workers(world, [worker_values(world.ent_a.credit_code), worker_values(world.ent_a.credit_code, LOCAL, name="Local")],
                     commit=True)
    assert result.ok and result.committed and (result.created, result.updated, result.unchanged) == (2, 0, 0)
    new = Worker.objects.get(id_number=NEW_1)
    assert (new.birth_date, new.sex, new.hukou_province, new.is_migrant) == (date(1996, 1, 1), "M", "52", True)
    assert new.hukou_city  # from the prefecture table
    local = Worker.objects.get(id_number=LOCAL)
    assert (local.hukou_province, local.is_migrant) == ("33", False)
    job = Employment.objects.get(worker=new, enterprise=world.ent_a)
    assert (job.contract_type, job.contract_signed, job.insured, job.monthly_wage) == ("fixed_term", True, True, Decimal("5200.00"))
    world.ent_a.refresh_from_db()
    assert (world.ent_a.head_count, world.ent_a.migrant_count) == (3, 2)
    batch = result.batch
    assert batch.status == ImportBatch.Status.COMMITTED and batch.actor == world.officer_a
    assert batch.region_path == world.town_a.path and batch.row_count == 2 and len(batch.sha256) == 64
    assert sorted(imports.expand_ids(batch.created_ids["registry.worker"])) == sorted([new.pk, local.pk])
    assert len(imports.expand_ids(batch.created_ids["registry.employment"])) == 2
    assert batch.counts == {"worker": {"created": 2, "updated": 0}, "employment": {"created": 2, "updated": 0}}
    event = Event.objects.get(verb="imported")
    assert event.object_id == str(batch.pk) and event.data["counts"] == batch.counts and event.region_path == world.town_a.path


def test_upsert_updates_the_open_employment_and_writes_the_change_log_with_masked_personal_data(world):
    workers(world, [worker_values(world.ent_a.credit_code)], commit=True)
    worker = Worker.objects.get(id_number=NEW_1)
    result = workers(world, [worker_values(world.ent_a.credit_code, phone="13911112222", monthly_wage="6100")], commit=True)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert Employment.objects.filter(worker=worker).count() == 1
    assert Employment.objects.get(worker=worker).monthly_wage == Decimal("6100.00")
    entries = LogEntry.objects.filter(additional_data__import_batch=result.batch.pk)
    worker_entry = entries.get(object_pk=str(worker.pk), content_type__model="worker")
    assert worker_entry.action == LogEntry.Action.UPDATE and worker_entry.actor == world.officer_a
    old, new = worker_entry.changes_dict["phone"]
    assert "13911112222" not in new and new.endswith("1112222"[-4:]) and "*" in new  # masked like the change log masks
    job_entry = entries.get(content_type__model="employment")
    assert job_entry.changes_dict["monthly_wage"] == ["5200.00", "6100.00"]
    again = workers(world, [worker_values(world.ent_a.credit_code, phone="13911112222", monthly_wage="6100")], commit=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_an_end_date_closes_the_open_employment_and_a_later_file_can_start_a_new_one(world):
    workers(world, [worker_values(world.ent_a.credit_code)], commit=True)
    worker = Worker.objects.get(id_number=NEW_1)
    closed = workers(world, [worker_values(world.ent_a.credit_code, end_date=TODAY().isoformat())], commit=True)
    assert closed.updated == 1
    assert Employment.objects.get(worker=worker).end_date == TODAY()
    world.ent_a.refresh_from_db()
    assert world.ent_a.head_count == 1  # refreshed after the commit
    rehired = workers(world, [worker_values(world.ent_a.credit_code, start_date=TODAY().isoformat(), contract_start=TODAY().isoformat())],
                      commit=True)
    assert rehired.created == 1 and Employment.objects.filter(worker=worker).count() == 2
    # The ended one is matched by its start date: importing it again changes nothing.
    same = workers(world, [worker_values(world.ent_a.credit_code, end_date=TODAY().isoformat())], commit=True)
    assert (same.created, same.updated, same.unchanged) == (0, 0, 1)


def test_a_columns_left_out_leaves_fields_unchanged(world):
    workers(world, [worker_values(world.ent_a.credit_code, education="senior")], commit=True)
    keys = ["id_number", "name", "enterprise_code", "start_date"]
    result = workers(world, [{"id_number": NEW_1, "name": "Renamed", "enterprise_code": world.ent_a.credit_code,
                              "start_date": "2025-03-01"}], commit=True, keys=keys)
    assert result.updated == 1
    worker = Worker.objects.get(id_number=NEW_1)
    assert (worker.name, worker.education, worker.phone) == ("Renamed", "senior", "13900001234")
    assert Employment.objects.get(worker=worker).monthly_wage == Decimal("5200.00")


def test_a_person_outside_scope_is_refused_without_saying_they_are_registered_elsewhere(world):
    """Adding the job would put the person into the importer's scope (tests/test_registry_identity.py)."""
    outsider = world.worker_b
    result = workers(world, [worker_values(world.ent_a.credit_code, outsider.id_number, name="Changed", phone="13911112222")],
                     commit=True)
    assert errors(result) == [(2, W("id_number"), (
        "This ID number cannot be registered here. If the person works for an enterprise in your area, ask the county "
        "federation of trade unions to add the employment."))]
    outsider.refresh_from_db()
    assert (outsider.name, outsider.phone) == ("Bravo职工", "13900003333")
    assert not Employment.objects.filter(worker=outsider, enterprise=world.ent_a).exists()


def test_union_officer_imports_only_their_enterprise(world):
    ok = workers(world, [worker_values(world.ent_a.credit_code)], actor=world.union_a, commit=True)
    assert ok.ok and ok.batch.enterprise_id == world.ent_a.pk
    other = workers(world, [worker_values(world.ent_a2.credit_code, NEW_2)], actor=world.union_a, commit=True)
    assert errors(other) == [(2, W("enterprise_code"), "No enterprise with this credit code in your scope.")]


@pytest.mark.parametrize("who", ["auditor", "worker_user", "court"])
def test_roles_that_never_write_get_one_error_and_nothing_changes(world, who):
    before = snapshot()
    result = workers(world, [worker_values(world.ent_a.credit_code)], actor=getattr(world, who), commit=True)
    assert errors(result) == [(None, "", "Your role may not import this kind of file.")]
    assert snapshot()[1] == before[1]


def test_all_or_nothing_when_the_scope_recheck_after_writing_fails(world, monkeypatch):
    """The write is re-checked through the scope mechanism: a row that slipped past validation
    (simulated here by a lookup that lets any enterprise through) rolls everything back."""
    real = Enterprise.objects.visible_to
    monkeypatch.setattr(Enterprise.objects, "visible_to",
                        lambda user, action="view": Enterprise._base_manager.all() if action == "change" else real(user, action))
    before = snapshot()
    result = workers(world, [worker_values(world.ent_a.credit_code), worker_values(world.ent_b.credit_code, NEW_2)], commit=True)
    assert errors(result) == [(3, W("enterprise_code"), "This row would place a record outside your scope.")]
    assert not result.committed and result.batch.status == ImportBatch.Status.FAILED
    assert snapshot()[1] == before[1]
    assert not Worker.objects.filter(id_number__in=[NEW_1, NEW_2]).exists()


def test_writes_are_batched_not_per_row(world):
    def rows(n, offset):
        born = [date(1980, 1, 1) + timedelta(days=offset + i) for i in range(n)]
        return [worker_values(world.ent_a.credit_code, id_number("522422", b.strftime("%Y%m%d"), 7), name=f"W{i}")
                for i, b in enumerate(born)]

    def queries(n, offset):
        data = csv_file(table(io.WORKER_FILE, rows(n, offset)))
        with CaptureQueriesContext(connection) as ctx:
            result = importers.import_file("workers", data, actor=world.admin, filename="w.csv", commit=True)
        assert result.ok and result.created == n, result.lines()[:3]
        return len(ctx)

    small, large = queries(20, 0), queries(1000, 100)
    assert large - small <= 10, (small, large)


# -- enterprise file ------------------------------------------------------------------------------

@pytest.mark.parametrize("over, key, message", [
    ({"credit_code": credit_code(70)[:-1] + ("0" if credit_code(70)[-1] != "0" else "1")}, "credit_code",
     "The check character (the 18th) of the credit code does not match the other 17: a character is probably mistyped."),
    ({"region": "火星镇"}, "region", 'Unknown town "火星镇": enter the name or code of a town in your area.'),
    ({"region": "Bravo街道"}, "region", 'Unknown town "Bravo街道": enter the name or code of a town in your area.'),
    ({"name": ""}, "name", "A value is required."),
    ({"contact_phone": "5551234"}, "contact_phone", "Not a mainland mobile number (11 digits starting with 1)."),
    ({"has_union": "perhaps"}, "has_union", 'Write 是 or 否 (yes or no), not "perhaps".'),
    ({"credit_code": credit_code(2)}, "credit_code", "This enterprise is outside your scope."),
])
def test_each_enterprise_rule(world, over, key, message):
    before = snapshot()
    result = enterprises(world, [enterprise_values(credit_code(71)), enterprise_values(credit_code(72), **over)], commit=True)
    assert errors(result) == [(3, E(key), message)]
    assert snapshot()[1] == before[1]


def test_enterprise_unknown_choice_and_duplicates(world):
    result = enterprises(world, [enterprise_values(credit_code(71), size_class="giant"), enterprise_values(credit_code(72)),
                                 enterprise_values(credit_code(72))])
    assert [(e.row, e.column) for e in result.errors] == [(2, E("size_class")), (3, E("credit_code")), (4, E("credit_code"))]
    assert result.errors[1].message == "Same credit code as row 4."


def test_enterprise_upsert_by_credit_code_town_by_code_and_audit(world):
    result = enterprises(world, [enterprise_values(credit_code(71), region=world.town_a.code),
                                 enterprise_values(world.ent_a.credit_code, name="Alpha纺织（新名）", region="Alpha街道",
                                                   contact_phone="13711112222")], commit=True)
    assert result.ok and (result.created, result.updated) == (1, 1)
    new = Enterprise.objects.get(credit_code=credit_code(71))
    assert (new.region, new.industry, new.size_class, new.has_union) == (world.town_a, "C17D", "small", True)
    assert result.batch.created_ids == {"registry.enterprise": [[new.pk, new.pk]]}
    world.ent_a.refresh_from_db()
    assert world.ent_a.name == "Alpha纺织（新名）" and world.ent_a.contact_phone == "13711112222"
    entry = LogEntry.objects.get(object_pk=str(world.ent_a.pk), additional_data__import_batch=result.batch.pk)
    assert entry.changes_dict["name"] == ["Alpha纺织有限公司", "Alpha纺织（新名）"]
    assert "13711112222" not in str(entry.changes_dict["contact_phone"])


def test_county_admin_may_move_an_enterprise_a_town_officer_may_not_name_another_town(world):
    moved = enterprises(world, [enterprise_values(world.ent_a2.credit_code, name=world.ent_a2.name, region="Bravo街道")],
                        actor=world.admin, commit=True)
    assert moved.ok
    world.ent_a2.refresh_from_db()
    assert world.ent_a2.region == world.town_b


def test_union_officer_may_update_their_enterprise_but_not_add_one(world):
    own = enterprises(world, [enterprise_values(world.ent_a.credit_code, name=world.ent_a.name, has_union="yes")],
                      actor=world.union_a, commit=True)
    assert own.ok
    new = enterprises(world, [enterprise_values(credit_code(71))], actor=world.union_a)
    assert errors(new) == [(2, E("region"), "You may not add enterprises in this town.")]


# -- export ⇄ import -----------------------------------------------------------------------------

def exported(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))


def test_worker_export_writes_the_import_file_scoped_masked_and_logged(world, login):
    Employment.objects.create(worker=world.worker_a, enterprise=world.ent_b, start_date=date(2024, 5, 1), position="Bravo岗位")
    client = login(world.officer_a)
    rows = exported(client, "/registry/workers/?export=csv")
    assert rows[0] == io.WORKER_FILE.headers()
    assert "Bravo" not in str(rows)  # the worker's job in town B is not in town A's export
    ids = [r[0] for r in rows[1:]]
    assert world.worker_a.id_number not in ids and world.worker_a.id_number_masked in ids
    before = AccessLog.objects.count()
    full = exported(client, "/registry/workers/?export=csv&unmask=1")
    assert world.worker_a.id_number in [r[0] for r in full[1:]]
    assert AccessLog.objects.count() == before + 1  # one entry per export, naming every personal field


def test_worker_export_reimports_unchanged_and_the_masked_one_says_why_it_cannot(world, login):
    client = login(world.officer_a)
    full = client.get("/registry/workers/?export=xlsx&unmask=1").content
    translation.activate("en")
    result = importers.import_file("workers", full, actor=world.officer_a, filename="export.xlsx", commit=True)
    assert result.ok, result.lines()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    masked = client.get("/registry/workers/?export=xlsx").content
    translation.activate("en")  # the request left its own language active in this thread
    refused = importers.import_file("workers", masked, actor=world.officer_a, filename="masked.xlsx", commit=False)
    assert {(e.column, e.message) for e in refused.errors} >= {
        (W("id_number"), "ID number is masked (*); export with full personal data to re-import.")}


def test_enterprise_export_round_trip(world, login):
    world.ent_a.contact_phone = "13755556666"
    world.ent_a.industry = "C18"
    world.ent_a.save()
    client = login(world.officer_a)
    rows = exported(client, "/registry/enterprises/?export=csv&unmask=1")
    assert rows[0] == io.ENTERPRISE_FILE.headers()
    assert "13755556666" in str(rows) and "Bravo" not in str(rows)
    data = csv_file(rows)
    result = importers.import_file("enterprises", data, actor=world.officer_a, filename="e.csv", commit=True)
    assert result.ok and result.unchanged == 2 and result.updated == 0
    masked = exported(client, "/registry/enterprises/?export=csv")
    assert "13755556666" not in str(masked)


def test_export_neutralises_formulas_in_the_import_file(world, login):
    world.emp_a.position = "=HYPERLINK(\"http://x\")"
    world.emp_a.save()
    rows = exported(login(world.officer_a), "/registry/workers/?export=csv")
    assert "'=HYPERLINK(\"http://x\")" in [r[io.WORKER_FILE.columns.index(io.WORKER_FILE.by_key["position"])] for r in rows]


# -- template ------------------------------------------------------------------------------------

def test_template_has_the_export_headers_a_notes_sheet_and_text_id_column(world, login):
    client = login(world.officer_a)
    with translation.override("zh-hans"):
        response = client.get("/registry/import/template/?kind=workers", HTTP_ACCEPT_LANGUAGE="zh-hans")
        headers = io.WORKER_FILE.headers()
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    data, notes = book.worksheets
    assert [c.value for c in data[1]] == headers
    assert data.column_dimensions["A"].number_format == "@"
    assert notes.max_row >= len(io.WORKER_FILE.columns) + 1
    assert [r[0].value for r in notes.iter_rows(min_row=2, max_row=len(headers) + 1)] == headers
    assert login(world.auditor).get("/registry/import/template/?kind=workers").status_code == 404
    assert client.get("/registry/import/template/?kind=nothing").status_code == 404


def test_a_filled_in_template_imports(world):
    book = load_workbook(BytesIO(io.WORKER_FILE.template()))
    sheet = book.worksheets[0]
    values = worker_values(world.ent_a.credit_code)
    sheet.append([values.get(c.key, "") for c in io.WORKER_FILE.columns])
    out = BytesIO()
    book.save(out)
    result = importers.import_file("workers", out.getvalue(), actor=world.officer_a, filename="t.xlsx", commit=False)
    assert result.ok and result.rows == 1, result.lines()


# -- pages ---------------------------------------------------------------------------------------

@pytest.fixture
def login(login):
    """Page tests read the English interface."""
    def _login(user):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _login


def upload(client, data, name="w.xlsx", url="/registry/import/workers/"):
    f = BytesIO(data)
    f.name = name
    return client.post(url, {"file": f})


def test_list_pages_offer_import_and_template_to_those_who_may_add(world, login):
    page = login(world.officer_a).get("/registry/workers/").content.decode()
    assert "/registry/import/workers/" in page and "/registry/import/template/?kind=workers" in page
    assert "/registry/import/workers/" not in login(world.auditor).get("/registry/workers/").content.decode()
    assert login(world.auditor).get("/registry/import/workers/").status_code == 404
    assert login(world.worker_user).get("/registry/import/workers/").status_code == 404
    assert login(world.officer_a).get("/registry/import/enterprises/").status_code == 200


def test_page_dry_run_lists_problems_then_commit_goes_to_the_batch(world, login):
    client = login(world.officer_a)
    bad = upload(client, xlsx_file(table(io.WORKER_FILE, [worker_values(world.ent_a.credit_code, phone="1")])))
    assert bad.status_code == 200 and "token" not in bad.context
    html = bad.content.decode()
    assert 'id="import-problems"' in html and "Not a mainland mobile number" in html
    before = snapshot()
    good = upload(client, xlsx_file(table(io.WORKER_FILE, [worker_values(world.ent_a.credit_code)])))
    assert 'id="import-commit"' in good.content.decode()
    assert snapshot()[1] == before[1]
    done = client.post("/registry/import/workers/", {"token": good.context["token"]})
    batch = ImportBatch.objects.get(actor=world.officer_a)
    assert done.status_code == 302 and done["Location"] == f"/registry/import/batches/{batch.pk}/"
    assert batch.status == ImportBatch.Status.COMMITTED and not batch.file  # the uploaded file is not kept
    assert Worker.objects.filter(id_number=NEW_1).exists()
    page = client.get(done["Location"]).content.decode()
    assert 'id="batch-done"' in page and "hx-trigger" not in page
    assert login(world.officer_b).get(done["Location"]).status_code == 404
    assert login(world.admin).get(done["Location"]).status_code == 200
    assert login(world.auditor).get("/registry/import/batches/").status_code == 200


def test_a_token_of_another_user_or_a_changed_file_is_refused(world, login):
    client = login(world.officer_a)
    good = upload(client, xlsx_file(table(io.WORKER_FILE, [worker_values(world.ent_a.credit_code)])))
    token = good.context["token"]
    other = make_user("alpha_officer_2", "town_officer", region=world.town_a)
    response = login(other).post("/registry/import/workers/", {"token": token}, follow=True)
    assert "This check has expired: upload the file again." in response.content.decode()
    assert client.post("/registry/import/workers/", {"token": token + "x"}, follow=True).status_code == 200
    assert not Worker.objects.filter(id_number=NEW_1).exists() and not ImportBatch.objects.exists()


def test_a_running_batch_page_polls_with_a_progress_bar(world, login):
    batch = ImportBatch.objects.create(kind="workers", file_name="big.xlsx", sha256="0" * 64, row_count=90000, actor=world.officer_a,
                                       region_path=world.town_a.path, status=ImportBatch.Status.RUNNING, progress=40)
    client = login(world.officer_a)
    page = client.get(f"/registry/import/batches/{batch.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and 'aria-valuenow="40"' in page
    from django.core.cache import cache

    cache.set(imports.progress_key(batch.pk), 70)
    partial = client.get(f"/registry/import/batches/{batch.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="batch-status"') and 'aria-valuenow="70"' in partial and "<html" not in partial


# -- background task and housekeeping ---------------------------------------------------------------

def queued_batch(world, data):
    import hashlib

    path = default_storage.save(imports.PENDING_DIR + "t.xlsx", ContentFile(data))
    batch = ImportBatch(kind="workers", file_name="t.xlsx", sha256=hashlib.sha256(data).hexdigest(), actor=world.officer_a,
                        region_path=world.town_a.path)
    batch.file.name = path
    batch.save()
    return batch


def test_the_task_commits_once_reports_progress_and_forgets_the_file(world):
    data = xlsx_file(table(io.WORKER_FILE, [worker_values(world.ent_a.credit_code)]))
    batch = queued_batch(world, data)
    path = batch.file.name
    assert tasks.commit_import.delay(batch.pk).get() == ImportBatch.Status.COMMITTED
    batch.refresh_from_db()
    assert batch.progress == 100 and batch.created == 1 and not batch.file and not default_storage.exists(path)
    assert tasks.run_batch(batch.pk) == "skipped"


def test_the_task_fails_cleanly_when_the_file_is_gone(world):
    batch = queued_batch(world, b"not what was checked")
    batch.sha256 = "f" * 64
    batch.save()
    assert tasks.run_batch(batch.pk) == ImportBatch.Status.FAILED
    batch.refresh_from_db()
    assert batch.errors[0][2] == "The uploaded file is no longer available: upload it again."


def test_pending_files_older_than_a_day_are_purged(world, monkeypatch):
    old = default_storage.save(imports.PENDING_DIR + "old.xlsx", ContentFile(b"x"))
    fresh = default_storage.save(imports.PENDING_DIR + "fresh.xlsx", ContentFile(b"x"))
    from django.utils import timezone

    real = default_storage.get_modified_time
    monkeypatch.setattr(default_storage, "get_modified_time",
                        lambda name: timezone.now() - timedelta(days=2) if name == old else real(name))
    assert imports.purge_pending_imports() == "deleted 1"
    assert not default_storage.exists(old) and default_storage.exists(fresh)
    default_storage.delete(fresh)


def test_command_prints_row_and_column_and_exits_1(world, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file(table(io.WORKER_FILE, [worker_values(world.ent_a.credit_code, phone="1")])))
    with pytest.raises(SystemExit) as exc:
        call_command("import_workers", str(bad), "--user", "alpha_officer", "--language", "en")
    assert exc.value.code == 1
    assert "row 2, column Mobile phone: Not a mainland mobile number (11 digits starting with 1)." in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file(table(io.ENTERPRISE_FILE, [enterprise_values(credit_code(71))])))
    call_command("import_enterprises", str(good), "--user", "alpha_officer", "--language", "en")
    assert "Dry run, nothing written" in capsys.readouterr().out and not Enterprise.objects.filter(credit_code=credit_code(71)).exists()
    call_command("import_enterprises", str(good), "--user", "alpha_officer", "--commit", "--language", "en")
    assert Enterprise.objects.filter(credit_code=credit_code(71)).exists()


def test_bulk_insert_fills_defaults_and_stamps(world):
    ids = imports.bulk_insert(Enterprise, [{"credit_code": credit_code(99), "name": "Alpha批量", "region_id": world.town_a.pk}])
    e = Enterprise.objects.get(pk=ids[0])
    assert (e.head_count, e.has_union, e.industry) == (0, False, "") and e.created_at and e.updated_at
    e.name = "Alpha批量2"
    assert imports.bulk_update(Enterprise, [e], ["name"]) == 1
    assert Enterprise.objects.get(pk=e.pk).name == "Alpha批量2"


def test_compact_ids():
    assert imports.compact_ids([5, 1, 2, 3, 7, 8]) == [[1, 3], [5, 5], [7, 8]]
    assert imports.expand_ids([[1, 3], [7, 8]]) == [1, 2, 3, 7, 8]


def test_batch_list_query_count_does_not_grow(world, login):
    client = login(world.admin)
    ImportBatch.objects.create(kind="workers", file_name="Alpha.xlsx", sha256="a" * 64, actor=world.officer_a,
                               region_path=world.town_a.path, status=ImportBatch.Status.COMMITTED)
    client.get("/registry/import/batches/")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/registry/import/batches/").status_code == 200
        return len(ctx)

    small = count()
    for i in range(12):
        actor = make_user(f"importer{i}", "town_officer", region=world.town_a)
        ImportBatch.objects.create(kind="workers", file_name=f"Alpha{i}.xlsx", sha256="a" * 64, actor=actor,
                                   region_path=world.town_a.path, status=ImportBatch.Status.COMMITTED)
    assert count() == small
