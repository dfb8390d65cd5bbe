"""Pages under the Content-Security-Policy in a real Chromium: charts drawn, htmx swaps, the year
select that submits itself, Swagger UI, and not one policy violation (issue 13 item 15)."""
import pytest

from tests.browser.test_browser import SHOTS, browser, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    context.add_init_script(WATCH)  # injected by the browser, not subject to the page's policy
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    yield pg
    context.close()


def violations(page):
    return page.evaluate("() => window.__csp") + [m for m in page.console_errors if "Content Security Policy" in m]


def test_pages_with_charts_htmx_and_forms_run_under_the_policy(world, live_server, page):
    base = live_server.url
    sign_in(page, base, "county_boss")
    assert not violations(page)
    page.goto(f"{base}/registry/enterprises/{world.ent_a.pk}/")
    page.wait_for_selector("[data-chart][data-drawn='1']")
    page.screenshot(path=str(SHOTS / "csp-enterprise-360.png"), full_page=True)
    assert not violations(page), violations(page)
    for path, selector in (("/alerts/risk/", "[data-level-chart] svg"), ("/alerts/measures/", "[data-level-chart] svg"),
                           ("/disputes/measures/", "[data-stacked-chart] svg"), ("/harmony/measures/", "[data-harmony-chart] svg")):
        page.goto(base + path)
        page.wait_for_selector(selector)
        page.hover(selector)  # a tooltip is markup with style attributes
        assert not violations(page), (path, violations(page))
    # The year select submits its form through static JS (it was an inline onchange).
    page.goto(f"{base}/disputes/measures/")
    year = page.locator("select[name=year] option").nth(1).get_attribute("value")
    with page.expect_navigation():
        page.select_option("select[name=year]", year)
    assert f"year={year}" in page.url
    page.screenshot(path=str(SHOTS / "csp-disputes-measures.png"), full_page=True)
    # htmx: filtering a list swaps the table in place.
    page.goto(f"{base}/registry/workers/")
    assert "Bravo职工" in page.inner_text("#table-area")
    page.fill("#id_q", "AlphaPeer")
    page.click("#filter-form button[type=submit]")
    page.wait_for_function("() => !document.querySelector('#table-area').innerText.includes('Bravo职工')")
    assert "AlphaPeer职工" in page.inner_text("#table-area")
    assert not violations(page), violations(page)


def test_swagger_ui_and_the_account_page(world, live_server, page):
    base = live_server.url
    sign_in(page, base, "alpha_officer")
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector("#operations-tag-auth")  # the spec loaded and rendered: its init script ran
    page.screenshot(path=str(SHOTS / "csp-swagger.png"))
    assert not violations(page), violations(page)
    page.goto(f"{base}/accounts/")
    assert "API" in page.inner_text("#api-tokens")
    page.screenshot(path=str(SHOTS / "csp-account.png"))
    assert not violations(page), violations(page)
