"""The demo standard (100 points, three enterprise classes, five veto items) and four tiers
(harmony/defaults.py); the county edits or replaces them."""
from django.db import migrations


def install(apps, schema_editor):
    from concord.harmony import defaults

    names = ("Standard", "EnterpriseClass", "IndicatorGroup", "Indicator", "VetoItem", "Tier")
    defaults.install(*(apps.get_model("harmony", n) for n in names))


class Migration(migrations.Migration):
    dependencies = [("harmony", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
