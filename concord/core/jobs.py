"""Periodic jobs: one registry feeds both Celery beat and ``manage.py run_due_jobs`` (for cron).

A job is a plain idempotent function. ``run_job`` records each run in ``JobRun`` and takes a row
lock so two runners (beat and cron, or two cron hosts) never run the same job at once.
"""
from dataclasses import dataclass
from datetime import timedelta
import logging
import traceback

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    func: object
    every: timedelta
    description: str


JOBS: dict[str, Job] = {}


def periodic_job(name: str, *, every: timedelta, description: str = ""):
    def decorator(func):
        JOBS[name] = Job(name, func, every, description)
        return func

    return decorator


def beat_schedule() -> dict:
    return {
        name: {"task": "concord.core.tasks.run_periodic_job", "schedule": job.every.total_seconds(), "args": (name,)}
        for name, job in JOBS.items()
    }


def is_due(job: Job, run, now) -> bool:
    if run is None or run.last_started is None:
        return True
    if run.status == run.Status.RUNNING and now - run.last_started < job.every:
        return False
    return now - run.last_started >= job.every


def run_job(name: str, *, force: bool = False) -> str:
    """Run one job if due (or ``force``); returns "ran", "skipped" or "failed"."""
    from .models import JobRun

    job = JOBS[name]
    now = timezone.now()
    with transaction.atomic():
        run, _ = JobRun.objects.get_or_create(name=name)
        run = JobRun.objects.select_for_update().get(pk=run.pk)
        if not force and not is_due(job, run, now):
            return "skipped"
        run.last_started = now
        run.status = JobRun.Status.RUNNING
        run.save(update_fields=["last_started", "status"])
    try:
        detail = job.func() or ""
        status = JobRun.Status.OK
    except Exception:  # a failing job is recorded and reported, the runner goes on with the rest
        logger.exception("periodic job %s failed", name)
        detail, status = traceback.format_exc(limit=5), JobRun.Status.FAILED
    JobRun.objects.filter(pk=run.pk).update(
        last_finished=timezone.now(), status=status, detail=str(detail)[:4000], runs=run.runs + 1
    )
    return "ran" if status == JobRun.Status.OK else "failed"


def run_due_jobs(*, force: bool = False) -> dict[str, str]:
    return {name: run_job(name, force=force) for name in sorted(JOBS)}
