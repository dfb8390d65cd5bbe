"""Early warning's periodic job (Celery beat in the production profile, ``manage.py run_due_jobs``
from cron in the embedded default)."""
from datetime import timedelta

from concord.core.jobs import periodic_job

from . import services


@periodic_job("alerts.scan", every=timedelta(hours=6),
              description="Recompute enterprise risk levels, raise alerts, escalate unattended alerts.")
def scan():
    return services.scan()
