"""A real Celery worker against the local Redis sees a task through (runs in the PostgreSQL+Redis phase)."""
import os
import subprocess
import sys
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


def _database_url() -> str:
    """The URL of the database this test runs on (the test database), for the worker process."""
    from urllib.parse import quote

    from django.db import connection

    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def db_worker(transactional_db):
    """A real worker on the test database: the test's rows are committed (transactional test), so
    the worker's own connection sees them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database on PostgreSQL")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="concord.settings_test", DATABASE_URL=_database_url())
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "concord", "worker", "--pool=solo", "--concurrency=1", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-scan-{os.getpid()}@%h"],
        cwd=Path(__file__).resolve().parent.parent, env=env,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_risk_scan(world, db_worker):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from concord.alerts import tasks
    from concord.alerts.models import Alert, EnterpriseRisk, RiskChange, RiskSignal

    today = timezone.localdate()
    # A partner's report of 1.5 months of wage arrears, written without assessing (as a file lands).
    RiskSignal.objects.create(enterprise=world.ent_a, region=world.town_a, kind="wage_arrears", source="partner_file",
                              observed_on=today - timedelta(days=3), value=Decimal("1.5"), workers_affected=1,
                              expires_on=today + timedelta(days=30))
    celery_app.conf.task_always_eager = False
    try:
        result = tasks.scan.delay(today.isoformat()).get(timeout=120)
    finally:
        celery_app.conf.task_always_eager = True
    assert "raised 1," in result and "changed 1," in result, result
    alert = Alert.objects.get(enterprise=world.ent_a)
    assert (alert.level, alert.status, alert.region_id, alert.county_assigned) == ("orange", "open", world.town_a.pk, True)
    assert alert.raised_on == today and alert.deadline == today + timedelta(days=3)
    assert alert.reason == "欠薪1至2个月（橙色）"
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a).level == "orange"
    assert RiskChange.objects.filter(enterprise=world.ent_a, previous_level="", level="orange").count() == 1
    assert Alert.objects.visible_to(world.officer_a).filter(pk=alert.pk).exists()
    assert not Alert.objects.visible_to(world.officer_b).filter(pk=alert.pk).exists()
