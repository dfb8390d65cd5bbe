"""Registry pages in Chromium: the enterprise 360 with its charts, worker search by ID number, and
the lists and 360 pages on a phone. Screenshots go to test-artifacts/screenshots/."""
from datetime import date
from decimal import Decimal

import pytest

from concord.registry.models import Employment, Enterprise, Worker
from tests.browser.test_browser import SHOTS, browser, page, sign_in  # noqa: F401  (fixtures)
from tests.conftest import id_number

pytestmark = pytest.mark.browser


@pytest.fixture
def workforce(world):
    """A few more workers at Alpha纺织 so that the charts have bars."""
    people = [("522422", "19850101", "贵州工"), ("511321", "19930101", "四川工"), ("511321", "19960101", "四川工二"),
              ("330621", "20020101", "本地工"), ("362321", "19990101", "江西工")]
    for seq, (prefix, born, name) in enumerate(people, start=70):
        worker = Worker.objects.create(id_number=id_number(prefix, born, seq), name=name, is_migrant=not prefix.startswith("33"))
        signed = seq % 2 == 0
        Employment.objects.create(worker=worker, enterprise=world.ent_a, start_date=date(2024, 1, 1), contract_signed=signed,
                                  contract_type="open_ended" if signed else "", contract_start=date(2024, 1, 1) if signed else None,
                                  insured=seq % 3 != 0, monthly_wage=Decimal(4800 + seq * 10))
    Enterprise.objects.filter(pk=world.ent_a.pk).update(industry="C17D", size_class="medium", contact_phone="13712345678",
                                                        legal_representative="Alpha法人", is_key_enterprise=True)
    return people


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def no_horizontal_scroll(page) -> bool:
    """The page itself fits the screen (wide tables scroll inside their own container)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_enterprise_360_draws_its_charts(world, workforce, live_server, page):
    sign_in(page, live_server.url, "alpha_officer")
    page.goto(f"{live_server.url}/registry/enterprises/{world.ent_a.pk}/")
    assert page.inner_text("#wf-head").strip() == "6"
    page.wait_for_selector("[data-chart='chart-generations'][data-drawn='1'] svg")
    page.wait_for_selector("[data-chart='chart-origins'][data-drawn='1'] svg")
    assert "137****5678" in page.inner_text("main") and "13712345678" not in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "enterprise-360-zh.png"), full_page=True)


def test_worker_search_by_id_number_on_a_phone(world, workforce, live_server, phone):
    sign_in(phone, live_server.url, "alpha_officer")
    phone.goto(f"{live_server.url}/registry/workers/")
    phone.fill("#id_q", world.worker_a.id_number.lower())
    phone.click("#filter-form button[type=submit]")
    phone.wait_for_function("() => !document.querySelector('#table-area').innerText.includes('四川工')")
    table = phone.inner_text("#table-area")
    assert "Alpha职工" in table and world.worker_a.id_number not in table
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(SHOTS / "worker-search-phone.png"), full_page=True)
    phone.click("#table-area >> text=Alpha职工")
    phone.wait_for_url("**/registry/workers/*/")
    assert "Alpha纺织有限公司" in phone.inner_text("#employments")
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(SHOTS / "worker-360-phone.png"), full_page=True)


def test_enterprise_list_and_360_on_a_phone(world, workforce, live_server, phone):
    sign_in(phone, live_server.url, "alpha_officer")
    phone.goto(f"{live_server.url}/registry/enterprises/?industry=C")
    assert "Alpha纺织有限公司" in phone.inner_text("#table-area")
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(SHOTS / "enterprise-list-phone.png"), full_page=True)
    phone.goto(f"{live_server.url}/registry/enterprises/{world.ent_a.pk}/")
    phone.wait_for_selector("[data-chart='chart-generations'][data-drawn='1'] svg")
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(SHOTS / "enterprise-360-phone.png"), full_page=True)
