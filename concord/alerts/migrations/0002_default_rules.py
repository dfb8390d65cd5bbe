"""The default scoring rules and level policies (rules.DEFAULT_RULES / DEFAULT_LEVELS, from local
practice in DOMAIN.md); the county edits them afterwards on the rules page."""
from django.db import migrations

SOURCE = "默认值：地方欠薪预警实践（黄色不足1个月、橙色1至2个月、红色2个月以上），见 docs/alerts.md"


def seed(apps, schema_editor):
    from concord.alerts import rules

    ScoringRule = apps.get_model("alerts", "ScoringRule")
    LevelPolicy = apps.get_model("alerts", "LevelPolicy")
    if not ScoringRule.objects.exists():
        ScoringRule.objects.bulk_create([
            ScoringRule(kind=r.kind, at_least=r.at_least, below=r.below, points=r.points, min_level=r.min_level,
                        label=r.label, source=SOURCE)
            for r in rules.DEFAULT_RULES
        ])
    if not LevelPolicy.objects.exists():
        LevelPolicy.objects.bulk_create([
            LevelPolicy(level=row.level, min_points=row.min_points, response_days=row.response_days,
                        raises_alert=row.raises_alert, county=row.county, source=SOURCE)
            for row in rules.DEFAULT_LEVELS
        ])


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
