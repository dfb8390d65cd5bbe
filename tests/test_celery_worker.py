"""A real Celery worker against the local Redis sees a task through (runs in the PostgreSQL+Redis phase)."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from concord import celery_app
from concord.core.tasks import ping

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the services phase of make test)")


@pytest.fixture
def worker():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="concord.settings_test")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "concord", "worker", "--pool=solo", "--concurrency=1", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-{os.getpid()}@%h"],
        cwd=Path(__file__).resolve().parent.parent, env=env,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_real_worker_completes_a_task(worker):
    celery_app.conf.task_always_eager = False
    try:
        result = ping.delay("concord")
        assert result.get(timeout=60) == "pong:concord"
    finally:
        celery_app.conf.task_always_eager = True
