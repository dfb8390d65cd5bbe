"""Audit (change log, events, access log) and masking of personal data."""
import csv
import io

import pytest
from django.apps import apps
from auditlog.registry import auditlog

from concord.core import masking
from concord.core.models import AccessLog, Event

# Logs themselves; counters (each number is on its audited record); inboxes (written by audited events).
# Derived or log rows: an enterprise's risk is recomputed from audited signals and rules, and its
# level changes are their own history (RiskChange) plus domain events.
NOT_AUDITED = {"Event", "AccessLog", "JobRun", "ChangeLogEntry", "Sequence", "Notification", "EnterpriseRisk", "RiskChange", "CaseTally",
               # The anonymous survey: a change log of answers would tie them to a time and a session.
               "SurveyParticipation", "SurveyTally",
               # The worker-name search index: derived rows kept by database triggers, never written by a person.
               "WorkerNameGram"}


@pytest.mark.parametrize("kind,value,masked", [
    ("id_number", "330603199001011234", "33***************4"),
    ("id_number", "52242219950312011X", "52***************X"),
    ("phone", "13812345678", "138****5678"),
    ("phone", "", ""),
    ("id_number", "12345", "*****"),
    ("birth_date", "1995-03-12", "1995-**-**"),
])
def test_mask(kind, value, masked):
    assert masking.mask(kind, value) == masked


def test_every_concord_model_is_in_the_change_log():
    for model in apps.get_models():
        if model.__module__.startswith("concord.") and model.__name__ not in NOT_AUDITED:
            assert auditlog.contains(model), f"{model.__name__} is not registered with the change log"


@pytest.mark.django_db
def test_lists_and_exports_mask_personal_data(world, login):
    client = login(world.officer_a)
    html = client.get("/registry/workers/").content.decode()
    assert world.worker_a.id_number not in html and masking.mask_id_number(world.worker_a.id_number) in html
    assert "13800001111" not in html
    data = client.get("/registry/workers/?export=csv").content.decode("utf-8-sig")
    assert world.worker_a.id_number not in data and masking.mask_id_number(world.worker_a.id_number) in data
    api = client.get("/api/workers/").json()
    assert world.worker_a.id_number not in str(api)
    detail = client.get(f"/registry/workers/{world.worker_a.pk}/").content.decode()
    assert world.worker_a.id_number not in detail


@pytest.mark.django_db
def test_reveal_is_logged(world, login):
    client = login(world.officer_a)
    before = AccessLog.objects.count()
    response = client.post(f"/registry/workers/{world.worker_a.pk}/reveal/id_number/", HTTP_X_REQUEST_ID="reveal-1")
    assert response.status_code == 200 and world.worker_a.id_number in response.content.decode()
    log = AccessLog.objects.latest("pk")
    assert AccessLog.objects.count() == before + 1
    # The request id is the server's (echoed in the response), never the client's header.
    assert response["X-Request-ID"] != "reveal-1"
    assert (log.actor, log.field, log.object_id, log.request_id) == (world.officer_a, "id_number", str(world.worker_a.pk), response["X-Request-ID"])
    assert client.post(f"/registry/workers/{world.worker_b.pk}/reveal/id_number/").status_code == 404
    assert login(world.auditor).post(f"/registry/workers/{world.worker_a.pk}/reveal/id_number/").status_code == 404


@pytest.mark.django_db
def test_unmasked_export_is_logged(world, login):
    client = login(world.officer_a)
    data = client.get("/registry/workers/?export=csv&unmask=1").content.decode("utf-8-sig")
    assert world.worker_a.id_number in data
    assert AccessLog.objects.filter(actor=world.officer_a, purpose="export:csv", count=2).count() == 1
    auditor_data = login(world.auditor).get("/registry/workers/?export=csv&unmask=1").content.decode("utf-8-sig")
    assert world.worker_a.id_number not in auditor_data


@pytest.mark.django_db
def test_export_neutralises_formulas(world, login):
    world.ent_a.name = "=HYPERLINK(\"http://x\")"
    world.ent_a.save()
    client = login(world.officer_a)
    rows = list(csv.reader(io.StringIO(client.get("/registry/enterprises/?export=csv").content.decode("utf-8-sig"))))
    names = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")" in names
    xlsx = client.get("/registry/enterprises/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=HYPERLINK(\"http://x\")" in values and not any(str(v).startswith("=") for v in values if v)


@pytest.mark.django_db
def test_domain_events_carry_scope_and_request_id(world, login):
    assert world.event_a.region_path == world.town_a.path and world.event_a.enterprise_id == world.ent_a.pk
    assert list(Event.objects.visible_to(world.officer_b)) == [world.event_b]
    page = login(world.admin).get(f"/registry/enterprises/{world.ent_a.pk}/").content.decode()
    assert "Alpha事件" in page  # the timeline shows events and changes


@pytest.mark.django_db
def test_change_log_page_shows_before_and_after(world, login):
    world.ent_a.name = "Alpha新名"
    world.ent_a.save()
    from concord.core.models import ChangeLogEntry

    entry = ChangeLogEntry.objects.filter(object_pk=str(world.ent_a.pk), action=1).latest("timestamp")
    page = login(world.admin).get(f"/core/audit/changes/{entry.pk}/").content.decode()
    assert "Alpha纺织有限公司" in page and "Alpha新名" in page
