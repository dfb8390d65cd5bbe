"""Home pages in Chromium (issue 14, item 3): a town officer's and a worker's "needs your attention"
on a 1,366 px desktop and a 390 px phone, and each card opens the list of exactly its rows.
Screenshots go to test-artifacts/screenshots/."""
from datetime import timedelta

import pytest
from django.utils import timezone

from concord.disputes import services as dispute_services
from concord.disputes.models import Case
from concord.harmony import services as harmony_services
from tests.browser.test_browser import SHOTS, browser, sign_in  # noqa: F401  (fixtures)
from tests.disputes_helpers import claimants, file_case

pytestmark = pytest.mark.browser
SCREENS = {"desktop": {"viewport": {"width": 1366, "height": 900}},
           "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}}


@pytest.fixture(params=sorted(SCREENS))
def screen(request, browser):  # noqa: F811
    context = browser.new_context(locale="zh-CN", **SCREENS[request.param])
    page = context.new_page()
    page.screen_name = request.param
    yield page
    context.close()


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_town_officer_home_says_what_to_do_next(world, live_server, screen):
    today = timezone.localdate()
    waiting = file_case(world, people=claimants(1, prefix="522421"))
    late = dispute_services.case_accept(file_case(world, people=claimants(1, prefix="522423")), actor=world.officer_a)
    Case.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=2))
    file_case(world, actor=world.officer_b, respondent=world.ent_b, people=claimants(1, prefix="522424"))
    sign_in(screen, live_server.url, "alpha_officer")
    cards = screen.locator("#attention a.attention")
    text = screen.inner_text("#attention")
    assert "待受理的案件" in text and "已超期的案件" in text
    # On a phone what to do comes before the roles card.
    assert screen.locator("#attention").bounding_box()["y"] < screen.locator("#my-scope").bounding_box()["y"] \
        or screen.screen_name == "desktop"
    assert fits(screen)
    screen.screenshot(path=str(SHOTS / f"home-town-officer-{screen.screen_name}.png"), full_page=True)
    assert cards.count() >= 2
    screen.click("#attention a.attention[title='已超期的案件']")
    screen.wait_for_url("**/disputes/cases/?*overdue=true*")
    table = screen.inner_text("#table-area")
    assert late.number in table and waiting.number not in table
    assert fits(screen)
    screen.screenshot(path=str(SHOTS / f"home-town-officer-overdue-cases-{screen.screen_name}.png"), full_page=True)


def test_worker_home_offers_the_open_survey(world, live_server, screen):
    today = timezone.localdate()
    survey = harmony_services.survey_open(actor=world.union_a, enterprise=world.ent_a, opens_on=today,
                                          closes_on=today + timedelta(days=7), min_responses=1)
    sign_in(screen, live_server.url, "alpha_worker")
    assert "待您填写的满意度调查" in screen.inner_text("#attention")
    assert fits(screen)
    screen.screenshot(path=str(SHOTS / f"home-worker-{screen.screen_name}.png"), full_page=True)
    screen.click("#attention a.attention[title='待您填写的满意度调查']")
    screen.wait_for_url("**/harmony/surveys/?awaiting=me")
    screen.click("#worker-surveys a.btn")
    screen.wait_for_url(f"**/harmony/surveys/{survey.pk}/answer/")
    assert fits(screen)
