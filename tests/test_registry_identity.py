"""Identity codes at the registry's doors (page, API, import): codes typed with separators are
stored without them, credit codes of every GB 32100 department are accepted, and a town cannot
learn that a person is registered in another town by trying to register them (issue 13, items 8
and 17)."""
import pytest
from django.utils import translation

from concord.core.models import AccessLog
from concord.registry import forms, rules
from concord.registry.models import Employment, Enterprise, Worker
from tests.conftest import id_number


def zh(message) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(str(message))


def _credit(prefix: str, seq: int) -> str:
    body = f"{prefix}330603MA2{seq:06d}"
    return body + rules.credit_code_check_character(body)


# --- credit codes and separators ------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["N2", "Y1", "A1", "51", "31", "81"])
def test_enterprise_form_accepts_credit_codes_with_department_letters_and_strips_separators(world, login, prefix):
    code = _credit(prefix, 700)
    typed = f"{code[:2]}-{code[2:8]} {code[8:12]}-{code[12:]}".lower()
    response = login(world.officer_a).post("/registry/enterprises/add/", {
        "credit_code": typed, "name": f"码{prefix}", "region": world.town_a.pk, "contact_phone": "138-0000-1111",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    ent = Enterprise.objects.get(name=f"码{prefix}")
    assert (ent.credit_code, ent.contact_phone) == (code, "13800001111")


def test_enterprise_form_names_the_credit_code_problem(world, login):
    response = login(world.officer_a).post("/registry/enterprises/add/", {
        "credit_code": _credit("94", 701), "name": "坏类别", "region": world.town_a.pk,
    })
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"] == [str(rules.CREDIT_CODE_MESSAGES["type"])]


def test_api_stores_codes_and_numbers_without_separators(world, login):
    client = login(world.officer_a)
    code = _credit("N1", 702)
    response = client.post("/api/enterprises/", {"credit_code": f"{code[:8]} {code[8:]}", "name": "村集体",
                                                  "region": world.town_a.pk, "contact_phone": "138 0000 2222"},
                           content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Enterprise.objects.filter(credit_code=code, contact_phone="13800002222").exists()
    value = id_number("330603", "20000101", 41)
    response = client.post("/api/workers/", {"name": "连字符", "id_number": f"{value[:6]}-{value[6:14]}-{value[14:]}",
                                             "phone": "136-1234-5678", "enterprise": world.ent_a.pk,
                                             "start_date": "2025-03-01"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Worker.objects.filter(id_number=value, phone="13612345678").exists()


def test_worker_form_strips_separators_from_the_id_number(world, login):
    value = id_number("830000", "19900101", 51)  # a Taiwan resident's residence permit
    response = login(world.officer_a).post("/registry/workers/add/", {
        "id_number": f"{value[:6]} {value[6:14]}-{value[14:]}", "name": "台胞", "enterprise": world.ent_a.credit_code,
        "start_date": "2025-03-01",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Worker.objects.get(id_number=value).hukou_province == "71"


def test_worker_form_refuses_a_region_code_that_never_existed(world, login):
    value = id_number("330699", "19900101", 52)
    response = login(world.officer_a).post("/registry/workers/add/", {
        "id_number": value, "name": "无此县", "enterprise": world.ent_a.credit_code, "start_date": "2025-03-01",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [str(forms.ID_NUMBER_MESSAGES["region"])]


# --- registering a person registered in another town (the oracle) ---------------------------------

def _refusals(actor):
    return AccessLog.objects.filter(actor=actor, purpose=forms.REFUSED_PURPOSE)


def _stranded_worker():
    """A person with no employment: in nobody's town scope (e.g. a number kept after erasure)."""
    return Worker.objects.create(id_number=id_number("341222", "19870707", 61), name="无雇佣")


def _page_error(login, user, ent, value):
    response = login(user).post("/registry/workers/add/", {
        "id_number": value, "name": "重复", "enterprise": ent.credit_code, "start_date": "2025-03-01",
    })
    assert response.status_code == 200
    return response.context["form"].errors["id_number"]


def test_page_town_b_registering_town_a_worker_learns_nothing_and_is_logged(world, login):
    taken_elsewhere = _page_error(login, world.officer_b, world.ent_b, world.worker_a.id_number)
    stranded = _page_error(login, world.officer_b, world.ent_b, _stranded_worker().id_number)
    assert taken_elsewhere == stranded == [str(forms.ID_NUMBER_CANNOT_REGISTER)]
    text = taken_elsewhere[0]
    assert "already" not in text and "exists" not in text and world.worker_a.name not in text
    entry = _refusals(world.officer_b).get(object_id=str(world.worker_a.pk))
    assert entry.field == "id_number"
    # The county (and the town that holds the person) can read who tried.
    assert AccessLog.objects.visible_to(world.admin).filter(pk=entry.pk).exists()
    assert Worker.objects.filter(id_number=world.worker_a.id_number).count() == 1
    assert not Employment.objects.filter(worker=world.worker_a, enterprise=world.ent_b).exists()


def test_page_a_person_in_scope_is_named_as_already_registered(world, login):
    assert _page_error(login, world.officer_a, world.ent_a2, world.worker_a.id_number) == [str(forms.ID_NUMBER_TAKEN_VISIBLE)]
    assert not _refusals(world.officer_a).exists()


def test_page_editing_a_worker_to_another_towns_number_is_refused_the_same_way(world, login):
    response = login(world.officer_b).post(f"/registry/workers/{world.worker_b.pk}/edit/", {
        "id_number": world.worker_a.id_number, "name": world.worker_b.name,
    })
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [str(forms.ID_NUMBER_CANNOT_REGISTER)]
    assert _refusals(world.officer_b).filter(object_id=str(world.worker_a.pk)).exists()


def _api_error(login, user, ent, value):
    response = login(user).post("/api/workers/", {"name": "重复", "id_number": value, "enterprise": ent.pk,
                                                  "start_date": "2025-03-01"},
                                content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    return response.json()


def test_api_town_b_registering_town_a_worker_learns_nothing_and_is_logged(world, login):
    taken_elsewhere = _api_error(login, world.officer_b, world.ent_b, world.worker_a.id_number)
    stranded = _api_error(login, world.officer_b, world.ent_b, _stranded_worker().id_number)
    assert taken_elsewhere == stranded == {"id_number": [zh(forms.ID_NUMBER_CANNOT_REGISTER)]}
    assert _refusals(world.officer_b).filter(object_id=str(world.worker_a.pk)).exists()
    # The union officer of an enterprise is refused in the same words for a person of their own town.
    assert _api_error(login, world.union_a, world.ent_a, world.peer_a.id_number) == {
        "id_number": [zh(forms.ID_NUMBER_CANNOT_REGISTER)]}
    assert _api_error(login, world.officer_a, world.ent_a, world.worker_a.id_number) == {
        "id_number": [zh(forms.ID_NUMBER_TAKEN_VISIBLE)]}


def test_import_town_b_naming_town_a_worker_is_refused_without_saying_so_and_logged(world):
    from tests.test_imports import workers, worker_values

    outsider = world.worker_a
    for commit in (False, True):
        result = workers(world, [worker_values(world.ent_b.credit_code, outsider.id_number, name="Changed")],
                         actor=world.officer_b, commit=commit)
        assert not result.ok
        assert [e.message for e in result.errors] == [str(forms.ID_NUMBER_CANNOT_REGISTER)]
    outsider.refresh_from_db()
    assert outsider.name == "Alpha职工"
    assert not Employment.objects.filter(worker=outsider, enterprise=world.ent_b).exists()
    # The dry run and the rolled-back commit are both on the access log.
    assert _refusals(world.officer_b).filter(object_id=str(outsider.pk)).count() == 2


def test_import_row_without_employer_reads_the_same_for_unknown_and_hidden_numbers(world):
    from tests.test_imports import workers

    keys = ["id_number", "name"]
    hidden = workers(world, [{"id_number": world.worker_a.id_number, "name": "X"}], actor=world.officer_b, keys=keys)
    unknown = workers(world, [{"id_number": id_number("330603", "19910101", 71), "name": "X"}], actor=world.officer_b,
                      keys=keys)
    assert [(e.column, e.message) for e in hidden.errors] == [(e.column, e.message) for e in unknown.errors]
    assert _refusals(world.officer_b).filter(object_id=str(world.worker_a.pk)).count() == 1



def test_employment_form_takes_the_worker_and_enterprise_typed_with_separators(world, login):
    number, code = world.peer_a.id_number, world.ent_a.credit_code
    response = login(world.officer_a).get("/registry/employments/add/")
    assert 'maxlength="32"' in response.content.decode()  # room for the separators in the page
    response = login(world.officer_a).post("/registry/employments/add/", {
        "worker": f"{number[:6]}-{number[6:14]}-{number[14:]}", "enterprise": f"{code[:8]} {code[8:]}".lower(),
        "start_date": "2025-04-01",
    })
    assert response.status_code == 302, response.context["form"].errors
    assert Employment.objects.filter(worker=world.peer_a, enterprise=world.ent_a).exists()
