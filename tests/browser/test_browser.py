"""Real flows in Debian's Chromium (Playwright with executable_path). Screenshots go to
test-artifacts/screenshots/ for people to look at."""
import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    yield pg
    context.close()


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_home_shows_scope_and_attention(world, live_server, page):
    sign_in(page, live_server.url, "alpha_officer")
    assert "Alpha街道" in page.inner_text("#my-scope")
    assert "镇街工作人员" in page.inner_text("#my-scope")
    assert page.locator("#attention").is_visible()
    page.screenshot(path=str(SHOTS / "home-zh.png"), full_page=True)


def test_list_filter_and_detail_reveal(world, live_server, page):
    sign_in(page, live_server.url, "alpha_officer")
    page.goto(f"{live_server.url}/registry/workers/")
    body = page.inner_text("main")
    assert "Alpha职工" in body and "Bravo" not in body
    assert world.worker_a.id_number not in body
    page.fill("#id_q", "AlphaPeer")
    page.click("#filter-form button[type=submit]")
    page.wait_for_function("() => !document.querySelector('#table-area').innerText.includes('Alpha职工\\t')")
    page.wait_for_timeout(300)
    assert "AlphaPeer职工" in page.inner_text("#table-area")
    page.goto(f"{live_server.url}/registry/workers/")
    page.screenshot(path=str(SHOTS / "worker-list-zh.png"), full_page=True)
    page.click("text=Alpha职工")
    page.wait_for_url("**/registry/workers/*/")
    assert world.worker_a.id_number not in page.inner_text("#field-id_number")
    page.click("#field-id_number button.reveal")
    page.wait_for_function(f"() => document.querySelector('#field-id_number').innerText.includes('{world.worker_a.id_number}')")
    page.screenshot(path=str(SHOTS / "worker-detail-zh.png"), full_page=True)
    from concord.core.models import AccessLog

    assert AccessLog.objects.filter(actor=world.officer_a, field="id_number").exists()


def test_english_switch(world, live_server, page):
    sign_in(page, live_server.url, "alpha_officer")
    page.goto(f"{live_server.url}/registry/enterprises/")
    assert "企业" in page.inner_text("h1")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.inner_text("h1").strip() == "Enterprises"
    page.screenshot(path=str(SHOTS / "enterprise-list-en.png"), full_page=True)


def test_worker_on_a_phone(world, browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, "alpha_worker")
    page.click(".navbar-toggler")
    page.wait_for_selector("#mainnav.show")
    page.wait_for_timeout(400)
    assert page.locator("[data-pillar=registry]").is_visible()
    assert page.locator("[data-pillar=system]").count() == 0
    page.screenshot(path=str(SHOTS / "worker-home-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/registry/employments/")
    assert "Alpha纺织有限公司" in page.inner_text("main") and "AlphaPeer" not in page.inner_text("main")
    context.close()


def test_wrong_password_message(world, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alpha_officer")
    page.fill("#id_password", "wrong")
    page.click("#login-form button[type=submit]")
    assert page.locator(".alert-danger").is_visible()
    page.screenshot(path=str(SHOTS / "login-error-zh.png"))
