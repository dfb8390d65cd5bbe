"""Issue 13: the mass-layoff scoring rule follows 劳动合同法 art. 41 (20 or more, or fewer that are
10 % or more of the staff; no head-count floor, no observation period). The rule seeded by 0002
("30天内大量减员": a 10-person floor and a 30-day count, which art. 41 does not have) stays as a
separate, labelled local rule, switched off; a county turns it on if it wants that tightening.

Texts are frozen here (they equal rules.DEFAULT_RULES / rules.LOCAL_RULES on the day of writing;
tests/test_alerts_services.py checks it). A table left empty keeps falling back to the defaults.
"""
from django.db import migrations

MASS_LAYOFF = "mass_layoff"
OLD_LABEL = "30天内大量减员"
OLD_SOURCE = "默认值：地方欠薪预警实践（黄色不足1个月、橙色1至2个月、红色2个月以上），见 docs/alerts.md"
STATUTORY_LABEL = "经济性裁员规模：同日减员20人以上，或不足20人但占职工总数10%以上"
STATUTORY_SOURCE = ("劳动合同法第四十一条：裁减人员二十人以上或者裁减不足二十人但占企业职工总数百分之十以上（法定标准，"
                    "无人数下限、无观察期；登记系统不记录离职原因，同日结束的劳动关系视为一次裁减）")
LOCAL_LABEL = "本地规则：30天内累计减员10人以上且达到法定规模"
LOCAL_SOURCE = ("地方选择，非法定：在劳动合同法第四十一条的规模（20人以上或占职工总数10%以上）之上，"
                "另加10人的下限和30天的累计期；第四十一条本身没有这两项")
LOCAL_WINDOW, LOCAL_FLOOR = 30, 10


def forward(apps, schema_editor):
    ScoringRule = apps.get_model("alerts", "ScoringRule")
    if not ScoringRule.objects.exists():
        return  # an empty table: the defaults apply (rules.DEFAULT_RULES, already statutory)
    layoffs = ScoringRule.objects.filter(kind=MASS_LAYOFF)
    old = layoffs.filter(label=OLD_LABEL).order_by("pk").first()
    # A county's own mass-layoff rows were written for the 30-day count: they keep it.
    layoffs.filter(window_days__isnull=True).exclude(label=STATUTORY_LABEL).update(window_days=LOCAL_WINDOW)
    points, level = (old.points, old.min_level) if old else (40, "yellow")
    statutory = layoffs.filter(label=STATUTORY_LABEL).first()
    if statutory is None:
        ScoringRule.objects.create(kind=MASS_LAYOFF, at_least=1, below=None, window_days=None, points=points,
                                   min_level=level, label=STATUTORY_LABEL, source=STATUTORY_SOURCE, is_active=True)
    else:  # seeded by 0002 on a fresh database, with 0002's general source text
        statutory.source, statutory.window_days = STATUTORY_SOURCE, None
        statutory.save(update_fields=["source", "window_days"])
    if old is not None:
        old.label, old.source, old.window_days, old.is_active = LOCAL_LABEL, LOCAL_SOURCE, LOCAL_WINDOW, False
        old.save(update_fields=["label", "source", "window_days", "is_active"])
    elif not layoffs.filter(label=LOCAL_LABEL).exists():
        ScoringRule.objects.create(kind=MASS_LAYOFF, at_least=LOCAL_FLOOR, below=None, window_days=LOCAL_WINDOW,
                                   points=points, min_level=level, label=LOCAL_LABEL, source=LOCAL_SOURCE,
                                   is_active=False)


def backward(apps, schema_editor):
    ScoringRule = apps.get_model("alerts", "ScoringRule")
    ScoringRule.objects.filter(kind=MASS_LAYOFF, label=STATUTORY_LABEL).delete()
    ScoringRule.objects.filter(kind=MASS_LAYOFF, label=LOCAL_LABEL).update(
        label=OLD_LABEL, source=OLD_SOURCE, is_active=True)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0006_legal_layoff_window")]
    operations = [migrations.RunPython(forward, backward)]
