"""The platform's own periodic jobs."""
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from .jobs import periodic_job


@periodic_job("core.clear_expired_sessions", every=timedelta(hours=6), description="Delete expired sessions.")
def clear_expired_sessions():
    call_command("clearsessions")
    return "ok"


@periodic_job("core.purge_old_login_attempts", every=timedelta(days=1), description="Forget failed logins older than 30 days.")
def purge_old_login_attempts():
    from axes.models import AccessAttempt, AccessFailureLog

    cutoff = timezone.now() - timedelta(days=30)
    n1, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    n2, _ = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    return f"deleted {n1 + n2}"
