"""Harmonious-enterprise periodic jobs (Celery beat, or ``manage.py run_due_jobs`` from cron)."""
from datetime import timedelta

from concord.core.jobs import periodic_job

from . import services


@periodic_job("harmony.detect_vetoes", every=timedelta(hours=6),
              description="Record veto events found in cases, alerts and surveys; suspend affected titles.")
def detect_vetoes():
    return f"recorded {services.detect_vetoes()}"


@periodic_job("harmony.expire_and_remind", every=timedelta(days=1),
              description="Expire titles past their validity and remind re-checks due within 30 days.")
def expire_and_remind():
    return services.expire_and_remind()
