from celery import shared_task


@shared_task(name="concord.alerts.tasks.scan")
def scan(today: str | None = None) -> str:
    """The risk scan on a worker (also run by beat through the periodic-job registry)."""
    from datetime import date

    from . import services

    return services.scan(date.fromisoformat(today) if today else None)
