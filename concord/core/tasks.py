from celery import shared_task

from . import jobs


@shared_task(name="concord.core.tasks.run_periodic_job")
def run_periodic_job(name: str, force: bool = False) -> str:
    """Beat runs a job when due; ``force`` runs it now (a person asking, e.g. re-scoring after a rule change)."""
    return jobs.run_job(name, force=force)


@shared_task(name="concord.core.tasks.ping")
def ping(value: str) -> str:
    """A health probe for workers: returns what it was given, with the worker's answer."""
    return f"pong:{value}"
