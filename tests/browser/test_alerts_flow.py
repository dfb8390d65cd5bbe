"""Done means (issue 5), in Chromium: a partner department's wage-arrears file is imported, the
enterprise's level rises to orange and an alert is raised for its town (the periodic scan then
finds nothing more to do), the town officer records a visit and a tripartite meeting and closes
the alert, and the explanation of the level is on the page and correct. Screenshots go to
test-artifacts/screenshots/."""
import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from concord.alerts.models import Alert, AlertAction, EnterpriseRisk
from concord.core.jobs import run_job
from concord.disputes.models import TripartiteMeeting
from concord.registry.models import Enterprise
from tests.browser.test_browser import SHOTS, browser, page, sign_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def partner_file(tmp_path, rows) -> str:
    """The labour bureau's monthly arrears list, as Chinese Excel saves CSV (GB18030)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["统一社会信用代码", "信号类型", "信号日期", "月数或次数", "金额（元）", "涉及人数", "证据或说明"])
    writer.writerows(rows)
    path = tmp_path / "人社局欠薪名单.csv"
    path.write_bytes(out.getvalue().encode("gb18030"))
    return str(path)


def test_partner_file_to_closed_alert(world, live_server, page, tmp_path):
    today = timezone.localdate()
    Enterprise.objects.filter(pk=world.ent_a.pk).update(head_count=40)  # 12 workers of 40 are affected
    meeting = TripartiteMeeting.objects.create(
        region=world.town_a, held_on=today, place="Alpha街道会议室", labour_bureau="区人社局", union="街道总工会",
        employers="街道企业联合会", topics="Alpha纺织欠薪处置", created_by=world.officer_a)
    seen = (today - timedelta(days=3)).isoformat()
    path = partner_file(tmp_path, [[world.ent_a.credit_code, "欠薪", seen, "1.5", "86000", "12", "人社局监察：拖欠9、10月工资"]])

    # 1. The county imports the partner's file: check, then commit.
    sign_in(page, live_server.url, "county_boss")
    page.goto(f"{live_server.url}/alerts/import/")
    page.set_input_files("#import-form input[type=file]", path)
    page.click("#import-check-button")
    page.wait_for_selector("#import-check, #import-refused")
    assert not page.locator("#import-refused").count(), page.inner_text("main")
    page.screenshot(path=str(SHOTS / "alerts-import-checked.png"), full_page=True)
    page.click("#import-commit")
    page.wait_for_url("**/alerts/import/batches/**")
    alert = Alert.objects.get(enterprise=world.ent_a)
    assert (alert.level, alert.status, alert.region, alert.county_assigned) == ("orange", "open", world.town_a, True)
    assert alert.deadline == today + timedelta(days=3)
    # The periodic scan agrees and adds nothing (idempotent).
    assert run_job("alerts.scan", force=True) == "ran"
    assert Alert.objects.count() == 1

    # 2. The town officer finds it in the inbox, sees why, records a visit and a tripartite meeting.
    town = page.context.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    officer = town.new_page()
    sign_in(officer, live_server.url, "alpha_officer")
    officer.goto(f"{live_server.url}/alerts/")
    officer.click(f"text={alert.number}")
    officer.wait_for_selector("#explanation")
    explanation = officer.inner_text("#explanation")
    assert "欠薪1至2个月（橙色）" in explanation and "60" in explanation
    officer.screenshot(path=str(SHOTS / "alerts-detail-open.png"), full_page=True)

    officer.click("#form-action > summary")
    form = officer.locator("#form-action form")
    form.locator("[name=action-kind]").select_option("visit")
    form.locator("[name=action-summary]").fill("走访企业，法定代表人承认拖欠两个月工资，承诺月底前补发")
    form.locator("button[type=submit]").click()
    officer.wait_for_selector(".alert-success")
    if not officer.locator("#form-action[open]").count():
        officer.click("#form-action > summary")
    form = officer.locator("#form-action form")
    form.locator("[name=action-kind]").select_option("tripartite_meeting")
    form.locator("[name=action-meeting]").select_option(str(meeting.pk))
    form.locator("[name=action-summary]").fill("召开三方协调会，企业签订清欠计划，人社局跟踪")
    form.locator("button[type=submit]").click()
    officer.wait_for_selector(".alert-success")
    assert list(AlertAction.objects.filter(alert=alert).values_list("kind", flat=True)) == ["visit", "tripartite_meeting"]
    assert AlertAction.objects.get(kind="tripartite_meeting").meeting == meeting

    # 3. Bad input changes nothing: closing without an outcome.
    officer.click("#form-close > summary")
    officer.locator("#form-close button[type=submit]").click()
    officer.wait_for_selector("#form-close .invalid-feedback, #form-close .is-invalid")
    alert.refresh_from_db()
    assert alert.status == "handling"

    # 4. Closed (销号) with its outcome; the timeline tells the story.
    if not officer.locator("#form-close[open]").count():
        officer.click("#form-close > summary")
    form = officer.locator("#form-close form")
    form.locator("[name=close-outcome]").select_option("resolved")
    form.locator("[name=close-outcome_note]").fill("企业已足额补发12名职工工资86000元")
    form.locator("button[type=submit]").click()
    officer.wait_for_selector(".alert-success")
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.first_response_on) == ("closed", "resolved", today)
    body = officer.inner_text("body")
    for text in ("走访企业", "三方协调会", "企业已足额补发"):
        assert text in body
    officer.screenshot(path=str(SHOTS / "alerts-detail-closed.png"), full_page=True)

    # 5. The enterprise's risk page explains its level: the counted rule and its points.
    risk = EnterpriseRisk.objects.get(enterprise=world.ent_a)
    assert (risk.level, risk.score) == ("orange", 60)
    officer.goto(f"{live_server.url}/alerts/enterprises/{world.ent_a.pk}/")
    text = officer.inner_text("body")
    assert "欠薪1至2个月（橙色）" in text and "橙" in text
    officer.screenshot(path=str(SHOTS / "alerts-enterprise-risk.png"), full_page=True)
    town.close()
