"""Each default scoring rule and level policy gets its own basis (rules.DEFAULT_RULES /
DEFAULT_LEVELS ``source``) instead of the one sentence 0002 gave them all, which spoke of wage
arrears on the rows for tax, water, hotline complaints… Only rows still carrying that seeded
sentence change: a county's own text is kept."""
from django.db import migrations

OLD_SOURCE = "默认值：地方欠薪预警实践（黄色不足1个月、橙色1至2个月、红色2个月以上），见 docs/alerts.md"


def own_sources(apps, schema_editor):
    from concord.alerts import rules

    ScoringRule = apps.get_model("alerts", "ScoringRule")
    LevelPolicy = apps.get_model("alerts", "LevelPolicy")
    for row in rules.DEFAULT_RULES:
        if row.source:
            ScoringRule.objects.filter(kind=row.kind, label=row.label, source=OLD_SOURCE).update(source=row.source)
    for row in rules.DEFAULT_LEVELS:
        LevelPolicy.objects.filter(level=row.level, source=OLD_SOURCE).update(source=row.source)


def shared_source(apps, schema_editor):
    from concord.alerts import rules

    ScoringRule = apps.get_model("alerts", "ScoringRule")
    LevelPolicy = apps.get_model("alerts", "LevelPolicy")
    statutory = {row.source for row in rules.DEFAULT_RULES if row.kind == rules.MASS_LAYOFF}
    for row in rules.DEFAULT_RULES:
        if row.source and row.source not in statutory:  # 0007 wrote the layoff row's own text
            ScoringRule.objects.filter(kind=row.kind, label=row.label, source=row.source).update(source=OLD_SOURCE)
    for row in rules.DEFAULT_LEVELS:
        LevelPolicy.objects.filter(level=row.level, source=row.source).update(source=OLD_SOURCE)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0007_legal_layoff_rules")]
    operations = [migrations.RunPython(own_sources, shared_source)]
