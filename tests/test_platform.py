"""Region loading, periodic jobs, Celery, demo data, languages and query counts."""
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.core import jobs
from concord.core.models import JobRun, Region
from concord.core.regions import RegionFileError, load_regions


@pytest.mark.django_db
def test_load_keqiao_from_bundled_file():
    call_command("load_regions", "330603")
    county = Region.objects.get(code="330603")
    towns = Region.objects.filter(parent=county)
    assert towns.count() == 16
    assert Region.objects.get(code="330603009").path == "330603/330603009/"
    call_command("load_regions", "330603")  # idempotent
    assert Region.objects.count() == 17


@pytest.mark.django_db
def test_bad_region_file_changes_nothing(tmp_path):
    call_command("load_regions", "330603")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,kind,parent_code\n330603001,改名,town,330603\n330603999,新镇,planet,330603\n", encoding="utf-8")
    with pytest.raises(RegionFileError) as exc:
        load_regions(bad)
    assert "3" in exc.value.problems[0]  # the row number
    assert Region.objects.get(code="330603001").name == "柯桥街道"


@pytest.mark.django_db
def test_moving_a_town_moves_its_subtree(world):
    other = Region.objects.create(code="330602", name="Other区", kind="county")
    world.town_a.parent = other
    world.town_a.save()
    world.community_a.refresh_from_db()
    assert world.community_a.path == "330602/330603009/330603009001/"


@pytest.mark.parametrize("last_started_ago,status,due", [
    (None, "", True),
    (timedelta(hours=7), "ok", True),
    (timedelta(hours=1), "ok", False),
    (timedelta(minutes=5), "running", False),
])
def test_job_due_rule(last_started_ago, status, due):
    job = jobs.JOBS["core.clear_expired_sessions"]
    now = timezone.now()
    run = JobRun(name=job.name, status=status, last_started=(now - last_started_ago) if last_started_ago else None)
    assert jobs.is_due(job, run, now) is due


@pytest.mark.django_db
def test_run_due_jobs_command_runs_each_job_once():
    call_command("run_due_jobs")
    assert set(JobRun.objects.values_list("name", flat=True)) == set(jobs.JOBS)
    assert all(r.status == "ok" and r.runs == 1 for r in JobRun.objects.all())
    call_command("run_due_jobs")
    assert all(r.runs == 1 for r in JobRun.objects.all())
    schedule = jobs.beat_schedule()
    assert set(schedule) == set(jobs.JOBS)


@pytest.mark.django_db
def test_demo_seed_is_deterministic_and_reusable():
    from concord.demo import seed
    from concord.registry.models import Enterprise, Worker
    from concord.core.models import User

    result = seed.seed("small", 7)
    assert result["enterprises"] == Enterprise.objects.count() >= 300
    assert Worker.objects.count() >= 10000
    from concord.registry.rules import credit_code_valid, id_number_valid

    assert all(id_number_valid(n) for n in Worker.objects.values_list("id_number", flat=True)[:500])
    assert all(credit_code_valid(c) for c in Enterprise.objects.values_list("credit_code", flat=True))
    names = {u.username for u in User.objects.all()}
    assert {"county_admin", "town_qianqing", "town_keqiao", "union_demo", "worker_demo", "court_demo", "auditor_demo"} <= names
    worker = User.objects.get(username="worker_demo").worker
    assert worker.is_migrant and worker.employments.filter(enterprise=seed.demo_enterprise()).exists()
    assert User.objects.get(username="union_demo").role_assignments.get().enterprise.region.code == "330603009"
    call_command("seed_demo")  # second run reuses what is there
    assert Worker.objects.count() == result["workers"]


def test_demo_generators_are_deterministic():
    import random
    from datetime import date

    from concord.demo import seed

    def draw(value):
        rng = random.Random(value)
        return [seed.credit_code(rng, "330603"), seed.id_number(rng, "522422", date(1990, 1, 2)), seed.person_name(rng),
                seed.birth_date(rng), seed.phone(rng)]

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)


def test_chinese_catalogue_is_complete():
    po = polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()][:10]
    assert not po.fuzzy_entries()


@pytest.mark.django_db
def test_chinese_by_default_and_english_switch(world, login):
    client = login(world.officer_a)
    assert "企业" in client.get("/registry/enterprises/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/registry/enterprises/"})
    assert response.status_code == 302
    html = client.get("/registry/enterprises/").content.decode()
    assert "Enterprises" in html


@pytest.mark.django_db
def test_navigation_shows_only_built_and_reachable_pillars(world, login):
    html = login(world.worker_user).get("/").content.decode()
    assert 'data-pillar="registry"' in html and 'data-pillar="system"' not in html
    assert 'data-pillar="disputes"' in html and "/disputes/measures/" not in html  # own cases, no measures
    assert 'data-pillar="alerts"' not in html  # not built yet
    admin_html = login(world.admin).get("/").content.decode()
    assert 'data-pillar="system"' in admin_html


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/registry/enterprises/", "/registry/workers/", "/registry/employments/", "/core/users/", "/core/audit/changes/", "/api/enterprises/", "/api/workers/", "/api/employments/"])
def test_list_query_count_does_not_grow_with_rows(world, login, url):
    from datetime import date

    from concord.registry.models import Employment, Enterprise, Worker
    from tests.conftest import credit_code, id_number, make_user
    from concord.core.scope import Role

    client = login(world.admin)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(15):
        e = Enterprise.objects.create(credit_code=credit_code(100 + i), name=f"Alpha扩{i}", region=world.town_a)
        w = Worker.objects.create(id_number=id_number("522422", "19900101", 100 + i), name=f"扩{i}", phone="13700000000")
        Employment.objects.create(worker=w, enterprise=e, start_date=date(2025, 1, 1))
        make_user(f"extra{i}", Role.UNION_OFFICER, enterprise=e)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
