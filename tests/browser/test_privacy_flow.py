"""The worker edit form in Chromium: personal fields masked, "Show" reveals one (logged), saving
keeps what was not revealed (issue 13 item 9)."""
import pytest

from concord.core import masking
from concord.core.models import AccessLog
from tests.browser.test_browser import SHOTS, browser, page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_worker_edit_form_reveal(world, live_server, page):  # noqa: F811
    worker = world.worker_a
    sign_in(page, live_server.url, "alpha_officer")
    page.goto(f"{live_server.url}/registry/workers/{worker.pk}/edit/")
    assert page.input_value("#id_id_number") == masking.mask_id_number(worker.id_number)
    assert page.input_value("#id_phone") == masking.mask_phone(worker.phone)
    assert worker.id_number not in page.content()
    page.locator("#id_phone ~ button.reveal").click()
    page.wait_for_function(f"() => document.querySelector('#id_phone').value === '{worker.phone}'")
    page.screenshot(path=str(SHOTS / "worker-edit-reveal-zh.png"), full_page=True)
    assert AccessLog.objects.filter(actor=world.officer_a, purpose="edit", field="phone").count() == 1
    page.fill("#id_name", "Alpha职工新名")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/registry/workers/{worker.pk}/")
    worker.refresh_from_db()
    assert (worker.name, worker.id_number, worker.phone) == ("Alpha职工新名", world.worker_a.id_number, "13800001111")
