"""Certificates keep the day of the first dispute case and the first alert against the enterprise on
or after certification (the measures count by them); existing certificates are filled in."""
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Certification = apps.get_model("harmony", "Certification")
    Case = apps.get_model("disputes", "Case")
    Alert = apps.get_model("alerts", "Alert")
    Certification.objects.update(
        later_case_on=Subquery(Case.objects.filter(respondent_id=OuterRef("enterprise_id"),
                                                   received_on__gte=OuterRef("certified_on"))
                               .order_by("received_on").values("received_on")[:1]),
        later_alert_on=Subquery(Alert.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                                     raised_on__gte=OuterRef("certified_on"))
                                .order_by("raised_on").values("raised_on")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("harmony", "0004_measures_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="certification",
            name="later_alert_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="certification",
            name="later_case_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
