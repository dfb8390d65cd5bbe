"""The disputes pillar's periodic jobs (Celery beat, or ``manage.py run_due_jobs`` from cron)."""
from datetime import timedelta

from concord.core.jobs import periodic_job

from . import services


@periodic_job("disputes.escalate_overdue", every=timedelta(hours=1),
              description="Escalate unresolved cases past their deadline to the next level.")
def escalate_overdue():
    return services.escalate_overdue()


@periodic_job("disputes.deadline_reminders", every=timedelta(hours=1),
              description="Remind mediators and handlers of deadlines in the next three days.")
def deadline_reminders():
    return services.send_deadline_reminders()


@periodic_job("disputes.unanswered_consultations", every=timedelta(hours=1),
              description="Move cases whose request to consult went unanswered for 5 days to mediation.")
def unanswered_consultations():
    return services.close_unanswered_consultations()
