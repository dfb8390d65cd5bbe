"""Registry pages: enterprise and worker lists (filters, search, paging without counts), the
enterprise 360 and worker 360 pages (workforce figures, masking, panels), and the forms."""
from datetime import date
from decimal import Decimal
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from concord.core.models import AccessLog, Region
from concord.core.scope import Role
from concord.registry import forms, panels, rules, selectors, tables as t
from concord.registry.models import Employment, Enterprise, Worker
from tests.conftest import credit_code, id_number, make_user


def zh(message) -> str:
    """A message as the (Chinese by default) page shows it, HTML-escaped."""
    with translation.override("zh-hans"):
        return escape(translation.gettext(str(message)))


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.find("<main"):html.find("</main>")]


def table_of(response) -> str:
    html = response.content.decode()
    return html[html.find('id="table-area"'):]


def make_worker(prefix, born, seq, name, **extra):
    return Worker.objects.create(id_number=id_number(prefix, born, seq), name=name, **extra)


def employ(worker, enterprise, start=date(2024, 1, 1), **extra):
    return Employment.objects.create(worker=worker, enterprise=enterprise, start_date=start, **extra)


# --- pure helpers ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("", "", ""),
        ("   ", "", ""),
        ("52242219950312011x", "id_number", "52242219950312011X"),
        (" 522422 19950312 011X ", "id_number", "52242219950312011X"),
        ("13800001111", "phone", "13800001111"),
        ("138 0000 1111", "phone", "13800001111"),
        ("王", "name", "王"),
        ("Alpha职工", "name", "Alpha职工"),
        ("3306", "name", "3306"),  # part of an ID number is not an ID search
        ("1380000111", "name", "1380000111"),  # ten digits: not a phone either
    ],
)
def test_classify_worker_query(text, kind, value):
    assert selectors.classify_worker_query(text) == (kind, value)


@pytest.mark.parametrize(
    "code, covered",
    [
        ("C", ["C", "C17", "C17D", "C18", "C28", "C34"]),
        ("c", ["C", "C17", "C17D", "C18", "C28", "C34"]),
        ("C17", ["C17", "C17D"]),
        ("C17D", ["C17D"]),
        ("F", ["F"]),
        ("Z", []),
        ("", []),
    ],
)
def test_industry_codes(code, covered):
    assert selectors.industry_codes(code) == covered


# --- enterprise list ------------------------------------------------------------------------------

@pytest.fixture
def firms(world):
    """Enterprises of town A (one in its community) with industries, sizes and flags."""
    f = {}
    f["dye"] = Enterprise.objects.create(credit_code=credit_code(11), name="Alpha染整", region=world.community_a, industry="C17D",
                                         size_class="medium", is_key_enterprise=True, has_mediation_committee=True)
    f["shop"] = Enterprise.objects.create(credit_code=credit_code(12), name="Alpha商店", region=world.town_a, industry="F",
                                          size_class="micro", has_workers_congress=True)
    f["mill"] = Enterprise.objects.create(credit_code=credit_code(13), name="Alpha纺纱", region=world.town_a, industry="C17",
                                          size_class="small", has_union=True)
    return f


def names_listed(response, candidates):
    body = table_of(response)
    return {name for name in candidates if name in body}


ENTERPRISE_NAMES = ["Alpha染整", "Alpha商店", "Alpha纺纱", "Alpha纺织有限公司", "Alpha印染有限公司", "Bravo服饰有限公司"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"industry": "C"}, {"Alpha染整", "Alpha纺纱"}),
        ({"industry": "C17"}, {"Alpha染整", "Alpha纺纱"}),
        ({"industry": "C17D"}, {"Alpha染整"}),
        ({"industry": "F"}, {"Alpha商店"}),
        ({"size_class": "micro"}, {"Alpha商店"}),
        ({"is_key_enterprise": "true"}, {"Alpha染整"}),
        ({"has_mediation_committee": "true"}, {"Alpha染整"}),
        ({"has_workers_congress": "true"}, {"Alpha商店"}),
        ({"has_union": "true"}, {"Alpha纺纱", "Alpha纺织有限公司", "Bravo服饰有限公司"}),
        ({"q": "纺"}, {"Alpha纺纱", "Alpha纺织有限公司"}),
        ({"q": credit_code(12).lower()}, {"Alpha商店"}),
    ],
)
def test_enterprise_list_filters(world, firms, login, query, expected):
    response = login(world.admin).get("/registry/enterprises/", query)
    assert response.status_code == 200
    assert names_listed(response, ENTERPRISE_NAMES) == expected


def test_enterprise_town_filter_covers_its_communities(world, firms, login):
    client = login(world.admin)
    in_a = names_listed(client.get("/registry/enterprises/", {"region": world.town_a.pk}), ENTERPRISE_NAMES)
    assert in_a == {"Alpha染整", "Alpha商店", "Alpha纺纱", "Alpha纺织有限公司", "Alpha印染有限公司"}
    assert names_listed(client.get("/registry/enterprises/", {"region": world.town_b.pk}), ENTERPRISE_NAMES) == {"Bravo服饰有限公司"}


def test_enterprise_town_filter_offers_only_towns_in_scope(world, login):
    html = login(world.officer_a).get("/registry/enterprises/").content.decode()
    select = html.split('id="id_region"')[1].split("</select>")[0]
    assert "Alpha街道" in select and "Bravo街道" not in select and "Alpha社区" not in select
    # A town outside the scope is not a valid choice: the filter is refused, nothing leaks.
    response = login(world.officer_a).get("/registry/enterprises/", {"region": world.town_b.pk})
    assert "Bravo服饰有限公司" not in table_of(response)


def test_enterprise_list_columns(world, login):
    from concord.registry.services import refresh_workforce

    refresh_workforce()
    html = table_of(login(world.admin).get("/registry/enterprises/", {"q": "Alpha纺织"}))
    assert world.ent_a.credit_code in html
    assert "100.0%" in html  # its one worker is a migrant
    headers = [Enterprise._meta.get_field(f).verbose_name for f in ("credit_code", "head_count", "is_key_enterprise", "industry",
                                                                     "size_class", "has_union")]
    for header in headers + [t.EnterpriseTable.base_columns["migrant_share"].verbose_name]:
        assert zh(header).capitalize()[:1] in html and zh(header)[1:] in html


# --- worker list and search ------------------------------------------------------------------------

@pytest.fixture
def crowd(world):
    """Workers of town A with the facts the filters look at."""
    c = {}
    c["wang"] = make_worker("411521", "19850607", 41, "王建国", phone="13911112222", is_migrant=True, education="junior")
    c["wangx"] = make_worker("411521", "20010203", 42, "王小明", is_migrant=True, education="senior")
    c["xiaowang"] = make_worker("330621", "19760101", 43, "小王", education="college")
    employ(c["wang"], world.ent_a, contract_signed=True, contract_type="open_ended", contract_start=date(2024, 1, 1), insured=True,
           monthly_wage=Decimal("6200"))
    employ(c["wangx"], world.ent_a2, insured=False)
    employ(c["xiaowang"], world.ent_a2, contract_signed=True, contract_type="fixed_term", contract_start=date(2024, 1, 1),
           contract_end=date(2026, 12, 31), insured=True)
    return c


WORKER_NAMES = ["王建国", "王小明", "小王", "Alpha职工", "AlphaPeer职工", "Bravo职工"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "王"}, {"王建国", "王小明", "小王"}),  # any part of the name (issue 14): 小王 is found too
        ({"q": "明"}, {"王小明"}),
        ({"q": "王小"}, {"王小明"}),
        ({"q": "小王"}, {"小王"}),
        ({"q": "13911112222"}, {"王建国"}),
        ({"q": "1391111"}, set()),  # part of a phone finds nobody
        ({"q": id_number("411521", "20010203", 42)}, {"王小明"}),
        ({"q": id_number("411521", "20010203", 42)[:14]}, set()),  # part of an ID number finds nobody
        ({"generation": "1980"}, {"王建国", "AlphaPeer职工"}),
        ({"generation": "2000"}, {"王小明"}),
        ({"generation": "earlier"}, {"小王"}),
        ({"is_migrant": "true"}, {"王建国", "王小明", "Alpha职工", "Bravo职工"}),
        ({"education": "college"}, {"小王"}),
        ({"sex": "F"}, {"AlphaPeer职工", "王小明"}),  # the 17th digit: even for women
        ({"hukou_province": "41"}, {"王建国", "王小明"}),
        ({"hukou_province": "52"}, {"Alpha职工"}),
        ({"contract_signed": "true"}, {"王建国", "小王"}),
        ({"contract_signed": "false"}, {"王小明", "Alpha职工", "AlphaPeer职工", "Bravo职工"}),
        ({"insured": "true"}, {"王建国", "小王"}),
        ({"enterprise": credit_code(3)}, {"王小明", "小王", "AlphaPeer职工"}),
        ({"enterprise": credit_code(3).lower()}, {"王小明", "小王", "AlphaPeer职工"}),
        ({"generation": "1980", "is_migrant": "true"}, {"王建国"}),
    ],
)
def test_worker_list_search_and_filters(world, crowd, login, query, expected):
    response = login(world.admin).get("/registry/workers/", query)
    assert response.status_code == 200
    assert names_listed(response, WORKER_NAMES) == expected


def test_worker_search_by_lower_case_id_number(world, login):
    worker = make_worker("522422", "19900101", 7, "带X职工")
    if not worker.id_number.endswith("X"):
        worker = next(
            make_worker("522422", "19900101", seq, f"带X职工{seq}")
            for seq in range(8, 200)
            if id_number("522422", "19900101", seq).endswith("X")
        )
    employ(worker, world.ent_a)
    response = login(world.officer_a).get("/registry/workers/", {"q": worker.id_number.lower()})
    assert worker.name in table_of(response)


def test_worker_name_search_reads_the_gram_index_not_like(world, crowd, login):
    # Any part of the name (issue 14): one lookup in the name-gram index, in the list's order.
    with CaptureQueriesContext(connection) as queries:
        login(world.admin).get("/registry/workers/", {"q": "王"})
    listing = [q["sql"] for q in queries.captured_queries if 'FROM "registry_worker"' in q["sql"]
               and '"registry_workernamegram"."gram" =' in q["sql"]]
    assert listing, "the name search should look the gram up"
    assert all("LIKE" not in sql.split("FROM", 1)[1].split("ORDER BY")[0].replace("LIKE '330603/", "") for sql in listing)
    assert all('ORDER BY "registry_workernamegram"."name"' in sql for sql in listing)


def test_worker_town_filter_follows_the_current_employment(world, login):
    mover = make_worker("511321", "19920202", 51, "调动职工")
    employ(mover, world.ent_a, start=date(2020, 1, 1), end_date=date(2022, 12, 31))
    employ(mover, world.ent_b, start=date(2023, 1, 1))
    client = login(world.admin)
    assert "调动职工" not in table_of(client.get("/registry/workers/", {"town": world.town_a.pk}))
    assert "调动职工" in table_of(client.get("/registry/workers/", {"town": world.town_b.pk}))
    assert "Alpha职工" in table_of(client.get("/registry/workers/", {"town": world.town_a.pk}))


def test_worker_list_current_enterprise_stays_in_scope(world, login):
    # Alpha职工 also works at the Bravo enterprise; the town-A officer must not learn of it.
    employ(world.worker_a, world.ent_b, start=date(2025, 1, 1))
    body = table_of(login(world.officer_a).get("/registry/workers/"))
    assert "Alpha职工" in body and "Alpha纺织有限公司" in body and "Bravo" not in body


def test_worker_list_masks_personal_data(world, login):
    body = table_of(login(world.officer_a).get("/registry/workers/"))
    assert world.worker_a.id_number not in body and world.worker_a.phone not in body
    assert world.worker_a.id_number_masked in body


@pytest.mark.parametrize("url", ["/registry/workers/", "/registry/employments/", "/registry/enterprises/"])
def test_county_lists_are_paged_without_counting(world, login, url):
    for i in range(30):
        w = make_worker("362321", "19900101", 100 + i, f"翻页{i:02d}")
        e = Enterprise.objects.create(credit_code=credit_code(200 + i), name=f"Alpha翻页{i:02d}", region=world.town_a)
        employ(w, e)
    client = login(world.admin)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url)
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "registry_" in q["sql"]]
    assert first.status_code == 200 and "page=2" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert second.status_code == 200 and "page=3" not in second.content.decode()


# --- employment list ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "王"}, {"王建国", "王小明", "小王"}),  # any part of the name (issue 14)
        ({"q": "13911112222"}, {"王建国"}),
        ({"enterprise": credit_code(1)}, {"王建国", "Alpha职工"}),
        ({"contract_type": "fixed_term"}, {"小王"}),
        ({"contract_signed": "true"}, {"王建国", "小王"}),
        ({"insured": "false"}, {"王小明", "Alpha职工", "AlphaPeer职工", "Bravo职工"}),
    ],
)
def test_employment_list_filters(world, crowd, login, query, expected):
    response = login(world.admin).get("/registry/employments/", query)
    assert response.status_code == 200
    assert names_listed(response, WORKER_NAMES) == expected


def test_employment_list_town_and_current(world, login):
    mover = make_worker("511321", "19920202", 51, "调动职工")
    employ(mover, world.ent_a, start=date(2020, 1, 1), end_date=date(2022, 12, 31))
    employ(mover, world.ent_b, start=date(2023, 1, 1))
    client = login(world.admin)
    in_a = table_of(client.get("/registry/employments/", {"town": world.town_a.pk}))
    assert "调动职工" in in_a and "Bravo职工" not in in_a
    current_a = table_of(client.get("/registry/employments/", {"town": world.town_a.pk, "current": "true"}))
    assert "调动职工" not in current_a and "Alpha职工" in current_a


# --- enterprise 360 --------------------------------------------------------------------------------

@pytest.fixture
def staffed(world):
    """ent_a2 with five current workers and one who left."""
    people = [
        make_worker("522422", "19850101", 61, "工一", is_migrant=True),
        make_worker("522422", "19930101", 62, "工二", is_migrant=True),
        make_worker("511321", "19960101", 63, "工三", is_migrant=True),
        make_worker("330621", "20020101", 64, "工四"),
        make_worker("330621", "19700101", 65, "工五"),
    ]
    gone = make_worker("362321", "19910101", 66, "离职工")
    employ(people[0], world.ent_a2, contract_signed=True, contract_type="open_ended", contract_start=date(2024, 1, 1), insured=True,
           monthly_wage=Decimal("6000"))
    employ(people[1], world.ent_a2, contract_signed=True, contract_type="fixed_term", contract_start=date(2024, 1, 1),
           contract_end=date(2027, 1, 1), insured=True, monthly_wage=Decimal("5000"))
    employ(people[2], world.ent_a2, insured=True, monthly_wage=Decimal("4000"))
    employ(people[3], world.ent_a2)
    employ(people[4], world.ent_a2, contract_signed=True, contract_type="task_based", contract_start=date(2024, 1, 1))
    employ(gone, world.ent_a2, start=date(2020, 1, 1), end_date=date(2021, 1, 1), insured=True, monthly_wage=Decimal("9999"))
    return people


def test_enterprise_workforce_figures(world, staffed):
    # With the fixture's AlphaPeer职工 (born 1988, local, no contract): six current workers.
    wf = selectors.enterprise_workforce(world.ent_a2, world.admin)
    assert wf.head_count == 6
    assert (wf.migrants, wf.locals) == (3, 3)
    assert wf.migrant_share == pytest.approx(0.5)
    assert {code: n for code, _label, n in wf.generations} == {"earlier": 1, "1980": 2, "1990": 2, "2000": 1, "2010": 0}
    assert [(code, n) for code, _name, n in wf.origins] == [("33", 3), ("52", 2), ("51", 1)]
    assert wf.origins[0][1] == "浙江省"
    assert (wf.contract_signed, wf.insured) == (3, 3)
    assert wf.contract_rate == pytest.approx(0.5) and wf.insured_rate == pytest.approx(0.5)
    assert (wf.wage_known, wf.average_wage) == (3, Decimal("5000.00"))


def test_enterprise_workforce_of_an_empty_enterprise(world):
    empty = Enterprise.objects.create(credit_code=credit_code(77), name="Alpha空壳", region=world.town_a)
    wf = selectors.enterprise_workforce(empty, world.admin)
    assert wf.head_count == 0 and wf.migrant_share is None and wf.contract_rate is None and wf.average_wage is None
    assert wf.origins == []


def test_enterprise_360_page(world, staffed, login):
    response = login(world.officer_a).get(f"/registry/enterprises/{world.ent_a2.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="wf-head">6<' in html
    assert "50%" in html  # migrant share, contract and insurance rates
    assert "5000.00" in html
    assert "离职工" not in html  # not in the current workforce
    generations = json.loads(re.search(r'<script id="chart-generations" type="application/json">(.*?)</script>', html).group(1))
    assert [n for _label, n in generations] == [1, 2, 2, 1, 0]
    origins = json.loads(re.search(r'<script id="chart-origins" type="application/json">(.*?)</script>', html).group(1))
    assert origins[0] == ["浙江省", 3]
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/vendor/echarts/echarts.min.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)  # no CDN on a county intranet


def test_enterprise_360_current_workforce_is_capped(world, login):
    for i in range(55):
        employ(make_worker("341221", "19950101", 300 + i, f"大厂{i:02d}"), world.ent_a)
    html = login(world.admin).get(f"/registry/enterprises/{world.ent_a.pk}/").content.decode()
    block = html.split('id="current-workforce"')[1]
    assert block.count("/registry/workers/") == 20
    assert "20" in block and "56" in block  # first 20 of 56


def test_enterprise_360_masks_contact_phone_and_reveal_is_logged(world, login):
    Enterprise.objects.filter(pk=world.ent_a.pk).update(contact_phone="13712345678", contact_name="Alpha联系人")
    client = login(world.officer_a)
    html = client.get(f"/registry/enterprises/{world.ent_a.pk}/").content.decode()
    assert "13712345678" not in html and "137****5678" in html
    revealed = client.post(f"/registry/enterprises/{world.ent_a.pk}/reveal/contact_phone/")
    assert revealed.status_code == 200 and "13712345678" in revealed.content.decode()
    assert AccessLog.objects.filter(actor=world.officer_a, field="contact_phone").exists()


# --- worker 360 -----------------------------------------------------------------------------------

def test_worker_360_page(world, login):
    Employment.objects.filter(pk=world.emp_a.pk).update(contract_signed=True, contract_type="fixed_term",
                                                        contract_start=date(2024, 3, 1), contract_end=date(2027, 2, 28),
                                                        insured=True, monthly_wage=Decimal("5800.50"))
    employ(world.worker_a, world.ent_b, start=date(2025, 1, 1), position="Bravo兼职")
    response = login(world.officer_a).get(f"/registry/workers/{world.worker_a.pk}/")
    html = main_of(response)
    assert world.worker_a.id_number not in html and world.worker_a.phone not in html
    assert world.worker_a.id_number_masked in html and world.worker_a.phone_masked in html
    assert 'hx-post="/registry/workers/%d/reveal/id_number/"' % world.worker_a.pk in html
    assert "贵州省" in html and "毕节市" in html  # household registration from the ID number
    with translation.override("zh-hans"):
        assert escape(str(world.worker_a.get_generation_display())) in html
    assert "5,800.50" in html and "2027-02-28" in html  # thousands separators (issue 14)
    assert "Bravo" not in html  # the employment in town B is outside the officer's scope


def test_worker_sees_own_360(world, login):
    response = login(world.worker_user).get(f"/registry/workers/{world.worker_a.pk}/")
    assert response.status_code == 200 and "Alpha纺织有限公司" in main_of(response)
    assert login(world.worker_user).get(f"/registry/workers/{world.peer_a.pk}/").status_code == 404


# --- panels ---------------------------------------------------------------------------------------

@pytest.fixture
def test_panels():
    calls = []

    def enterprise_section(enterprise, user):
        calls.append(("enterprise", enterprise.pk, user.pk))
        return panels.Section("测试面板", "registry/partials/facts.html",
                              {"facts": [{"name": "probe", "label": "探针", "value": f"企业{enterprise.pk}"}]})

    def silent(obj, user):
        calls.append(("silent", obj.pk, user.pk))
        return None

    def worker_section(worker, user):
        return panels.Section("职工面板", "registry/partials/facts.html",
                              {"facts": [{"name": "probe", "label": "探针", "value": f"职工{worker.pk}"}]})

    panels.register(panels.ENTERPRISE, enterprise_section, order=10, key="tests.enterprise_section")
    panels.register(panels.ENTERPRISE, silent, order=5, key="tests.silent")
    panels.register(panels.WORKER, worker_section, key="tests.worker_section")
    try:
        yield calls
    finally:
        panels.unregister(panels.ENTERPRISE, "tests.enterprise_section")
        panels.unregister(panels.ENTERPRISE, "tests.silent")
        panels.unregister(panels.WORKER, "tests.worker_section")


def test_panels_appear_on_the_360_pages(world, login, test_panels):
    client = login(world.officer_a)
    html = client.get(f"/registry/enterprises/{world.ent_a.pk}/").content.decode()
    assert "测试面板" in html and f"企业{world.ent_a.pk}" in html and 'id="panel-tests-enterprise_section"' in html
    assert ("silent", world.ent_a.pk, world.officer_a.pk) in test_panels  # asked, answered None, not shown
    # Besides the probes, only the panels the installed pillars register (disputes: the cases).
    assert html.count('id="panel-') == 1 + len([k for k in panels.registered(panels.ENTERPRISE) if not k.startswith("tests.")])
    worker_html = client.get(f"/registry/workers/{world.worker_a.pk}/").content.decode()
    assert "职工面板" in worker_html and f"职工{world.worker_a.pk}" in worker_html


def test_panels_registry_order_and_replacement(test_panels):
    assert panels.registered(panels.ENTERPRISE)[:2] == ["tests.silent", "tests.enterprise_section"]
    panels.register(panels.ENTERPRISE, lambda e, u: None, order=1, key="tests.silent")  # same key: replaced
    assert panels.registered(panels.ENTERPRISE).count("tests.silent") == 1
    with pytest.raises(ValueError):
        panels.register("case", lambda o, u: None)


def test_the_registry_registers_no_panel_of_its_own():
    # Sections come from later pillars; the registry shows its own facts on the page itself.
    assert not [k for k in panels.registered(panels.ENTERPRISE) + panels.registered(panels.WORKER) if k.startswith("concord.registry")]


# --- forms ----------------------------------------------------------------------------------------

def test_enterprise_form_with_all_fields(world, login):
    client = login(world.officer_a)
    response = client.post("/registry/enterprises/add/", {
        "credit_code": credit_code(500).lower(), "name": "Alpha新厂", "region": world.community_a.pk, "address": "Alpha路1号",
        "industry": "C17D", "ownership": "private", "size_class": "small", "legal_representative": "张三",
        "contact_name": "李四", "contact_phone": "137 1234 5678", "has_union": "on", "has_mediation_committee": "on",
        "has_workers_congress": "", "is_key_enterprise": "on",
    })
    assert response.status_code == 302, main_of(response)
    ent = Enterprise.objects.get(name="Alpha新厂")
    assert ent.credit_code == credit_code(500) and ent.contact_phone == "13712345678"
    assert (ent.industry, ent.ownership, ent.size_class) == ("C17D", "private", "small")
    assert ent.has_union and ent.has_mediation_committee and not ent.has_workers_congress and ent.is_key_enterprise


def test_enterprise_form_refuses_bad_codes_and_other_towns(world, login):
    client = login(world.officer_a)
    response = client.post("/registry/enterprises/add/", {"credit_code": "91330603MA2000001X", "name": "坏码", "region": world.town_a.pk,
                                                          "contact_phone": "1234"})
    html = response.content.decode()
    assert response.status_code == 200
    assert zh(rules.CREDIT_CODE_MESSAGES["checksum"]) in html
    assert zh("Enter an 11-digit mainland mobile number.") in html
    response = client.post("/registry/enterprises/add/", {"credit_code": credit_code(501), "name": "Alpha越界", "region": world.town_b.pk})
    assert response.status_code == 200 and not Enterprise.objects.filter(name="Alpha越界").exists()


@pytest.mark.parametrize("reason", ["length", "invalid", "birthday", "location", "checksum"])
def test_worker_form_says_why_an_id_number_is_wrong(world, login, reason):
    good = id_number("522422", "19950312", 91)
    bad = {
        "length": good[:17],
        "invalid": good[:10] + "AB" + good[12:],
        "birthday": (lambda b: b + rules.id_check_character(b))("52242219950231091"),
        "location": (lambda b: b + rules.id_check_character(b))("00242219950312091"),
        "checksum": good[:17] + ("0" if good[17] != "0" else "1"),
    }[reason]
    assert rules.id_number_problem(bad) == reason
    response = login(world.officer_a).post("/registry/workers/add/", {"id_number": bad, "name": "坏号"})
    assert response.status_code == 200
    assert zh(forms.ID_NUMBER_MESSAGES[reason]) in response.content.decode()
    assert not Worker.objects.filter(name="坏号").exists()


def test_worker_form_adds_the_worker_with_their_employment(world, login):
    value = id_number("511321", "19990909", 93)
    response = login(world.officer_a).post("/registry/workers/add/", {
        "id_number": value.lower(), "name": "新职工", "phone": "136 1234 5678", "education": "senior", "is_migrant": "on",
        "enterprise": world.ent_a2.credit_code, "start_date": "2025-03-01", "position": "Alpha定型工",
    })
    assert response.status_code == 302, main_of(response)
    worker = Worker.objects.get(id_number=value)
    assert (worker.phone, worker.hukou_province, worker.hukou_city, worker.education, worker.is_migrant) == (
        "13612345678", "51", "南充市", "senior", True)
    assert worker.employments.get().enterprise == world.ent_a2
    assert response["Location"] == f"/registry/workers/{worker.pk}/"


def test_worker_form_keeps_an_edited_household_registration(world, login):
    value = id_number("511321", "19990909", 94)
    login(world.officer_a).post("/registry/workers/add/", {
        "id_number": value, "name": "迁户", "hukou_province": "33", "hukou_city": "绍兴市",
        "enterprise": world.ent_a.credit_code, "start_date": "2025-03-01",
    })
    assert Worker.objects.filter(id_number=value, hukou_province="33", hukou_city="绍兴市").exists()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"start_date": "2099-01-01"}, "start_date", rules.EMPLOYMENT_MESSAGES["start_future"]),
        ({"enterprise": credit_code(2)}, "enterprise", forms.EnterpriseByCreditCodeField.default_error_messages["invalid_choice"]),
        ({"enterprise": ""}, "enterprise", None),
    ],
)
def test_worker_form_refuses_a_bad_employment_and_saves_nothing(world, login, changes, field, message):
    value = id_number("511321", "19990909", 95)
    post = {"id_number": value, "name": "未存", "enterprise": world.ent_a.credit_code, "start_date": "2025-03-01", **changes}
    response = login(world.officer_a).post("/registry/workers/add/", post)
    assert response.status_code == 200 and field in response.context["form"].errors
    if message:
        assert zh(message) in response.content.decode()
    assert not Worker.objects.filter(id_number=value).exists()


def test_worker_add_from_the_enterprise_360(world, login):
    client = login(world.officer_a)
    assert f"/registry/workers/add/?enterprise={world.ent_a.pk}" in client.get(f"/registry/enterprises/{world.ent_a.pk}/").content.decode()
    html = client.get(f"/registry/workers/add/?enterprise={world.ent_a.pk}").content.decode()
    assert f'value="{world.ent_a.credit_code}"' in html


def test_employment_form_by_id_number(world, login):
    client = login(world.officer_a)
    page = client.get("/registry/employments/add/").content.decode()
    assert 'type="date"' in page and 'name="worker"' in page and "<option" not in page.split('name="worker"')[1].split(">")[0]
    response = client.post("/registry/employments/add/", {
        "worker": world.peer_a.id_number.lower(), "enterprise": world.ent_a.credit_code, "start_date": "2025-02-01",
        "contract_signed": "on", "contract_type": "open_ended", "contract_start": "2025-02-01", "insured": "on",
        "monthly_wage": "6100.00", "position": "Alpha新岗",
    })
    assert response.status_code == 302, main_of(response)
    emp = Employment.objects.get(position="Alpha新岗")
    assert (emp.worker, emp.enterprise, emp.contract_type, emp.insured, emp.monthly_wage) == (
        world.peer_a, world.ent_a, "open_ended", True, Decimal("6100.00"))


def test_employment_form_refuses_workers_and_enterprises_outside_scope(world, login):
    response = login(world.officer_a).post("/registry/employments/add/", {
        "worker": world.worker_b.id_number, "enterprise": world.ent_b.credit_code, "start_date": "2025-02-01",
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert zh(forms.WorkerByIdNumberField.default_error_messages["invalid_choice"]) in html
    assert zh(forms.EnterpriseByCreditCodeField.default_error_messages["invalid_choice"]) in html
    assert world.worker_b.id_number not in html.replace(f'value="{world.worker_b.id_number}"', "")


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"contract_signed": "on", "contract_type": "fixed_term", "contract_start": "2025-02-01"}, "contract_end", "fixed_term_needs_end"),
        ({"contract_signed": "on", "contract_start": "2025-02-01"}, "contract_type", "contract_type_missing"),
        ({"contract_type": "fixed_term"}, "contract_signed", "contract_unsigned_details"),
        ({"end_date": "2025-01-01"}, "end_date", "end_before_start"),
        ({"start_date": "2099-01-01"}, "start_date", "start_future"),
    ],
)
def test_employment_form_applies_the_contract_rules(world, login, data, field, code):
    post = {"worker": world.peer_a.id_number, "enterprise": world.ent_a.credit_code, "start_date": "2025-02-01", **data}
    response = login(world.officer_a).post("/registry/employments/add/", post)
    assert response.status_code == 200
    form = response.context["form"]
    assert [str(e) for e in form.errors[field]] == [str(rules.EMPLOYMENT_MESSAGES[code])]
    assert zh(rules.EMPLOYMENT_MESSAGES[code]) in response.content.decode()


def test_employment_edit_keeps_the_worker_and_hides_the_id_number(world, login):
    client = login(world.officer_a)
    html = client.get(f"/registry/employments/{world.emp_a.pk}/edit/").content.decode()
    assert world.worker_a.id_number not in html and world.worker_a.id_number_masked in html
    assert 'value="2024-03-01"' in html  # an ISO date in a type=date input, whatever the language
    response = client.post(f"/registry/employments/{world.emp_a.pk}/edit/", {
        "worker": world.peer_a.pk, "enterprise": world.ent_a.credit_code, "start_date": "2024-03-01",
    })
    assert response.status_code == 200  # another worker is not a choice
    world.emp_a.refresh_from_db()
    assert world.emp_a.worker == world.worker_a


def test_employment_add_from_the_360_pages(world, login):
    client = login(world.officer_a)
    html = client.get(f"/registry/employments/add/?worker={world.worker_a.pk}&enterprise={world.ent_a2.pk}").content.decode()
    assert world.worker_a.id_number_masked in html and world.worker_a.id_number not in html
    assert f'value="{world.ent_a2.credit_code}"' in html
    foreign = client.get(f"/registry/employments/add/?worker={world.worker_b.pk}&enterprise={world.ent_b.pk}").content.decode()
    assert "Bravo" not in foreign and world.ent_b.credit_code not in foreign


def test_union_officer_gets_their_enterprise_prefilled(world, login):
    html = login(world.union_a).get("/registry/employments/add/").content.decode()
    assert f'value="{world.ent_a.credit_code}"' in html


# --- query counts ---------------------------------------------------------------------------------

def grow(world, n=15, offset=0):
    for i in range(n):
        e = Enterprise.objects.create(credit_code=credit_code(1000 + offset + i), name=f"Alpha扩{offset + i}", region=world.town_a,
                                      industry="C17D", size_class="small")
        w = Worker.objects.create(id_number=id_number("522422", "19900101", 400 + offset + i), name=f"扩{offset + i}",
                                  phone="13700000000", is_migrant=True)
        employ(w, e, contract_signed=True, contract_type="open_ended", contract_start=date(2024, 1, 1), insured=True,
               monthly_wage=Decimal("5000"))
        employ(w, world.ent_a, start=date(2024, 6, 1), monthly_wage=Decimal("4000"))
        employ(w, world.ent_a2, start=date(2020, 1, 1), end_date=date(2021, 1, 1))
        make_user(f"grow{offset + i}", Role.UNION_OFFICER, enterprise=e)


PAGES = [
    "/registry/enterprises/?region={town_a}",
    "/registry/enterprises/?industry=C&size_class=small&has_union=false&q=Alpha",
    "/registry/workers/?town={town_a}",
    "/registry/workers/?q=扩",
    "/registry/workers/?q={worker_id}",
    "/registry/workers/?enterprise={ent_credit}&generation=1990&is_migrant=true&contract_signed=false&insured=false&education=&sex=M",
    "/registry/employments/?town={town_a}&current=true&contract_signed=false",
    "/registry/employments/?enterprise={ent_credit}",
    "/registry/enterprises/{ent}/",
    "/registry/workers/{worker}/",
    "/registry/employments/{emp}/",
    "/registry/employments/add/?worker={worker}&enterprise={ent}",
]


@pytest.mark.parametrize("who", ["admin", "officer_a"])
@pytest.mark.parametrize("template", PAGES)
def test_page_query_count_does_not_grow_with_rows(world, login, who, template):
    url = template.format(town_a=world.town_a.pk, worker_id=world.worker_a.id_number, ent_credit=world.ent_a.credit_code,
                          ent=world.ent_a.pk, worker=world.worker_a.pk, emp=world.emp_a.pk)
    client = login(getattr(world, who))
    grow(world, 3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(world, 30, offset=100)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), [q["sql"][:150] for q in large.captured_queries]


def test_region_from_key(world):
    assert selectors.region_from_key(world.town_a.code) == world.town_a
    assert selectors.region_from_key(str(world.town_a.pk)) == world.town_a
    assert selectors.region_from_key("330603") == world.county
    assert selectors.region_from_key("abc") is None
    assert selectors.region_from_key("999999999") is None
    assert selectors.region_from_key(world.town_b.code, Region.objects.visible_to(world.officer_a)) is None
