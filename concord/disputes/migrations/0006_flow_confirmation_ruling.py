"""The court's ruling on an application for judicial confirmation: its number and date.

Adding a column with a default makes Django rebuild the case table on SQLite, which drops the
tally triggers of 0003; they are installed again (and the tally refilled) after the change, in
both directions."""
import importlib

from django.db import migrations, models

tally = importlib.import_module("concord.disputes.migrations.0003_casetally")


def reinstall_tally(apps, schema_editor):
    tally.install(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0005_documents_agreement_session_details'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='confirmation_ruled_on',
            field=models.DateField(blank=True, null=True, verbose_name='ruled on'),
        ),
        migrations.AddField(
            model_name='case',
            name='confirmation_ruling_number',
            field=models.CharField(blank=True, max_length=64, verbose_name='ruling number'),
        ),
        migrations.RunPython(reinstall_tally, reinstall_tally),
    ]
