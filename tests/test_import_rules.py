"""Registry imports through importers.import_file: every bad input is refused with its row, column
and message and changes nothing; a good file upserts all-or-nothing within the importer's scope."""
from io import BytesIO
import csv
import io as textio

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import translation
from openpyxl import Workbook

from concord.core.models import Event, ImportBatch
from concord.registry import importers, io
from concord.registry.models import Employment, Enterprise, Worker
from tests.conftest import credit_code, id_number

NEW_A = id_number("522422", "19960101", 501)
NEW_B = id_number("341222", "19900606", 502)


def headers():
    with translation.override("zh-hans"):
        return [str(h) for h in io.WORKER_FILE.headers()]


def worker_row(code, number=NEW_A, name="新职工", **over):
    values = {"身份证号": number, "姓名": name, "手机号码": "13900001234", "文化程度": "初中",
              "统一社会信用代码": code, "岗位": "挡车工", "入职日期": "2025-03-01", "已签订劳动合同": "是",
              "合同类型": "固定期限", "合同开始日期": "2025-03-01", "合同结束日期": "2028-02-29", "社会保险": "是",
              "月工资（元）": "5200"}
    values.update(over)
    return [values.get(h, "") for h in headers()]


def csv_bytes(rows, head=None) -> bytes:
    buffer = textio.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(head or headers())
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    book.active.append(headers())
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def run(world, rows, *, actor=None, commit=False, data=None, filename="职工.csv"):
    with translation.override("zh-hans"):
        return importers.import_file("workers", data if data is not None else csv_bytes(rows), actor=actor or world.officer_a,
                                     filename=filename, commit=commit)


def state():
    """Everything but the import batch itself (a refused commit is recorded as a failed batch)."""
    from django.contrib.contenttypes.models import ContentType

    changes = LogEntry.objects.exclude(content_type=ContentType.objects.get_for_model(ImportBatch))
    return (Worker.objects.count(), Employment.objects.count(), Enterprise.objects.count(), changes.count(),
            Event.objects.count(), list(Worker.objects.order_by("pk").values_list("name", "phone")))


def only_error(result):
    assert not result.ok and len(result.errors) == 1, [str(e) for e in result.errors]
    return result.errors[0]


@pytest.mark.parametrize(
    "changes, column, message",
    [
        ({"身份证号": NEW_A[:-1] + ("0" if NEW_A[-1] != "0" else "1")}, "身份证号", "校验码错误：身份证号输入有误（GB 11643）。"),
        ({"入职日期": "2099-01-01", "合同开始日期": "2099-01-01", "合同结束日期": "2099-12-31"}, "入职日期", "入职日期不能晚于今天。"),
        ({"手机号码": "12345"}, "手机号码", None),
        ({"文化程度": "博士后"}, "文化程度", None),
        ({"统一社会信用代码": credit_code(2)}, "统一社会信用代码", None),  # Bravo's enterprise: outside town A
        ({"合同类型": "", "合同结束日期": ""}, "合同类型", None),
        ({"入职日期": "明天"}, "入职日期", None),
    ],
)
def test_a_bad_cell_is_reported_by_row_and_column_and_nothing_changes(world, changes, column, message):
    before = state()
    result = run(world, [worker_row(world.ent_a.credit_code), worker_row(world.ent_a.credit_code, NEW_B, "第二人", **changes)],
                 commit=True)
    error = only_error(result)
    assert (error.row, error.column) == (3, column)
    if message:
        assert error.message == message
    assert state() == before


def test_duplicate_id_numbers_name_both_rows(world):
    result = run(world, [worker_row(world.ent_a.credit_code), worker_row(world.ent_a.credit_code)])
    assert not result.ok
    assert {e.row for e in result.errors} == {2, 3}


def test_a_masked_id_number_says_how_to_reimport(world):
    error = only_error(run(world, [worker_row(world.ent_a.credit_code, "522422********1234")]))
    with translation.override("en"):
        assert error.column == "身份证号"
    assert "*" in error.message or "脱敏" in error.message or "屏蔽" in error.message


@pytest.mark.parametrize(
    "data, filename",
    [
        (b"\x00\x01garbage" * 100, "职工.xlsx"),
        (b"PK\x03\x04" + b"\x00" * 200, "职工.xlsx"),  # a cut-off zip
        (b"", "职工.csv"),
        ("姓名,电话号码\n张三,1\n".encode("utf-8"), "职工.csv"),  # wrong headers
    ],
)
def test_a_malformed_file_gets_one_clear_error_and_imports_nothing(world, data, filename):
    before = state()
    result = run(world, [], data=data, filename=filename, commit=True)
    assert not result.ok and result.errors and result.errors[0].message
    assert state() == before


def test_a_file_over_the_size_limit_is_refused(world, settings):
    settings.CONCORD_IMPORT_MAX_BYTES = 1024 * 1024
    result = run(world, [], data=b"a" * (2 * 1024 * 1024), commit=True)
    assert not result.ok and "MB" in result.errors[0].message


def test_dry_run_changes_nothing(world):
    before = state()
    result = run(world, [worker_row(world.ent_a.credit_code), worker_row(world.ent_a.credit_code, NEW_B, "第二人")])
    assert result.ok and result.created == 2 and not result.committed
    assert state() == before


def test_commit_creates_then_upserts_and_audits(world):
    data = xlsx_bytes([worker_row(world.ent_a.credit_code)])
    first = run(world, [], data=data, filename="职工.xlsx", commit=True)
    assert first.ok and first.committed and first.created == 1
    worker = Worker.objects.get(id_number=NEW_A)
    assert worker.hukou_province == "52" and worker.birth_date.year == 1996
    employment = Employment.objects.get(worker=worker, enterprise=world.ent_a, end_date__isnull=True)
    assert employment.contract_signed and employment.insured and employment.contract_type == "fixed_term"
    world.ent_a.refresh_from_db()
    assert world.ent_a.head_count == 2  # refresh_workforce ran
    assert ImportBatch.objects.filter(actor=world.officer_a, kind="workers").exists()

    second = run(world, [worker_row(world.ent_a.credit_code, name="改名职工", **{"月工资（元）": "6100"})], commit=True)
    assert second.ok and second.updated == 1 and second.created == 0
    worker.refresh_from_db()
    assert worker.name == "改名职工"
    assert Employment.objects.filter(worker=worker).count() == 1
    assert LogEntry.objects.get_for_object(worker).filter(action=LogEntry.Action.UPDATE).exists()

    again = run(world, [worker_row(world.ent_a.credit_code, name="改名职工", **{"月工资（元）": "6100"})], commit=True)
    assert again.ok and again.unchanged == 1 and again.updated == 0


def test_commit_is_all_or_nothing(world):
    before = state()
    result = run(world, [worker_row(world.ent_a.credit_code), worker_row(world.ent_a.credit_code, NEW_B, "坏行", **{"手机号码": "1"})],
                 commit=True)
    assert not result.ok and not result.committed
    assert state() == before


def test_a_person_registered_outside_scope_is_refused_and_keeps_their_data(world):
    """Adding a job would put the person into the importer's scope (issue 13 item 17): refused, unchanged."""
    outsider = world.worker_b  # employed in town B only
    result = run(world, [worker_row(world.ent_a.credit_code, outsider.id_number, "换了名字", **{"手机号码": "13911112222"})], commit=True)
    assert not result.ok and [e.row for e in result.errors] == [2]
    outsider.refresh_from_db()
    assert outsider.name == "Bravo职工" and outsider.phone == "13900003333"
    assert not Employment.objects.filter(worker=outsider, enterprise=world.ent_a).exists()


@pytest.mark.parametrize("who", ["auditor", "worker_user", "court"])
def test_roles_that_may_not_write_cannot_import(world, who):
    before = state()
    result = run(world, [worker_row(world.ent_a.credit_code)], actor=getattr(world, who), commit=True)
    assert not result.ok
    assert state() == before


def test_export_with_full_data_reimports_unchanged(world, client):
    client.force_login(world.officer_a)
    exported = client.get("/registry/workers/?export=csv&unmask=1")
    assert exported.status_code == 200
    result = run(world, [], data=exported.content, filename="export.csv", commit=True)
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 0 and result.updated == 0 and result.unchanged == result.rows >= 2


def test_enterprise_file_refuses_a_bad_credit_code_and_an_unknown_town(world):
    with translation.override("zh-hans"):
        head = [str(h) for h in io.ENTERPRISE_FILE.headers()]
    good = {"统一社会信用代码": credit_code(77), "名称": "新企业", "镇（街道）": "Alpha街道"}

    def line(**over):
        values = dict(good, **over)
        return [values.get(h, "") for h in head]

    data = csv_bytes([line(), line(**{"统一社会信用代码": credit_code(78)[:-1] + "0"}), line(**{"统一社会信用代码": credit_code(79), "镇（街道）": "火星镇"})], head)
    with translation.override("zh-hans"):
        result = importers.import_file("enterprises", data, actor=world.officer_a, filename="e.csv", commit=True)
    assert not result.ok
    assert {(e.row, e.column) for e in result.errors} == {(3, "统一社会信用代码"), (4, "镇（街道）")}
    assert not Enterprise.objects.filter(name="新企业").exists()
    with translation.override("zh-hans"):
        ok = importers.import_file("enterprises", csv_bytes([line()], head), actor=world.officer_a, filename="e.csv", commit=True)
    assert ok.ok and Enterprise.objects.get(credit_code=credit_code(77)).region == world.town_a


def test_command_dry_runs_by_default_and_exits_1_on_errors(world, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([worker_row(world.ent_a.credit_code)]))
    call_command("import_workers", str(good), "--user", "alpha_officer")
    assert not Worker.objects.filter(id_number=NEW_A).exists()
    call_command("import_workers", str(good), "--user", "alpha_officer", "--commit")
    assert Worker.objects.filter(id_number=NEW_A).exists()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([worker_row(world.ent_a.credit_code, NEW_B, **{"手机号码": "1"})]))
    with pytest.raises(SystemExit) as exc:
        call_command("import_workers", str(bad), "--user", "alpha_officer", "--commit")
    assert exc.value.code == 1
    assert "第2行“手机号码”列" in capsys.readouterr().err


def test_a_large_file_commits_in_the_background_with_progress(world, client, settings, django_capture_on_commit_callbacks):
    settings.CONCORD_IMPORT_BACKGROUND_ROWS = 1
    client.force_login(world.officer_a)
    upload = BytesIO(xlsx_bytes([worker_row(world.ent_a.credit_code), worker_row(world.ent_a.credit_code, NEW_B, "第二人")]))
    upload.name = "大文件.xlsx"
    checked = client.post("/registry/import/workers/", {"file": upload})
    token = checked.context["token"]
    assert checked.context["background"]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/registry/import/workers/", {"token": token}, follow=True)
    assert done.status_code == 200
    batch = ImportBatch.objects.get(actor=world.officer_a)
    assert batch.progress == 100
    assert Worker.objects.filter(id_number__in=[NEW_A, NEW_B]).count() == 2
