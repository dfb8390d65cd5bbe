"""Scoring rules say when they apply (issue 14 item 9): saving a rule returns to the rules page
with the next scan's time and, for the county, "re-score now", which runs the periodic scan job
itself (its JobRun counts the run); each default rule and level states its own basis."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from concord.alerts import rules, services
from concord.alerts.models import EnterpriseRisk, LevelPolicy, ScoringRule
from concord.core.models import JobRun

pytestmark = pytest.mark.django_db
OLD_SHARED = "默认值：地方欠薪预警实践（黄色不足1个月、橙色1至2个月、红色2个月以上），见 docs/alerts.md"


def test_every_default_rule_and_level_has_its_own_basis():
    sources = [r.source for r in rules.DEFAULT_RULES + rules.LOCAL_RULES]
    assert all(sources) and len(set(sources)) == len(sources)
    levels = [row.source for row in rules.DEFAULT_LEVELS]
    assert all(levels) and len(set(levels)) == len(levels)
    # The seeded table (migrations 0002, 0007, 0008) carries them: no row keeps the shared sentence.
    assert ScoringRule.objects.exists()
    assert not ScoringRule.objects.filter(source=OLD_SHARED).exists()
    assert not LevelPolicy.objects.filter(source=OLD_SHARED).exists()
    seeded = list(ScoringRule.objects.values_list("source", flat=True))
    assert len(set(seeded)) == len(seeded)
    water = ScoringRule.objects.get(kind=rules.WATER_ARREARS)
    assert "水费" in water.source and "欠薪" not in water.source


def test_saving_a_rule_says_when_it_applies_and_the_county_re_scores_now(world, login):
    day = timezone.localdate()
    services.signal_record(actor=world.officer_a, enterprise=world.ent_a, kind=rules.WATER_ARREARS, observed_on=day,
                           value=Decimal("2"), today=day)
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a).level == "blue"  # 10 points
    JobRun.objects.create(name="alerts.scan", last_started=timezone.now() - timedelta(hours=1),
                          last_finished=timezone.now() - timedelta(hours=1), status="ok", runs=3)
    admin = login(world.admin)
    rule = ScoringRule.objects.get(kind=rules.WATER_ARREARS)
    form = {"kind": rule.kind, "at_least": "1", "below": "", "window_days": "", "points": "60", "min_level": "orange",
            "label": rule.label, "source": rule.source, "is_active": "on"}
    response = admin.post(f"/alerts/rules/{rule.pk}/edit/", form)
    assert response.status_code == 302 and response["Location"] == "/alerts/rules/?saved=1#when"
    page = admin.get(response["Location"]).content.decode()
    assert 'id="saved-note"' in page and 'id="rescore"' in page
    due = timezone.localtime(JobRun.objects.get(name="alerts.scan").last_started + timedelta(hours=6))
    assert due.strftime("%Y-%m-%d %H:%M") in page
    # Nothing changed yet: the rule applies from the next scan, or now when the county asks.
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a).level == "blue"
    response = admin.post("/alerts/rules/rescore/")
    assert response.status_code == 302
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a).level == "orange"
    run = JobRun.objects.get(name="alerts.scan")
    assert run.runs == 4 and run.status == "ok"  # the periodic job itself, recorded as its run
    # A town reads when the next scan runs, but has no button, and may not post it.
    town = login(world.officer_a)
    page = town.get("/alerts/rules/").content.decode()
    assert 'id="next-scan"' in page and 'id="rescore"' not in page
    assert town.post("/alerts/rules/rescore/").status_code == 404
    assert JobRun.objects.get(name="alerts.scan").runs == 4


def test_a_scan_that_never_ran_is_due_now(world, login):
    page = login(world.admin).get("/alerts/rules/").content.decode()
    assert 'id="next-scan"' in page and 'id="last-scan"' not in page
