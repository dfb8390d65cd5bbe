"""The partner-department file of risk signals (concord/alerts/io.py, importers.py, import_views.py):
dry run, all-or-nothing commit, every bad row named by row and column, duplicates, scope, the alert
it raises, CSV in GB18030 and xlsx, the pages.

Messages are compared in English (the msgids)."""
from datetime import timedelta
from decimal import Decimal
from io import BytesIO, StringIO
import csv

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from concord.alerts import io
from concord.alerts.importers import KIND
from concord.alerts.models import Alert, EnterpriseRisk, RiskSignal
from concord.core.models import Event, ImportBatch
from concord.core.scope import Role
from concord.registry.importers import IMPORTERS, import_file
from tests.conftest import credit_code, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate  # called at test time: a run may cross midnight
DAY = (TODAY() - timedelta(days=3)).isoformat()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def liaison(world):
    return make_user("labour_liaison", Role.LABOUR_LIAISON, region=world.county, name="人社局联络员")


def titles():
    return {c.key: c.title() for c in io.SIGNAL_FILE.columns}


KEYS = ["enterprise_code", "kind", "observed_on", "value", "amount", "workers_affected", "evidence", "expires_on"]


def rows_of(records, keys=KEYS):
    t = titles()
    return [[t[k] for k in keys]] + [[r.get(k, "") for k in keys] for r in records]


def row(code, kind="wage_arrears", **over):
    values = {"enterprise_code": code, "kind": kind, "observed_on": DAY, "value": "1.5", "amount": "120000",
              "workers_affected": "20", "evidence": "人社局欠薪排查"}
    values.update(over)
    return values


def csv_file(rows, encoding="utf-8-sig") -> bytes:
    out = StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows) -> bytes:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def run(world, records, actor=None, commit=False, **kw):
    data = csv_file(rows_of(records), **kw)
    return import_file(KIND, data, actor=actor or world.admin, filename="partner.csv", commit=commit)


def problems(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def test_the_kind_is_registered_with_the_registry():
    from concord.alerts.importers import SignalImporter

    assert IMPORTERS[KIND] is SignalImporter


def test_dry_run_checks_and_writes_nothing(world):
    result = run(world, [row(world.ent_a.credit_code), row(world.ent_b.credit_code, kind="production_halt", value="")])
    assert result.ok and not result.committed, problems(result)
    assert (result.rows, result.created, result.unchanged) == (2, 2, 0)
    assert not RiskSignal.objects.exists() and not Alert.objects.exists() and not EnterpriseRisk.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_partner_arrears_file_raises_an_orange_alert_for_the_right_town(world, liaison):
    result = run(world, [row(world.ent_a.credit_code, value="1.5")], actor=liaison, commit=True)
    assert result.ok and result.committed, problems(result)
    signal = RiskSignal.objects.get()
    assert (signal.enterprise, signal.region, signal.source, signal.reported_by, signal.import_batch) == (
        world.ent_a, world.town_a, "partner_file", liaison, result.batch)
    assert signal.expires_on == TODAY() - timedelta(days=3) + timedelta(days=90)
    alert = Alert.objects.get()
    assert (alert.enterprise, alert.region, alert.level, alert.county_assigned) == (world.ent_a, world.town_a, "orange", True)
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a).level == "orange"
    batch = result.batch
    assert (batch.status, batch.kind, batch.created, batch.row_count) == ("committed", KIND, 1, 1)
    assert batch.created_ids == {"alerts.risksignal": [[signal.pk, signal.pk]]}
    assert Event.objects.filter(verb="imported", object_id=str(batch.pk)).exists()
    # Town B sees the alert nowhere; town A does.
    assert Alert.objects.visible_to(world.officer_b).count() == 0
    assert Alert.objects.visible_to(world.officer_a).count() == 1


def test_commit_is_all_or_nothing(world):
    result = run(world, [row(world.ent_a.credit_code), row(world.ent_b.credit_code, value="-1")], commit=True)
    assert not result.ok and not result.committed
    assert not RiskSignal.objects.exists() and not Alert.objects.exists()
    assert result.batch.status == "failed" and result.batch.error_count == 1


def test_bad_rows_are_each_named_by_row_and_column(world):
    t = titles()
    unknown = credit_code(999)
    result = run(world, [
        row(world.ent_a.credit_code),                                  # row 2: fine
        row(unknown),                                                  # row 3: no such enterprise
        row(world.ent_a.credit_code, kind="social_insurance_arrears", value="-2"),  # row 4: negative months
        row(world.ent_b.credit_code, value="1", amount="90000000", workers_affected="3"),  # row 5: implausible
        row(world.ent_a2.credit_code, kind="tax_arrears"),             # row 6 and 7: the same signal twice
        row(world.ent_a2.credit_code, kind="tax_arrears", value="3"),
        row(world.ent_a.credit_code, kind="power_arrears", observed_on=(TODAY() + timedelta(days=5)).isoformat()),  # row 8
        row(world.ent_a.credit_code, kind="mass_layoff"),               # row 9: computed kind
    ])
    assert not result.ok
    got = problems(result)
    assert (3, t["enterprise_code"], "No enterprise with this credit code is registered.") in got
    assert (4, t["value"], "Figures cannot be negative.") in got
    assert (5, t["amount"], "The amount is larger than a plausible payroll (over 50000 yuan per worker and month).") in got
    assert (6, t["enterprise_code"], "Same enterprise, kind of signal and date as row 7.") in got
    assert (7, t["enterprise_code"], "Same enterprise, kind of signal and date as row 6.") in got
    assert (8, t["observed_on"], "The date cannot be in the future.") in got
    assert (9, t["kind"], "This kind of signal is computed by Concord from its own data.") in got
    assert not [p for p in got if p[0] == 2], got
    assert f"row 3, column {t['enterprise_code']}: No enterprise" in str(result.errors[0])
    assert not RiskSignal.objects.exists()


def test_too_many_months_and_an_expiry_before_the_date(world):
    t = titles()
    result = run(world, [row(world.ent_a.credit_code, value="130"),
                         row(world.ent_b.credit_code, expires_on=(TODAY() - timedelta(days=30)).isoformat())])
    got = problems(result)
    assert (2, t["value"], "More than 120 months of arrears is not plausible.") in got
    assert (3, t["expires_on"], "The expiry date is before the signal's date.") in got


def test_a_repeated_file_adds_nothing(world):
    first = run(world, [row(world.ent_a.credit_code)], commit=True)
    assert first.committed
    again = run(world, [row(world.ent_a.credit_code), row(world.ent_b.credit_code)], commit=True)
    assert again.committed, problems(again)
    assert (again.created, again.unchanged) == (1, 1)
    assert [n.row for n in again.notices] == [2]
    assert RiskSignal.objects.filter(enterprise=world.ent_a).count() == 1
    assert RiskSignal.objects.count() == 2
    # A new figure for the same day is a new signal, not a duplicate.
    third = run(world, [row(world.ent_a.credit_code, value="2.5")], commit=True)
    assert (third.created, third.unchanged) == (1, 0)
    assert Alert.objects.get(enterprise=world.ent_a).level == "red"


def test_town_officer_cannot_import_another_towns_enterprises(world):
    t = titles()
    result = run(world, [row(world.ent_a.credit_code), row(world.ent_b.credit_code)], actor=world.officer_a, commit=True)
    assert not result.committed
    assert problems(result) == [(3, t["enterprise_code"], "This enterprise is outside your scope.")]
    assert not RiskSignal.objects.exists()
    ok = run(world, [row(world.ent_a.credit_code)], actor=world.officer_a, commit=True)
    assert ok.committed and RiskSignal.objects.get().enterprise == world.ent_a


@pytest.mark.parametrize("who", ["union_a", "worker_user", "auditor"])
def test_roles_that_do_not_report_signals_cannot_import(world, who):
    result = run(world, [row(world.ent_a.credit_code)], actor=getattr(world, who), commit=True)
    assert not result.committed
    assert problems(result) == [(None, "", "Your role may not import this kind of file.")]
    assert not RiskSignal.objects.exists()


def test_chinese_csv_in_gb18030(world):
    with translation.override("zh-hans"):
        header = io.SIGNAL_FILE.headers()
        kind = str(dict(io.IMPORT_KINDS)["wage_arrears"])
    keys = [c.key for c in io.SIGNAL_FILE.columns]
    values = {"enterprise_code": world.ent_a.credit_code, "kind": kind, "observed_on": DAY.replace("-", "/"),
              "value": "2", "amount": "80,000", "workers_affected": "12", "evidence": "人社局：拖欠工资两个月，涉及12人"}
    data = csv_file([header, [values.get(k, "") for k in keys]], encoding="gb18030")
    data.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = import_file(KIND, data, actor=world.admin, filename="欠薪.csv", commit=True)
    assert result.committed, problems(result)
    signal = RiskSignal.objects.get()
    assert (signal.kind, signal.value, signal.amount, signal.workers_affected) == ("wage_arrears", Decimal("2"), Decimal("80000"), 12)
    assert signal.evidence == "人社局：拖欠工资两个月，涉及12人"
    assert Alert.objects.get().level == "red"


def test_xlsx_with_excel_dates_and_numbers(world):
    from datetime import datetime

    t = titles()
    rows = [[t["enterprise_code"], t["kind"], t["observed_on"], t["value"], t["evidence"]],
            [world.ent_b.credit_code, "hotline_complaint", datetime.combine(TODAY() - timedelta(days=1), datetime.min.time()), 4, "12351"],
            [world.ent_a.credit_code, "Production halt", TODAY() - timedelta(days=2), None, "停产"]]
    result = import_file(KIND, xlsx_file(rows), actor=world.admin, filename="partner.xlsx", commit=True)
    assert result.committed, problems(result)
    assert dict(RiskSignal.objects.values_list("enterprise__credit_code", "kind")) == {
        world.ent_b.credit_code: "hotline_complaint", world.ent_a.credit_code: "production_halt"}
    assert EnterpriseRisk.objects.get(enterprise=world.ent_b).level == "yellow"
    assert Alert.objects.get(enterprise=world.ent_a).level == "orange"


def test_a_fractional_number_of_workers_is_refused(world):
    result = run(world, [row(world.ent_a.credit_code, workers_affected="2.5")])
    assert problems(result) == [(2, titles()["workers_affected"], "Give a whole number.")]


def test_export_of_the_signal_list_reimports_unchanged(world):
    run(world, [row(world.ent_a.credit_code), row(world.ent_b.credit_code, kind="inspection_finding", value="2")], commit=True)
    records = io.SIGNAL_FILE.export_rows(io.export_signals(RiskSignal.objects.all(), user=world.admin, unmasked=False))
    again = import_file(KIND, xlsx_file(list(records)), actor=world.admin, filename="export.xlsx", commit=False)
    assert again.ok, problems(again)
    assert (again.created, again.unchanged) == (0, 2)


# -- pages -----------------------------------------------------------------------------------------

def test_pages_dry_run_then_commit_then_batch(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.officer_a)
    page = client.get("/alerts/import/")
    assert page.status_code == 200
    template = client.get(page.context["template_url"])
    assert template.status_code == 200
    sheet = load_workbook(BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == io.SIGNAL_FILE.headers()
    upload = SimpleUploadedFile("partner.csv", csv_file(rows_of([row(world.ent_a.credit_code)])))
    checked = client.post("/alerts/import/", {"file": upload})
    assert checked.status_code == 200 and checked.context["result"].ok
    assert not RiskSignal.objects.exists()
    done = client.post("/alerts/import/", {"token": checked.context["token"]})
    assert done.status_code == 302 and "/alerts/import/batches/" in done["Location"]
    assert RiskSignal.objects.count() == 1 and Alert.objects.get().level == "orange"
    batch_page = client.get(done["Location"])
    assert batch_page.status_code == 200 and b"batch-done" in batch_page.content
    # The batch appears among the recent imports, linked to its own page.
    assert done["Location"].encode() in client.get("/alerts/import/").content
    # The registry's batch page (the import-batch list links there) shows it too.
    batch_pk = int(done["Location"].rstrip("/").rsplit("/", 1)[1])
    registry_page = client.get(reverse("registry:import_batch_detail", args=[batch_pk]))
    assert registry_page.status_code == 200


def test_pages_show_every_problem_and_write_nothing(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.officer_a)
    upload = SimpleUploadedFile("partner.csv", csv_file(rows_of([row(world.ent_b.credit_code)])))
    response = client.post("/alerts/import/", {"file": upload})
    assert response.status_code == 200 and b"import-refused" in response.content
    with translation.override("zh-hans"):
        message = translation.gettext("This enterprise is outside your scope.")
    assert message in response.content.decode()
    assert not RiskSignal.objects.exists()


@pytest.mark.parametrize("who", ["union_a", "worker_user", "auditor"])
def test_pages_are_not_there_for_roles_that_do_not_report(world, login, who):
    client = login(getattr(world, who))
    assert client.get("/alerts/import/").status_code == 404
    assert client.get("/alerts/import/template/").status_code == 404
