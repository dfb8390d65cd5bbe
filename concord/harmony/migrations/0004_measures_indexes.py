"""Indexes for the harmony measures page (concord/harmony/measures.py) at county scale.

- harmony_certification(certified_on): the latest certificates that later had a case or an alert
  are read in date order, stopping after the listed rows.
- harmony_certification(region, status, valid_until, enterprise): certified enterprises counted
  town by town from the index.
- harmony_evaluation(round, region, status, review_score, self_score): the round's progress by
  town and the score bands from the index alone.
The page also relies on disputes_case(respondent, received_on, region) and alerts_alert(enterprise,
raised_on, region), declared by those models (disputes 0004, alerts 0005).
"""
from django.db import migrations, models

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
    ]
