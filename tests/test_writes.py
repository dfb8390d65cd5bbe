"""Writes through pages and the API: choices restricted, out-of-scope writes refused and rolled back."""
import pytest

from concord.core.models import ChangeLogEntry
from concord.registry.models import Enterprise
from tests.conftest import credit_code


@pytest.mark.django_db
def test_form_offers_only_regions_in_scope(world, login):
    page = login(world.officer_a).get("/registry/enterprises/add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alpha街道" in html and "Bravo街道" not in html
    # The list filter keeps its own narrowing (towns and communities only) under the scope.
    listing = login(world.admin).get("/registry/enterprises/").content.decode()
    assert "Bravo街道" in listing and "Testcounty区" not in listing.split('id="id_region"')[1].split("</select>")[0]


@pytest.mark.django_db
def test_page_write_into_another_town_is_refused(world, login):
    client = login(world.officer_a)
    response = client.post(f"/registry/enterprises/{world.ent_a.pk}/edit/", {
        "credit_code": world.ent_a.credit_code, "name": "Alpha纺织有限公司", "region": world.town_b.pk, "address": ""})
    assert response.status_code == 200  # the form comes back with an error
    world.ent_a.refresh_from_db()
    assert world.ent_a.region == world.town_a


@pytest.mark.django_db
def test_page_create_and_edit_are_audited_with_request_id(world, login):
    client = login(world.officer_a)
    response = client.post("/registry/enterprises/add/", {
        "credit_code": credit_code(77), "name": "Alpha新企业", "region": world.town_a.pk, "address": "一路1号", "has_union": "on"},
        HTTP_X_REQUEST_ID="req-test-123")
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Enterprise.objects.get(name="Alpha新企业")
    # The request id is made by the server (a client's X-Request-ID is ignored) and echoed.
    assert response["X-Request-ID"] != "req-test-123" and len(response["X-Request-ID"]) == 32
    entry = ChangeLogEntry.objects.get(object_pk=str(created.pk), content_type__model="enterprise", action=0)
    assert entry.actor == world.officer_a and entry.cid == response["X-Request-ID"]
    client.post(f"/registry/enterprises/{created.pk}/edit/", {
        "credit_code": created.credit_code, "name": "Alpha改名企业", "region": world.town_a.pk, "address": "一路1号"})
    update = ChangeLogEntry.objects.filter(object_pk=str(created.pk), action=1).latest("timestamp")
    assert update.changes_dict["name"] == ["Alpha新企业", "Alpha改名企业"]


@pytest.mark.django_db
def test_bad_credit_code_is_named_in_chinese(world, login):
    client = login(world.officer_a)
    response = client.post("/registry/enterprises/add/", {"credit_code": "91330603MA2000001X", "name": "x", "region": world.town_a.pk})
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode()
    assert not Enterprise.objects.filter(name="x").exists()


@pytest.mark.django_db
def test_api_write_into_another_town_is_refused_and_rolled_back(world, login):
    client = login(world.officer_a)
    response = client.patch(f"/api/enterprises/{world.ent_a.pk}/", {"region": world.town_b.pk}, content_type="application/json")
    assert response.status_code == 400
    world.ent_a.refresh_from_db()
    assert world.ent_a.region == world.town_a
    before = ChangeLogEntry.objects.count()
    response = client.post("/api/enterprises/", {"credit_code": credit_code(88), "name": "偷建", "region": world.town_b.pk},
                           content_type="application/json")
    assert response.status_code == 400
    assert not Enterprise.objects.filter(name="偷建").exists()
    assert ChangeLogEntry.objects.count() == before


@pytest.mark.django_db
def test_auditor_cannot_write(world, login):
    client = login(world.auditor)
    assert client.get(f"/registry/enterprises/{world.ent_a.pk}/edit/").status_code == 404
    response = client.patch(f"/api/enterprises/{world.ent_a.pk}/", {"name": "changed"}, content_type="application/json")
    assert response.status_code == 403
    world.ent_a.refresh_from_db()
    assert world.ent_a.name == "Alpha纺织有限公司"
