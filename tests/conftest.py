"""Shared fixtures: a small two-town world whose records carry the tokens ``Alpha`` (town A) and
``Bravo`` (town B), so that a leak shows up as a foreign token in a response."""
from datetime import date

import pytest
from django.test import Client

from concord.core.models import JobRun, Region, RoleAssignment, User
from concord.core.scope import Role
from concord.registry import rules
from concord.registry.models import Employment, Enterprise, Worker
from concord import celery_app

PASSWORD = "Test-Password-2026!"


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run inline in tests unless a test asks for the real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def id_number(prefix: str, born: str, seq: int) -> str:
    body = f"{prefix}{born}{seq:03d}"
    return body + rules.id_check_character(body)


def credit_code(seq: int) -> str:
    body = f"91330603MA2{seq:06d}"
    return body + rules.credit_code_check_character(body)


def make_user(username, role=None, region=None, enterprise=None, **extra):
    user = User.objects.create_user(username=username, password=PASSWORD, name=extra.pop("name", username), **extra)
    if role:
        RoleAssignment.objects.create(user=user, role=role, region=region, enterprise=enterprise)
    return user


class World:
    """Handles to every record of the test world."""


@pytest.fixture
def world(db):
    w = World()
    # Reference data from data migrations: a transactional test's flush (live-server and browser
    # tests) empties the tables and only post_migrate runs again, so re-install when missing.
    from django.contrib.contenttypes.models import ContentType

    from concord.harmony import defaults, models as harmony

    ContentType.objects.clear_cache()  # after a flush the cached ids are gone (the change log points at them)

    defaults.install(harmony.Standard, harmony.EnterpriseClass, harmony.IndicatorGroup, harmony.Indicator,
                     harmony.VetoItem, harmony.Tier)
    w.county = Region.objects.create(code="330603", name="Testcounty区", kind="county")
    w.town_a = Region.objects.create(code="330603009", name="Alpha街道", kind="town", parent=w.county)
    w.town_b = Region.objects.create(code="330603001", name="Bravo街道", kind="town", parent=w.county)
    w.community_a = Region.objects.create(code="330603009001", name="Alpha社区", kind="community", parent=w.town_a)
    w.ent_a = Enterprise.objects.create(credit_code=credit_code(1), name="Alpha纺织有限公司", region=w.town_a, has_union=True)
    w.ent_a2 = Enterprise.objects.create(credit_code=credit_code(3), name="Alpha印染有限公司", region=w.town_a)
    w.ent_b = Enterprise.objects.create(credit_code=credit_code(2), name="Bravo服饰有限公司", region=w.town_b, has_union=True)
    w.worker_a = Worker.objects.create(id_number=id_number("522422", "19950312", 11), name="Alpha职工", phone="13800001111", is_migrant=True)
    w.peer_a = Worker.objects.create(id_number=id_number("330621", "19880101", 22), name="AlphaPeer职工", phone="13800002222")
    w.worker_b = Worker.objects.create(id_number=id_number("362321", "19990505", 33), name="Bravo职工", phone="13900003333", is_migrant=True)
    w.emp_a = Employment.objects.create(worker=w.worker_a, enterprise=w.ent_a, start_date=date(2024, 3, 1), position="Alpha挡车工")
    w.emp_peer = Employment.objects.create(worker=w.peer_a, enterprise=w.ent_a2, start_date=date(2023, 1, 1), position="AlphaPeer机修工")
    w.emp_b = Employment.objects.create(worker=w.worker_b, enterprise=w.ent_b, start_date=date(2022, 6, 1), position="Bravo缝纫工")

    w.admin = make_user("county_boss", Role.COUNTY_ADMIN, region=w.county, name="县管理员")
    w.officer_a = make_user("alpha_officer", Role.TOWN_OFFICER, region=w.town_a, name="Alpha站长")
    w.officer_b = make_user("bravo_officer", Role.TOWN_OFFICER, region=w.town_b, name="Bravo站长")
    w.union_a = make_user("alpha_union", Role.UNION_OFFICER, enterprise=w.ent_a, name="Alpha工会")
    w.auditor = make_user("auditor_x", Role.AUDITOR, region=w.county, name="审计")
    w.court = make_user("court_x", Role.COURT_LIAISON, region=w.county, name="法院")
    w.worker_user = make_user("alpha_worker", Role.WORKER, name="Alpha职工")
    w.worker_a.user = w.worker_user
    w.worker_a.save()

    from concord.core.audit import record_access, record_event

    w.event_a = record_event(actor=w.officer_a, verb="visited", target=w.ent_a, summary="Alpha事件")
    w.event_b = record_event(actor=w.officer_b, verb="visited", target=w.ent_b, summary="Bravo事件")
    w.access_a = record_access(actor=w.officer_a, target=w.worker_a, field="phone")
    w.access_b = record_access(actor=w.officer_b, target=w.worker_b, field="phone")
    w.job = JobRun.objects.create(name="core.clear_expired_sessions")
    return w


@pytest.fixture
def login():
    def _login(user):
        client = Client()
        client.force_login(user)
        return client

    return _login
