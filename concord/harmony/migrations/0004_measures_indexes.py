"""Indexes for the harmony measures page (concord/harmony/measures.py) at county scale.

- harmony_certification(certified_on): the latest certificates that later had a case or an alert
  are read in date order, stopping after the listed rows.
- harmony_certification(region, status, valid_until, enterprise): certified enterprises counted
  town by town from the index.
- harmony_evaluation(round, region, status, review_score, self_score): the round's progress by
  town and the score bands from the index alone.
- disputes_case(respondent_id, received_on, region_id) and alerts_alert(enterprise_id, raised_on,
  region_id): "did this enterprise have a case (an alert) on or after the day of its certificate",
  asked once per certificate, is one seek that also answers the scope's town check without
  reading the case or alert row. These two tables belong to other apps, so the indexes are plain
  SQL (the same on SQLite and PostgreSQL) outside Django's model state; should those models
  declare such an index themselves one day, drop these here first.
"""
from django.db import migrations, models

CASE_INDEX = "harmony_case_resp_received_idx"
ALERT_INDEX = "harmony_alert_ent_raised_idx"


class Migration(migrations.Migration):

    dependencies = [
        ("harmony", "0003_evidence"),
        ("disputes", "0003_casetally"),
        ("alerts", "0004_labels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="certification",
            index=models.Index(fields=["certified_on"], name="harmony_cert_certified_on_idx"),
        ),
        migrations.AddIndex(
            model_name="certification",
            index=models.Index(fields=["region", "status", "valid_until", "enterprise"],
                               name="harmony_cert_town_valid_idx"),
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(fields=["round", "region", "status", "review_score", "self_score"],
                               name="harmony_eval_round_town_idx"),
        ),
        migrations.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{CASE_INDEX}" ON "disputes_case" ("respondent_id", "received_on", "region_id")',
            f'DROP INDEX IF EXISTS "{CASE_INDEX}"',
        ),
        migrations.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{ALERT_INDEX}" ON "alerts_alert" ("enterprise_id", "raised_on", "region_id")',
            f'DROP INDEX IF EXISTS "{ALERT_INDEX}"',
        ),
    ]
