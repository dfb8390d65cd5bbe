"""Privacy of personal data, tried the way issue 13 found it broken: rebuilding masked ID numbers
from the other fields a role reads plus the exact-search oracle (item 11), the change log's own
masking and its anonymous API changes (items 16, 17), full exports and edit forms (item 9)."""
import csv
import io
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client, override_settings

from concord.core import audit, masking
from concord.core.models import AccessLog
from concord.registry import rules
from concord.registry.models import Worker

from tests.conftest import PASSWORD

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _shown_to(client, worker):
    """Everything about ``worker`` that ``client``'s role reads without a reveal: the API record,
    the list's CSV export (asking for full data, which such a role is not given) and the detail page."""
    api = client.get(f"/api/workers/{worker.pk}/").json()
    export = client.get(f"/registry/workers/?export=csv&unmask=1&q={worker.name}").content.decode("utf-8-sig")
    page = client.get(f"/registry/workers/{worker.pk}/").content.decode()
    return api, export, page


def _candidates(masked, region, year, sex):
    """Every ID number consistent with what the role sees, granting the attacker the full six-digit
    region code (more than the province and city shown): the masked head and tail, the birth year,
    the sex (the parity of character 17) and the check character."""
    head, tail = masked[:2], masked[-1]
    assert region.startswith(head)
    day, out = date(year, 1, 1), []
    while day.year == year:
        body14 = region + day.strftime("%Y%m%d")
        for seq in range(1000):
            if (seq % 2 == 1) != (sex == Worker.Sex.MALE):
                continue
            body = f"{body14}{seq:03d}"
            if rules.id_check_character(body) == tail:
                out.append(body + tail)
        day += timedelta(days=1)
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["court", "auditor"])
def test_a_masked_id_number_cannot_be_rebuilt(world, login, role):
    """Item 11: the court liaison and the auditor rebuilt 5 of 5 numbers from the masked value, the
    birth date shown next to it and ``?id_number=`` as an oracle, unlogged. Now the birth date
    shows as a year, the mask hides the birth day and the sequence, and the oracle is logged and
    refused after the limit: the attack needs months of the limit's days, each try logged."""
    user = getattr(world, role)
    client = login(user)
    worker = world.worker_a
    api, export, page = _shown_to(client, worker)
    born = worker.birth_date
    for shown in (str(api), export, page):
        assert worker.id_number not in shown
        assert born.isoformat() not in shown and born.strftime("%Y%m%d") not in shown
        assert worker.id_number[6:14] not in shown
    masked = api["id_number_masked"]
    assert masked == masking.mask_id_number(worker.id_number) and masked in export and masked in page
    assert api["birth_year"] == born.year and "birth_date" not in api

    candidates = _candidates(masked, worker.id_number[:6], api["birth_year"], worker.sex)
    assert worker.id_number in candidates
    limit, window = audit.lookup_limit()
    assert (limit, window) == (100, 24 * 3600)
    # More than 100 days of the daily limit even with the region code known.
    assert len(candidates) > 100 * limit

    # The oracle, tried in the attacker's order: the limit answers, then refusals; every try logged.
    answers = [client.get(f"/api/workers/?id_number={c}") for c in candidates[: limit + 1]]
    assert [a.status_code for a in answers[:limit]] == [200] * limit
    assert answers[limit].status_code == 429 and "查询的次数过多" in answers[limit].json()["detail"]
    found = [c for c, a in zip(candidates, answers[:limit]) if a.json()["results"]]
    assert worker.id_number not in candidates[:limit] and not found
    logged = AccessLog.objects.filter(actor=user, field="id_number")
    assert logged.filter(purpose=audit.SEARCH).count() == limit
    assert logged.filter(purpose=audit.SEARCH_REFUSED).count() == 1
    assert not logged.filter(object_repr__in=candidates).exists()  # the log keeps the masked value only
    assert client.get(f"/api/workers/?id_number={worker.id_number}").status_code == 429


@pytest.mark.django_db
def test_the_101st_exact_phone_search_is_refused_and_each_try_logged(world, login):
    """Item 17: ``?phone=`` found the 2 hidden digits in at most 100 tries. The limit counts pages,
    API and export together; past it a page says why in Chinese and matches nothing."""
    client = login(world.court)
    base = world.worker_a.phone[:-4]
    tries = [f"{base}{n:04d}" for n in range(100)] + [world.worker_a.phone]
    for n, phone in enumerate(tries[:100]):
        if n % 3 == 0:
            response = client.get(f"/api/workers/?phone={phone}")
        elif n % 3 == 1:
            response = client.get(f"/registry/workers/?q={phone}")
        else:
            response = client.get(f"/registry/employments/?q={phone}&export=csv")
        assert response.status_code == 200
    refused = client.get(f"/registry/workers/?q={tries[100]}")
    html = refused.content.decode()
    assert refused.status_code == 200 and "查询的次数过多" in html and "100" in html
    assert world.worker_a.name not in html  # the refused search matched nothing, though the number exists
    assert client.get(f"/api/workers/?phone={world.worker_a.phone}").status_code == 429
    export = client.get(f"/registry/workers/?q={world.worker_a.phone}&export=csv")
    assert export.status_code == 302  # no file: back to the list, which says why
    entries = AccessLog.objects.filter(actor=world.court, field="phone")
    assert entries.filter(purpose=audit.SEARCH).count() == 100
    assert entries.filter(purpose=audit.SEARCH_REFUSED).count() == 3
    assert not entries.filter(object_repr=world.worker_a.phone).exists()
    assert all("*" in e.object_repr for e in entries)
    # The entries are on the personal-data access page, which names the field in Chinese.
    page = login(world.admin).get("/core/audit/access/?purpose=search_refused").content.decode()
    assert "精确查询被拒绝" in page and "手机号码" in page and world.court.name in page


@pytest.mark.django_db
def test_a_role_that_may_reveal_searches_without_a_limit(world, login):
    client = login(world.officer_a)
    with override_settings(CONCORD_EXACT_LOOKUP_LIMIT=2):
        for _ in range(4):
            assert client.get(f"/api/workers/?id_number={world.worker_a.id_number}").json()["results"]
    assert not AccessLog.objects.filter(purpose__startswith="search").exists()


@pytest.mark.django_db
def test_full_export_writes_one_entry_with_list_filters_and_count(world, login):
    """Item 9: one entry per export (who, when, which list, which filters, how many records),
    seen on the personal-data access page by the county and the auditor."""
    client = login(world.officer_a)
    data = client.get(f"/registry/workers/?export=csv&unmask=1&is_migrant=true&q={world.worker_a.id_number}")
    rows = list(csv.reader(io.StringIO(data.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and world.worker_a.id_number in rows[1]
    entries = AccessLog.objects.filter(purpose="export:csv")
    assert entries.count() == 1
    entry = entries.get()
    assert (entry.actor, entry.count, entry.field) == (world.officer_a, 1, "id_number,phone,birth_date")
    assert entry.filters == {"is_migrant": "true", "q": masking.mask_id_number(world.worker_a.id_number)}
    assert entry.region_path == world.town_a.path and entry.created_at
    for reader in (world.admin, world.auditor):
        page = login(reader).get("/core/audit/access/?field=phone").content.decode()
        assert "导出（CSV）" in page and "is_migrant=true" in page and "身份证号" in page
        assert world.worker_a.id_number not in page
    assert "导出（CSV）" not in login(world.admin).get("/core/audit/access/?purpose=search").content.decode()


@pytest.mark.django_db
def test_access_log_filters_offer_field_names_in_chinese(world, login):
    page = login(world.admin).get("/core/audit/access/").content.decode()
    assert '<option value="id_number">身份证号</option>' in page
    assert '<option value="phone">手机号码</option>' in page
    assert login(world.admin).get("/core/audit/access/?field=nonsense").status_code == 200


@pytest.mark.django_db
def test_worker_edit_form_masks_and_its_reveal_is_logged(world, login):
    client = login(world.officer_a)
    worker = world.worker_a
    url = f"/registry/workers/{worker.pk}/edit/"
    html = client.get(url).content.decode()
    assert worker.id_number not in html and worker.phone not in html
    assert f'value="{masking.mask_id_number(worker.id_number)}"' in html and f'value="{masking.mask_phone(worker.phone)}"' in html
    assert f"/registry/workers/{worker.pk}/reveal/id_number/" in html and '"into": "form"' in html
    # Sending the masked values back keeps the stored ones; a typed value replaces one.
    form = {"id_number": masking.mask_id_number(worker.id_number), "name": "Alpha职工改", "phone": "13800009999",
            "hukou_province": worker.hukou_province, "hukou_city": worker.hukou_city, "is_migrant": "on",
            "education": worker.education}
    assert client.post(url, form).status_code == 302
    worker.refresh_from_db()
    assert (worker.id_number, worker.name, worker.phone) == (world.worker_a.id_number, "Alpha职工改", "13800009999")
    # A bound form with an error shows the masked value again, not the stored one.
    again = client.post(url, {**form, "name": ""}).content.decode()
    assert worker.id_number not in again and masking.mask_id_number(worker.id_number) in again
    # The reveal in the form: an input with the full value, logged as an edit-form reveal.
    revealed = client.post(f"/registry/workers/{worker.pk}/reveal/id_number/", {"into": "form"}).content.decode()
    assert f'value="{worker.id_number}"' in revealed and 'name="id_number"' in revealed and 'id="id_id_number"' in revealed
    assert AccessLog.objects.filter(actor=world.officer_a, purpose=audit.EDIT, field="id_number", object_id=str(worker.pk)).count() == 1
    # A role that may not reveal gets no button, and the reveal route is closed to it.
    assert login(world.auditor).post(f"/registry/workers/{worker.pk}/reveal/id_number/", {"into": "form"}).status_code == 404


@pytest.mark.django_db
def test_every_write_page_or_api_records_its_actor(world, login):
    """Item 16: with a token, the change log's actor was empty (auditlog read the user before the
    API authenticated the token)."""
    token = Client().post("/api/auth/token/", {"username": "alpha_union", "password": PASSWORD},
                          content_type="application/json").json()["token"]
    api = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_X_REQUEST_ID="chosen-by-client")
    response = api.patch(f"/api/workers/{world.worker_a.pk}/", {"phone": "13800007777"}, content_type="application/json")
    assert response.status_code == 200
    ct = ContentType.objects.get_for_model(Worker)
    entry = LogEntry.objects.filter(content_type=ct, object_pk=str(world.worker_a.pk)).latest("pk")
    assert entry.actor == world.union_a and "phone" in entry.changes_dict
    # The request id is the server's, echoed in the response; the client's header is ignored.
    assert entry.cid == response["X-Request-ID"] != "chosen-by-client" and len(entry.cid) == 32

    worker = world.peer_a
    page = login(world.officer_a).post(f"/registry/workers/{worker.pk}/edit/", {
        "id_number": masking.mask_id_number(worker.id_number), "name": worker.name, "phone": "13800006666",
        "hukou_province": worker.hukou_province, "hukou_city": worker.hukou_city, "education": worker.education,
    }, HTTP_X_REQUEST_ID="chosen-by-client")
    assert page.status_code == 302
    entry = LogEntry.objects.filter(content_type=ct, object_pk=str(worker.pk)).latest("pk")
    assert entry.actor == world.officer_a and entry.cid == page["X-Request-ID"] != "chosen-by-client"


@pytest.mark.django_db
def test_the_change_log_masks_by_the_one_rule(world, login):
    """Item 17: the change-log page showed phones as ``*****307069`` (auditlog's own rule, the
    last 6 digits) where pages show ``166****7069``."""
    worker = world.worker_a
    worker.phone = "16612307069"
    worker.save()
    ct = ContentType.objects.get_for_model(Worker)
    entry = LogEntry.objects.filter(content_type=ct, object_pk=str(worker.pk), action=LogEntry.Action.UPDATE).latest("pk")
    assert entry.changes_dict["phone"] == [masking.mask_phone("13800001111"), "166****7069"]
    # An entry written under auditlog's old rule is shown by the one rule too.
    old = LogEntry.objects.create(content_type=ct, object_pk=str(worker.pk), object_id=worker.pk, object_repr="x",
                                  action=LogEntry.Action.UPDATE,
                                  changes={"phone": ["*****001111", "*****307069"], "id_number": ["*********503120113", "x"]})
    for pk in (entry.pk, old.pk):
        html = login(world.admin).get(f"/core/audit/changes/{pk}/").content.decode()
        assert "307069" not in html and "001111" not in html and "503120113" not in html
        assert "7069" in html and "手机号码" in html
    assert "*******7069" in login(world.admin).get(f"/core/audit/changes/{old.pk}/").content.decode()
    # The one rule is the change log's own: auditlog calls it for every model's personal fields.
    from auditlog.registry import auditlog

    assert auditlog.get_model_fields(Worker)["mask_callable"] == "concord.core.masking.mask_value"


def test_masking_rule_table():
    assert masking.mask_value("16612307069") == "166****7069"
    assert masking.mask_value("*****307069") == "*******7069"
    assert masking.mask_value("330603199001011234") == "33***************4"
    assert masking.mask_value("1990-01-01") == "1990-**-**"
    assert masking.mask_birth_date(date(1990, 1, 1)) == "1990-**-**"
    assert masking.mask_value("") == "" and masking.mask_value(None) == ""


@pytest.mark.django_db
def test_change_log_entries_stored_by_the_old_rule_are_masked_again(world):
    """The migration re-masks what auditlog stored under its own rule (and the unmasked birth date)."""
    import importlib

    from django.apps import apps

    ct = ContentType.objects.get_for_model(Worker)
    old = LogEntry.objects.create(content_type=ct, object_pk=str(world.worker_a.pk), object_id=world.worker_a.pk,
                                  object_repr="x", action=LogEntry.Action.UPDATE,
                                  changes={"phone": ["*****001111", "*****307069"], "id_number": ["*********503120113", None],
                                           "birth_date": ["1995-03-12", "1996-04-01"], "name": ["甲", "乙"]})
    migration = importlib.import_module("concord.core.migrations.0010_privacy_remask_change_log")
    migration.remask(apps, None)
    old.refresh_from_db()
    assert old.changes == {"phone": ["*******1111", "*******7069"], "id_number": ["**" + "*" * 15 + "3", None],
                           "birth_date": ["1995-**-**", "1996-**-**"], "name": ["甲", "乙"]}
    migration.remask(apps, None)
    old.refresh_from_db()
    assert old.changes["phone"] == ["*******1111", "*******7069"]
    # An entry written by the one rule is left as it is (auditlog stores a dict, as above).
    world.worker_a.phone = "16612307069"
    world.worker_a.save()
    new = LogEntry.objects.filter(content_type=ct, object_pk=str(world.worker_a.pk)).latest("pk")
    assert isinstance(new.changes, dict)
    before = dict(new.changes)
    migration.remask(apps, None)
    new.refresh_from_db()
    assert new.changes == before and new.changes["phone"] == ["138****1111", "166****7069"]
