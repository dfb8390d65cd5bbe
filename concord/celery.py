"""Celery application. Without REDIS_URL, settings make every task run inline (eager)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")

app = Celery("concord")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    # The periodic-job registry is the single source of the beat schedule.
    from concord.core.jobs import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
