from celery import shared_task

from . import jobs


@shared_task(name="concord.core.tasks.run_periodic_job")
def run_periodic_job(name: str) -> str:
    return jobs.run_job(name)


@shared_task(name="concord.core.tasks.ping")
def ping(value: str) -> str:
    """A health probe for workers: returns what it was given, with the worker's answer."""
    return f"pong:{value}"
