"""Search finds what people type (issue 14, item 2): cases by part of their number, an applicant's
name, the enterprise's name or the court's case number in either bracket form; workers by any part
of their name, within the user's scope."""
from datetime import date

import pytest
from django.urls import reverse

from concord.disputes import rules
from concord.disputes.models import Case
from concord.disputes.services import ClaimantInput
from concord.registry.models import Employment, Worker, WorkerNameGram

from tests.conftest import id_number
from tests.disputes_helpers import file_case


@pytest.mark.parametrize("typed, compared", [
    ("（2026）浙0603民初8348号", "(2026)浙0603民初8348号"),
    ("(2026)浙0603民初8348号", "(2026)浙0603民初8348号"),
    ("〔2026〕浙0603民初8348号", "(2026)浙0603民初8348号"),
    ("[2026] 浙0603 民初 8348号", "(2026)浙0603民初8348号"),
    ("８３４８", "8348"),
    ("  王小明 ", "王小明"),
    ("", ""),
])
def test_search_text_writes_every_bracket_form_alike(typed, compared):
    assert rules.search_text(typed) == compared


@pytest.fixture
def cases(world):
    walk_in = file_case(world, people=[ClaimantInput("张三丰", id_number("522422", "19900101", 201), "", False)])
    court = file_case(world, actor=world.court, source="court_delegated", court_referral_kind="post_filing",
                      court_received_on=date.today(), court_case_number="（2026）浙0603民初8348号",
                      people=[ClaimantInput("李四", id_number("522422", "19900101", 202), "", False)])
    other_town = file_case(world, actor=world.officer_b, respondent=world.ent_b,
                           people=[ClaimantInput("张三丰", id_number("522422", "19900101", 203), "", False)])
    return walk_in, court, other_town


def _numbers(client, query, api=False, param="q"):
    if api:
        data = client.get("/api/cases/", {param: query}).json()
        return {row["number"] for row in data["results"]}
    response = client.get(reverse("disputes:case_list"), {"q": query})
    assert response.status_code == 200
    return {c.number for c in Case.objects.all() if c.number in response.content.decode()}


@pytest.mark.parametrize("api,param", [(False, "q"), (True, "q"), (True, "search")])
def test_case_search_by_part_of_number_name_enterprise_or_court_number(world, login, cases, api, param):
    walk_in, court, other_town = cases
    client = login(world.admin)
    tail = walk_in.number[-4:]
    assert walk_in.number in _numbers(client, tail, api, param)                 # part of the case number
    assert _numbers(client, "三丰", api, param) == {walk_in.number, other_town.number}  # part of an applicant's name
    assert _numbers(client, "Bravo服饰", api, param) == {other_town.number}     # the enterprise's name
    assert _numbers(client, "8348", api, param) == {court.number}               # part of the court's number
    assert _numbers(client, "（2026）浙0603民初8348号", api, param) == {court.number}
    assert _numbers(client, "(2026)浙0603民初8348号", api, param) == {court.number}
    assert _numbers(client, "〔2026〕浙0603民初8348", api, param) == {court.number}
    assert _numbers(client, "无此人", api, param) == set()


def test_case_search_stays_in_scope(world, login, cases):
    walk_in, court, other_town = cases
    assert _numbers(login(world.officer_a), "三丰") == {walk_in.number}
    assert _numbers(login(world.officer_b), "三丰") == {other_town.number}


def test_case_search_box_says_what_it_searches(world, login):
    page = login(world.officer_a).get(reverse("disputes:case_list")).content.decode()
    assert 'placeholder="Case number, applicant, enterprise or court case number"' in page or \
        'placeholder="案件编号、申请人、企业名称或法院案号"' in page


# --- workers by any part of the name ---------------------------------------------------------------

def test_name_grams_are_every_character_and_pair():
    from concord.registry import rules as registry_rules

    assert registry_rules.name_grams("王小明") == {"王", "小", "明", "王小", "小明"}
    assert registry_rules.name_grams("Li Na") == {"l", "i", " ", "n", "a", "li", "i ", " n", "na"}
    assert registry_rules.name_grams("") == set()


def _stored_grams(worker):
    return set(WorkerNameGram.objects.filter(worker_id=worker.pk).values_list("gram", flat=True))


def test_triggers_keep_the_grams_on_every_write(world):
    from concord.registry import rules as registry_rules

    worker = Worker.objects.create(id_number=id_number("522422", "19900101", 301), name="欧阳小明")
    assert _stored_grams(worker) == registry_rules.name_grams("欧阳小明")
    Worker.objects.filter(pk=worker.pk).update(name="欧阳Na")  # raw UPDATE, no signal
    assert _stored_grams(worker) == registry_rules.name_grams("欧阳Na")
    Worker.objects.filter(pk=worker.pk).update(phone="13800009999")  # name unchanged: grams unchanged
    assert _stored_grams(worker) == registry_rules.name_grams("欧阳Na")
    Worker.objects.bulk_create([Worker(id_number=id_number("522422", "19900101", 302), name="小明", sex="M",
                                       birth_date=date(1990, 1, 1))])
    assert _stored_grams(Worker.objects.get(name="小明")) == {"小", "明", "小明"}
    pk = worker.pk
    worker.delete()
    assert not WorkerNameGram.objects.filter(worker_id=pk).exists()


def _names(client, query, url=None, param="q"):
    response = client.get(url or reverse("registry:worker_list"), {param: query})
    assert response.status_code == 200
    if url:
        return {row["name"] for row in response.json()["results"]}
    page = response.content.decode()
    return {w.name for w in Worker.objects.all() if f">{w.name}<" in page}


@pytest.fixture
def named(world):
    people = {}
    for seq, (name, enterprise) in enumerate([("王小明", world.ent_a), ("李明华", world.ent_a), ("Bravo明", world.ent_b),
                                              ("欧阳娜娜", world.ent_a)]):
        people[name] = Worker.objects.create(id_number=id_number("330621", "19900101", 400 + seq), name=name)
        Employment.objects.create(worker=people[name], enterprise=enterprise, start_date=date(2024, 1, 1))
    return people


@pytest.mark.parametrize("api", [False, True])
def test_worker_search_by_any_part_of_the_name(world, login, named, api):
    client = login(world.admin)
    url, param = ("/api/workers/", "name") if api else (None, "q")
    assert _names(client, "明", url, param) == {"王小明", "李明华", "Bravo明"}   # one character anywhere
    assert _names(client, "小明", url, param) == {"王小明"}                       # the given name
    assert _names(client, "王", url, param) == {"王小明"}                         # the prefix still works
    assert _names(client, "阳娜娜", url, param) == {"欧阳娜娜"}                   # longer than a pair
    assert _names(client, "bravo", url, param) >= {"Bravo明"}                     # Latin without regard to case
    assert _names(client, "明小", url, param) == set()


def test_worker_search_stays_in_scope(world, login, named):
    assert _names(login(world.officer_a), "明") == {"王小明", "李明华"}
    assert _names(login(world.officer_b), "明") == {"Bravo明"}


def test_employment_search_by_part_of_the_name(world, login, named):
    page = login(world.officer_a).get(reverse("registry:employment_list"), {"q": "明华"}).content.decode()
    assert "李明华" in page and "王小明" not in page


def test_worker_search_box_says_what_it_searches(world, login):
    page = login(world.officer_a).get(reverse("registry:worker_list")).content.decode()
    assert "any part of a name" in page or "姓名的任意部分" in page
