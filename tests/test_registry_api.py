"""The registry API: /api/enterprises/, /api/workers/, /api/employments/ — filters, masking,
validation with the forms' rules, paging without counts, constant query counts, the schema."""
from datetime import date
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from concord.core.scope import Role
from concord.registry import forms, rules
from concord.registry.models import Employment, Enterprise, Worker
from tests.conftest import credit_code, id_number, make_user


def names(response):
    assert response.status_code == 200, response.content[:500]
    return {row["name"] for row in response.json()["results"]}


def worker_names(response):
    assert response.status_code == 200, response.content[:500]
    return {row["name"] for row in response.json()["results"]}


def employment_workers(response):
    assert response.status_code == 200, response.content[:500]
    ids = [row["worker"] for row in response.json()["results"]]
    return set(Worker.objects.filter(pk__in=ids).values_list("name", flat=True))


def zh(message) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(str(message))


@pytest.fixture
def data(world):
    d = {}
    d["dye"] = Enterprise.objects.create(credit_code=credit_code(11), name="Alpha染整", region=world.community_a, industry="C17D",
                                         size_class="medium", is_key_enterprise=True, contact_phone="13712345678")
    d["shop"] = Enterprise.objects.create(credit_code=credit_code(12), name="Alpha商店", region=world.town_a, industry="F",
                                          size_class="micro")
    d["wang"] = Worker.objects.create(id_number=id_number("411521", "19850607", 41), name="王建国", phone="13911112222",
                                      is_migrant=True, education="junior")
    d["wangx"] = Worker.objects.create(id_number=id_number("411521", "20010203", 43), name="王小明", is_migrant=True)
    Employment.objects.create(worker=d["wang"], enterprise=d["dye"], start_date=date(2024, 1, 1), contract_signed=True,
                              contract_type="open_ended", contract_start=date(2024, 1, 1), insured=True, monthly_wage=Decimal("6200"))
    Employment.objects.create(worker=d["wangx"], enterprise=d["shop"], start_date=date(2024, 1, 1))
    Employment.objects.create(worker=d["wangx"], enterprise=world.ent_b, start_date=date(2020, 1, 1), end_date=date(2021, 1, 1))
    return d


# --- enterprises ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query, expected",
    [
        ({"town": "{town_a_pk}"}, {"Alpha染整", "Alpha商店", "Alpha纺织有限公司", "Alpha印染有限公司"}),
        ({"town": "330603009"}, {"Alpha染整", "Alpha商店", "Alpha纺织有限公司", "Alpha印染有限公司"}),
        ({"town": "330603009001"}, {"Alpha染整"}),
        ({"town": "330603001"}, {"Bravo服饰有限公司"}),
        ({"town": "330603"}, {"Alpha染整", "Alpha商店", "Alpha纺织有限公司", "Alpha印染有限公司", "Bravo服饰有限公司"}),
        ({"industry": "C"}, {"Alpha染整"}),
        ({"industry": "c17"}, {"Alpha染整"}),
        ({"industry": "F"}, {"Alpha商店"}),
        ({"size_class": "micro"}, {"Alpha商店"}),
        ({"has_union": "true"}, {"Alpha纺织有限公司", "Bravo服饰有限公司"}),
        ({"is_key_enterprise": "true"}, {"Alpha染整"}),
        ({"search": "染"}, {"Alpha染整", "Alpha印染有限公司"}),
    ],
)
def test_enterprise_filters(world, data, login, query, expected):
    query = {k: v.format(town_a_pk=world.town_a.pk) for k, v in query.items()}
    assert names(login(world.admin).get("/api/enterprises/", query)) == expected


@pytest.mark.parametrize("query, field", [({"town": "330603001"}, "town"), ({"town": "42"}, "town"), ({"industry": "Z9"}, "industry"),
                                          ({"size_class": "huge"}, "size_class")])
def test_enterprise_filter_errors(world, login, query, field):
    response = login(world.officer_a).get("/api/enterprises/", query)  # town B is outside the officer's scope
    assert response.status_code == 400 and field in response.json()


def test_enterprise_read_masks_contact_phone(world, data, login):
    row = login(world.officer_a).get(f"/api/enterprises/{data['dye'].pk}/").json()
    assert row["contact_phone_masked"] == "137****5678" and "contact_phone" not in row
    assert row["region_name"] == "Alpha社区" and row["industry"] == "C17D" and row["is_key_enterprise"] is True
    assert "13712345678" not in str(row)


def test_enterprise_write_with_new_fields(world, login):
    client = login(world.officer_a)
    response = client.post("/api/enterprises/", {
        "credit_code": credit_code(600).lower(), "name": "Alpha接口厂", "region": world.town_a.pk, "industry": "C18",
        "ownership": "private", "size_class": "small", "contact_phone": "13600001111", "has_workers_congress": True,
    }, content_type="application/json")
    assert response.status_code == 201, response.json()
    ent = Enterprise.objects.get(name="Alpha接口厂")
    assert (ent.credit_code, ent.industry, ent.contact_phone, ent.has_workers_congress) == (credit_code(600), "C18", "13600001111", True)
    bad = client.post("/api/enterprises/", {"credit_code": credit_code(601), "name": "坏", "region": world.town_a.pk, "industry": "X"},
                      content_type="application/json")
    assert bad.status_code == 400 and "industry" in bad.json()


# --- workers --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query, expected",
    [
        ({"town": "330603009"}, {"王建国", "王小明", "Alpha职工", "AlphaPeer职工"}),
        ({"town": "330603009001"}, {"王建国"}),
        ({"town": "330603001"}, {"Bravo职工"}),  # 王小明 left the Bravo enterprise
        ({"enterprise": "{dye_pk}"}, {"王建国"}),
        ({"enterprise": credit_code(12)}, {"王小明"}),
        ({"is_migrant": "false"}, {"AlphaPeer职工"}),
        ({"generation": "1980"}, {"王建国", "AlphaPeer职工"}),
        ({"generation": "2000"}, {"王小明"}),
        ({"education": "junior"}, {"王建国"}),
        ({"hukou_province": "41"}, {"王建国", "王小明"}),
        ({"has_contract": "true"}, {"王建国"}),
        ({"has_contract": "false"}, {"王小明", "Alpha职工", "AlphaPeer职工", "Bravo职工"}),
        ({"insured": "true"}, {"王建国"}),
        ({"id_number": "{wang_id_lower}"}, {"王建国"}),
        ({"id_number": "{wang_id_part}"}, set()),
        ({"phone": "13911112222"}, {"王建国"}),
        ({"name": "王"}, {"王建国", "王小明"}),
        ({"name": "小明"}, {"王小明"}),  # any part of the name (issue 14)
        ({"search": "小明"}, {"王建国", "王小明", "Alpha职工", "AlphaPeer职工", "Bravo职工"}),  # no substring search at all
    ],
)
def test_worker_filters(world, data, login, query, expected):
    wang = data["wang"].id_number
    query = {k: v.format(dye_pk=data["dye"].pk, wang_id_lower=wang.lower(), wang_id_part=wang[:12]) for k, v in query.items()}
    assert worker_names(login(world.admin).get("/api/workers/", query)) == expected


def test_worker_filters_stay_in_scope(world, data, login):
    client = login(world.officer_a)
    assert worker_names(client.get("/api/workers/", {"town": "330603009"})) == {"王建国", "王小明", "Alpha职工", "AlphaPeer职工"}
    assert worker_names(client.get("/api/workers/", {"hukou_province": "36"})) == set()  # Bravo职工 is in town B
    # A region outside the caller's scope (another town, or the county above a town officer) is refused.
    for town in ("330603001", "330603", str(world.town_b.pk)):
        response = client.get("/api/workers/", {"town": town})
        assert response.status_code == 400 and "Bravo" not in response.content.decode()


def test_worker_reads_are_masked(world, data, login):
    row = login(world.officer_a).get(f"/api/workers/{data['wang'].pk}/").json()
    assert "id_number" not in row and "phone" not in row
    assert row["id_number_masked"] == data["wang"].id_number_masked and row["phone_masked"] == "139****2222"
    assert (row["generation"], row["hukou_province"], row["education"]) == ("1980", "41", "junior")


def test_worker_list_pages_without_a_count(world, login):
    for i in range(7):
        w = Worker.objects.create(id_number=id_number("362321", "19900101", 100 + i), name=f"翻页{i}")
        Employment.objects.create(worker=w, enterprise=world.ent_a, start_date=date(2024, 1, 1))
    client = login(world.admin)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/api/workers/", {"page_size": 4})
    body = first.json()
    assert set(body) == {"next", "previous", "results"} and len(body["results"]) == 4
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "registry_" in q["sql"]]
    assert body["next"].endswith("page=2&page_size=4") or "page=2" in body["next"]
    last = client.get("/api/workers/", {"page_size": 4, "page": 3}).json()
    assert last["next"] is None and last["previous"] and len(last["results"]) == 2  # 10 workers in all
    assert client.get("/api/workers/", {"page_size": 4, "page": 4}).status_code == 404


def test_worker_create_needs_and_makes_the_current_employment(world, login):
    client = login(world.officer_a)
    value = id_number("511321", "19990909", 93)
    missing = client.post("/api/workers/", {"name": "新职工", "id_number": value}, content_type="application/json")
    assert missing.status_code == 400 and {"enterprise", "start_date"} <= set(missing.json())
    response = client.post("/api/workers/", {"name": "新职工", "id_number": value.lower(), "phone": "13612345678",
                                             "enterprise": world.ent_a.pk, "start_date": "2025-03-01", "position": "Alpha挡车工"},
                           content_type="application/json")
    assert response.status_code == 201, response.json()
    worker = Worker.objects.get(id_number=value)
    assert (worker.hukou_province, worker.hukou_city) == ("51", "南充市")
    assert worker.employments.get().enterprise == world.ent_a
    foreign = client.post("/api/workers/", {"name": "越界", "id_number": id_number("511321", "19990909", 94),
                                            "enterprise": world.ent_b.pk, "start_date": "2025-03-01"}, content_type="application/json")
    assert foreign.status_code == 400 and "enterprise" in foreign.json()
    future = client.post("/api/workers/", {"name": "未来", "id_number": id_number("511321", "19990909", 95),
                                           "enterprise": world.ent_a.pk, "start_date": "2099-03-01"},
                         content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert future.status_code == 400 and future.json()["start_date"] == [zh(rules.EMPLOYMENT_MESSAGES["start_future"])]
    assert not Worker.objects.filter(name__in=["越界", "未来"]).exists()


def test_worker_update_keeps_employments_apart(world, login):
    response = login(world.officer_a).patch(f"/api/workers/{world.worker_a.pk}/", {"education": "college", "enterprise": world.ent_a2.pk},
                                            content_type="application/json")
    assert response.status_code == 400 and "enterprise" in response.json()
    response = login(world.officer_a).patch(f"/api/workers/{world.worker_a.pk}/", {"education": "college"}, content_type="application/json")
    assert response.status_code == 200 and Worker.objects.get(pk=world.worker_a.pk).education == "college"


@pytest.mark.parametrize("reason, bad", [
    ("checksum", lambda good: good[:17] + ("0" if good[17] != "0" else "1")),
    ("birthday", lambda good: (lambda b: b + rules.id_check_character(b))(good[:10] + "1331" + good[14:17])),
    ("length", lambda good: good[:16]),
])
def test_worker_id_number_errors_name_the_reason(world, login, reason, bad):
    value = bad(id_number("522422", "19950312", 91))
    response = login(world.officer_a).post("/api/workers/", {"name": "坏号", "id_number": value, "enterprise": world.ent_a.pk,
                                                             "start_date": "2025-01-01"},
                                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["id_number"] == [zh(forms.ID_NUMBER_MESSAGES[reason])]


# --- employments ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query, expected",
    [
        ({"town": "330603009"}, {"王建国", "王小明", "Alpha职工", "AlphaPeer职工"}),
        ({"town": "330603001"}, {"王小明", "Bravo职工"}),
        ({"town": "330603001", "current": "true"}, {"Bravo职工"}),
        ({"current": "false"}, {"王小明"}),
        ({"enterprise": credit_code(11)}, {"王建国"}),
        ({"worker": "{wang_pk}"}, {"王建国"}),
        ({"contract_signed": "true"}, {"王建国"}),
        ({"contract_type": "open_ended"}, {"王建国"}),
        ({"insured": "true"}, {"王建国"}),
    ],
)
def test_employment_filters(world, data, login, query, expected):
    query = {k: v.format(wang_pk=data["wang"].pk) for k, v in query.items()}
    assert employment_workers(login(world.admin).get("/api/employments/", query)) == expected


def test_employment_rows_carry_the_new_fields(world, data, login):
    rows = login(world.admin).get("/api/employments/", {"enterprise": credit_code(11)}).json()["results"]
    assert rows[0]["contract_type"] == "open_ended" and rows[0]["insured"] is True and rows[0]["monthly_wage"] == "6200.00"
    assert rows[0]["is_current"] is True


@pytest.mark.parametrize(
    "changes, field, code",
    [
        ({"contract_signed": True, "contract_type": "fixed_term", "contract_start": "2025-02-01"}, "contract_end", "fixed_term_needs_end"),
        ({"contract_signed": True, "contract_start": "2025-02-01"}, "contract_type", "contract_type_missing"),
        ({"contract_type": "task_based"}, "contract_signed", "contract_unsigned_details"),
        ({"contract_signed": True, "contract_type": "open_ended", "contract_start": "2025-02-01", "contract_end": "2026-01-01"},
         "contract_end", "open_ended_has_end"),
        ({"end_date": "2025-01-01"}, "end_date", "end_before_start"),
    ],
)
def test_employment_validation_uses_the_rules(world, login, changes, field, code):
    post = {"worker": world.peer_a.pk, "enterprise": world.ent_a.pk, "start_date": "2025-02-01", **changes}
    response = login(world.officer_a).post("/api/employments/", post, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()[field] == [zh(rules.EMPLOYMENT_MESSAGES[code])]


def test_employment_negative_wage_and_foreign_enterprise(world, login):
    client = login(world.officer_a)
    response = client.post("/api/employments/", {"worker": world.peer_a.pk, "enterprise": world.ent_b.pk, "start_date": "2025-02-01",
                                                 "monthly_wage": "-1"}, content_type="application/json")
    assert response.status_code == 400 and {"enterprise", "monthly_wage"} <= set(response.json())


# --- query counts and the schema ------------------------------------------------------------------

def grow(world, n, offset):
    for i in range(n):
        e = Enterprise.objects.create(credit_code=credit_code(1000 + offset + i), name=f"Alpha扩{offset + i}", region=world.town_a,
                                      industry="C17")
        w = Worker.objects.create(id_number=id_number("522422", "19900101", 400 + offset + i), name=f"扩{offset + i}", is_migrant=True)
        Employment.objects.create(worker=w, enterprise=e, start_date=date(2024, 1, 1), contract_signed=True, contract_type="open_ended",
                                  contract_start=date(2024, 1, 1), insured=True)
        Employment.objects.create(worker=w, enterprise=world.ent_a, start_date=date(2024, 2, 1))
        make_user(f"apigrow{offset + i}", Role.UNION_OFFICER, enterprise=e)


API_LISTS = [
    "/api/enterprises/?town=330603009&industry=C&has_union=false",
    "/api/workers/?town=330603009",
    "/api/workers/?name=扩",
    "/api/workers/?id_number={worker_id}",
    "/api/workers/?enterprise={ent_credit}&generation=1990&is_migrant=true&has_contract=false&insured=false",
    "/api/employments/?town=330603009&current=true&contract_signed=true",
    "/api/employments/?enterprise={ent_pk}",
]


@pytest.mark.parametrize("who", ["admin", "officer_a"])
@pytest.mark.parametrize("template", API_LISTS)
def test_api_query_count_does_not_grow_with_rows(world, login, who, template):
    url = template.format(worker_id=world.worker_a.id_number, ent_credit=world.ent_a.credit_code, ent_pk=world.ent_a.pk)
    client = login(getattr(world, who))
    grow(world, 3, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(world, 30, 100)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), [q["sql"][:150] for q in large.captured_queries]


def test_openapi_schema_builds_without_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning (an untyped field, an unknown filter) into an error.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    schema = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    params = {p["name"] for path in ("/api/workers/", "/api/employments/", "/api/enterprises/") for p in schema["paths"][path]["get"]["parameters"]}
    assert {"has_contract", "generation", "hukou_province", "contract_type", "is_key_enterprise", "town", "industry"} <= params
    pages = schema["components"]["schemas"]
    assert set(pages["PaginatedWorkerList"]["properties"]) == {"next", "previous", "results"}
    assert set(pages["PaginatedEmploymentList"]["properties"]) == {"next", "previous", "results"}
    assert "count" in pages["PaginatedEnterpriseList"]["properties"]
