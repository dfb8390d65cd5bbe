"""Odd page parameters never give a server error (issue 13 item 23) and a list page never renders
more than the platform's cap of rows (item 15).

Every list page and every API list route is found from the URL resolver, the scope matrix's way
(routes added later are covered without editing this file). Each is asked for odd ``page``,
``per_page``/``page_size`` and ``sort``/``ordering`` values, and each of its filters for huge
integers, negatives, non-numbers and unicode, one filter at a time (a filter that refuses its value
would otherwise hide the others). Any 5xx fails, naming the URL."""
from datetime import date

import pytest
from django.urls import reverse

from concord.core import generic, tables
from concord.registry.models import Employment, Enterprise

from tests.conftest import credit_code
from tests.test_scope_matrix import routes

ODD_NUMBERS = ["-1", "0", "9223372036854775808", "-9223372036854775809", "99999999999999999999999", "1e400", "1.5",
               "abc", "１２", "😀", "%00", " "]
ODD_SORTS = ["nonexistent", "-", "--name", "name__pk", "😀", "pk,-pk", "?"]
ODD_FILTER_VALUES = ["9223372036854775808", "-9223372036854775809", "-1", "99999999999999999999999", "abc", "😀",
                     "1e400", "2026-13-45", "x" * 300]


def list_pages():
    """(name, url, view class) of every list page: a route without parameters whose view is the
    generic list view."""
    out = []
    for pattern, _route, name in routes():
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is None or not issubclass(view_class, generic.ObjectListView) or pattern.pattern.regex.groupindex:
            continue
        out.append((name, reverse(name), view_class))
    return out


def api_lists():
    """(name, url, viewset class) of every API list route."""
    out = []
    for pattern, _route, name in routes():
        cls = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None) or {}
        if cls is None or actions.get("get") != "list" or pattern.pattern.regex.groupindex:
            continue
        out.append((name, reverse(name), cls))
    return out


def page_filter_names(view_class):
    filterset_class = getattr(view_class, "filterset_class", None)
    return sorted(filterset_class.base_filters) if filterset_class is not None else []


def api_filter_names(cls):
    from django_filters.rest_framework import DjangoFilterBackend

    view = cls()
    view.request = None
    view.format_kwarg = None
    view.action = "list"
    view.kwargs = {}
    queryset = cls.queryset
    filterset_class = DjangoFilterBackend().get_filterset_class(view, queryset)
    return sorted(filterset_class.base_filters) if filterset_class is not None else []


def assert_no_server_error(client, url, params, problems):
    response = client.get(url, params)
    if response.status_code >= 500:
        problems.append(f"GET {url} {params}: {response.status_code}")
    return response


def test_routes_are_found():
    assert len(list_pages()) > 20
    assert len(api_lists()) > 15


@pytest.mark.django_db
def test_odd_page_parameters_never_give_a_server_error(world, login):
    client = login(world.admin)
    client.raise_request_exception = False  # collect every 5xx, not only the first
    problems = []
    for _name, url, view_class in list_pages():
        for value in ODD_NUMBERS:
            for param in ("page", "per_page"):
                assert_no_server_error(client, url, {param: value}, problems)
        for value in ODD_SORTS:
            assert_no_server_error(client, url, {"sort": value}, problems)
        for flt in page_filter_names(view_class):
            for value in ODD_FILTER_VALUES:
                assert_no_server_error(client, url, {flt: value}, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_odd_api_parameters_never_give_a_server_error(world, login):
    client = login(world.admin)
    client.raise_request_exception = False  # collect every 5xx, not only the first
    problems = []
    for _name, url, cls in api_lists():
        for value in ODD_NUMBERS:
            for param in ("page", "page_size"):
                response = assert_no_server_error(client, url, {param: value}, problems)
                if response.status_code >= 400 and response.status_code < 500:
                    assert response.status_code in (400, 404), f"GET {url} {param}={value}: {response.status_code}"
        for value in ODD_SORTS:
            assert_no_server_error(client, url, {"ordering": value}, problems)
        for flt in api_filter_names(cls):
            for value in ODD_FILTER_VALUES:
                response = assert_no_server_error(client, url, {flt: value}, problems)
                if response.status_code == 400:
                    assert response.json(), f"GET {url} {flt}={value}: a 400 without a message"
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_per_page_is_capped_on_the_pages(world, login):
    cap = tables.max_per_page()
    Enterprise.objects.bulk_create([
        Enterprise(credit_code=credit_code(1000 + i), name=f"Alpha批量{i:04d}有限公司", region=world.town_a)
        for i in range(cap + 30)
    ])
    client = login(world.admin)
    response = client.get(reverse("registry:enterprise_list"), {"per_page": "100000"})
    assert response.status_code == 200
    rows = response.context["table"].paginated_rows
    assert len(list(rows)) == cap
    # A negative or zero count is the default page, not an error.
    for value in ("-1", "0"):
        response = client.get(reverse("registry:enterprise_list"), {"per_page": value})
        assert response.status_code == 200
        assert 0 < len(list(response.context["table"].paginated_rows)) <= cap


@pytest.mark.django_db
def test_api_page_size_is_capped(world, login):
    Enterprise.objects.bulk_create([
        Enterprise(credit_code=credit_code(3000 + i), name=f"Alpha接口{i:04d}有限公司", region=world.town_a)
        for i in range(520)
    ])
    client = login(world.admin)
    response = client.get("/api/enterprises/", {"page_size": "100000"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 500


# --- odd request bodies and operations (item 23) --------------------------------------------------

@pytest.mark.django_db
def test_deleting_a_referenced_record_is_a_conflict_naming_what_refers_to_it(world, login):
    client = login(world.admin)
    response = client.delete(f"/api/enterprises/{world.ent_a.pk}/")
    assert response.status_code == 409, response.content
    detail = response.json()["detail"]
    assert "1" in detail and str(Employment._meta.verbose_name) in detail
    assert Enterprise.objects.filter(pk=world.ent_a.pk).exists()
    # In English too.
    response = client.delete(f"/api/enterprises/{world.ent_a.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "employment" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", "[1, 2]", '"text"', "7"])
def test_a_body_that_is_not_an_object_is_a_bad_request(world, login, body):
    client = login(world.admin)
    for method in (client.patch, client.put):
        response = method(f"/api/enterprises/{world.ent_a.pk}/", data=body, content_type="application/json")
        assert response.status_code == 400, (method, body, response.content)
        assert response.json()["non_field_errors"]
    response = client.post("/api/enterprises/", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json()["non_field_errors"]


@pytest.mark.django_db
def test_a_payment_before_any_legal_parameter_is_a_bad_request(world, login):
    from concord.disputes import services
    from concord.disputes.models import Installment
    from tests.disputes_helpers import file_case

    case = services.case_mediate(services.case_accept(file_case(world), actor=world.officer_a), actor=world.officer_a)
    services.case_agree(case, actor=world.officer_a, signed_on=date.today(), effective_on=date.today(), amount=1000,
                        terms="一次付清")
    item = Installment.objects.get(agreement__case=case)
    response = login(world.officer_a).post(f"/api/installments/{item.pk}/pay/",
                                           {"paid_on": "1990-01-01", "paid_amount": "1000"}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "1990-01-01" in response.json()["detail"]
    item.refresh_from_db()
    assert item.paid_on is None


# --- the OpenAPI schema describes the routes as they answer -------------------------------------

def test_workflow_action_routes_are_described_as_they_are():
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    paths = document["paths"]
    accept = paths["/api/cases/{id}/accept/"]
    assert accept["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ActionCheck")
    body = accept["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert not body.endswith("/CaseDetail"), "POST takes the action's input, not the case"
    assert accept["post"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CaseDetail")
    checked = 0
    for path, item in paths.items():
        get = item.get("get")
        if get and "post" in item and "{id}" in path and get["responses"]["200"]["content"]["application/json"]["schema"].get("$ref", "").endswith("/ActionCheck"):
            post_body = item["post"].get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            detail = item["post"]["responses"]["200"]["content"]["application/json"]["schema"].get("$ref")
            assert post_body.get("$ref") != detail, f"{path}: POST described as taking the record it answers"
            checked += 1
    assert checked > 10
    # A read-only choice that may be blank lists the blank (the case's court-referral kind).
    case = document["components"]["schemas"]["CaseDetail"]["properties"]["court_referral_kind"]
    assert any(part.get("$ref", "").endswith("/BlankEnum") for part in case.get("oneOf", [])), case
    # The import route's refusal: the file's problems or the request's own errors.
    refusal = paths["/api/risk-signals/import/"]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert {r["$ref"].rsplit("/", 1)[1] for r in refusal["anyOf"]} == {"ImportResult", "ValidationError"}
