"""Chinese everywhere in the Chinese interface, English everywhere in the English one (issue 14 item 6).

The county administrator walks every page the URL resolver knows (the list, add and other pages
without a record, as the scope matrix finds them) and the detail and edit pages of the world's records
(the scope matrix's samples), once in Chinese and once in English. In Chinese no page shows
django's "---------" empty choice, a raw snake_case name (``accepted_on``, ``mediation_days``) or
Python dict text; in English every form label and table header starts with a capital letter and has
no Chinese in it.
"""
import re

import lxml.html
import pytest
from django.urls import reverse

from test_scope_matrix import PUBLIC, build_url, routes, samples, view_model

# Identifiers that legitimately appear as text: the world's usernames and the periodic jobs' names.
ALLOWED_SNAKE = {"county_boss", "alpha_officer", "bravo_officer", "alpha_union", "auditor_x", "court_x", "alpha_worker"}
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
SKIP_SUFFIXES = ("reveal", "delete", "logout")
# The indicator editor edits its method parameters as JSON: their keys are what one types there.
PAGE_IDENTIFIERS = {"harmony:indicator_edit": {"per_point", "per_case"}}


def pages(world):
    """(route name, url) of every HTML page the county administrator can open."""
    table = samples(world)
    for pattern, route, name in routes():
        short = name.split(":")[-1]
        if short in PUBLIC or route.startswith("api/") or short.endswith(SKIP_SUFFIXES):
            continue
        model, _ = view_model(pattern.callback)
        keys = list(pattern.pattern.regex.groupindex)
        if "pk" not in keys:
            yield name, build_url(name, keys, model, None)
        elif short.endswith(("_detail", "_edit")) and model in table:
            yield name, build_url(name, keys, model, table[model][0])


def visible_text(tree):
    # A textarea holds the value being edited (data), not the page's own words.
    for bad in tree.xpath("//script|//style|//head|//textarea"):
        bad.drop_tree()
    return " ".join(tree.text_content().split())


def context(text, word):
    at = re.search(rf"\b{word}\b", text).start()
    return repr(text[max(0, at - 25):at + len(word) + 15])


def fetch_all(world, client):
    seen = 0
    for name, url in pages(world):
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html") or response.streaming:
            continue
        seen += 1
        yield name, url, lxml.html.fromstring(response.content.decode())
    assert seen > 60, f"only {seen} pages answered: the crawl lost its way"


def known_identifiers(world):
    from concord.core.models import JobRun

    return ALLOWED_SNAKE | {part for job in JobRun.objects.values_list("name", flat=True) for part in SNAKE.findall(job)}


@pytest.mark.django_db
def test_chinese_pages_show_no_raw_names_dicts_or_dashes(world, login):
    client = login(world.admin)
    client.cookies["django_language"] = "zh-hans"
    from concord.core.models import CalendarYear

    CalendarYear.objects.create(year=2025, source="chinesecalendar 1.11.0")  # as load_calendar --from-package stores it
    calendar = client.get(reverse("core:calendaryear_list")).content.decode()
    assert "国务院办公厅" in calendar and "1.11.0" in calendar  # the notices named, with the package that collected them
    allowed = known_identifiers(world)
    problems = []
    for name, url, tree in fetch_all(world, client):
        text = visible_text(tree)
        if "---------" in text:
            problems.append(f"{url}: an empty choice reads ---------")
        raw = sorted(set(SNAKE.findall(text)) - allowed - PAGE_IDENTIFIERS.get(name, set()))
        if raw:
            problems.append(f"{url}: raw names " + "; ".join(context(text, word) for word in raw[:8]))
        if "{'" in text or '{"' in text:
            problems.append(f"{url}: dict text {text[text.find('{'):][:60]!r}")
    assert not problems, "\n".join(problems)


def data_names():
    """Names of reference rows that pages use as headers (enterprise classes, indicator groups,
    tiers): data in the county's language, not interface text. (So are the provinces heading the
    rows of an enterprise's "where its workers come from" table, ``#origins``.)"""
    from concord.harmony.models import EnterpriseClass, IndicatorGroup, Tier

    return {str(name) for model in (EnterpriseClass, IndicatorGroup, Tier) for name in model.objects.values_list("name", flat=True)}


@pytest.mark.django_db
def test_english_labels_and_headers_are_capitalised_english(world, login):
    client = login(world.admin)
    client.cookies["django_language"] = "en"
    data = data_names()
    problems = []
    for name, url, tree in fetch_all(world, client):
        for node in tree.xpath("//label[@for]|//th|//div[contains(@class, 'card-header')]|//dt"):
            label = " ".join(node.text_content().split()).rstrip("*").strip()
            if not label:
                continue
            if label in data or (node.tag == "label" and node.xpath(".//input")) or node.xpath("ancestor::table[@id='origins']"):
                continue  # a record's name as a header, or an option of a checkbox list: data, not a label
            if CJK.search(label) and node.tag in ("label", "th", "dt"):
                problems.append(f"{url}: {node.tag} {label!r} has Chinese in it")
            elif label[0].isalpha() and label[0].islower():
                problems.append(f"{url}: {node.tag} {label!r} starts in lower case")
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.django_db
def test_a_case_timeline_names_changed_fields_by_their_labels(world, login):
    """The issue's example: accepting a case used to read "update status, accepted_on, deadline"."""
    from django.utils import translation

    from concord.core.models import ChangeLogEntry
    from concord.disputes import services
    from concord.disputes.models import Case

    case = services.case_file(actor=world.officer_a, source="walk_in", respondent=world.ent_a, category=5,
                              subcategory="wage_arrears", facts="Alpha欠薪",
                              claimants=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number, world.worker_a.phone)])
    services.case_accept(case, actor=world.officer_a)
    entry = ChangeLogEntry.objects.filter(object_pk=str(case.pk), action=ChangeLogEntry.Action.UPDATE).first()
    assert {"status", "accepted_on"} <= set(entry.changes_dict)
    client = login(world.admin)

    def timeline():
        page = lxml.html.fromstring(client.get(reverse("disputes:case_detail", args=[case.pk])).content.decode())
        return " ".join(page.get_element_by_id("timeline").text_content().split())

    text = timeline()
    # The fields' order is the stored one (PostgreSQL's jsonb keeps its own): any order, by label.
    assert "accepted_on" not in text and re.search(r"修改 [^·]*状态、", text) and re.search(r"修改 [^·]*受理日期", text), text
    client.cookies["django_language"] = "en"
    text = timeline()
    assert "accepted_on" not in text and re.search(r"Update [^·]*status", text) and re.search(r"Update [^·]*accepted on", text), text
    with translation.override("zh-hans"):
        from concord.core import audit

        assert "、" in audit.changed_fields(entry) and "accepted_on" not in audit.changed_fields(entry)
    assert Case.objects.filter(pk=case.pk, status="accepted").exists()


@pytest.mark.django_db
def test_empty_choices_read_all_after_the_api_schema_built_the_filters_fields(world, login):
    """drf-spectacular reads a filter set's class-level form fields; the pages' copies must still
    read 全部 (a full run failed this way, the page crawl alone did not)."""
    from concord.disputes.filters import CaseFilter

    for flt in CaseFilter.base_filters.values():
        flt.field  # noqa: B018 - builds and caches the form field, as the schema generator does
    client = login(world.admin)
    client.cookies["django_language"] = "zh-hans"
    assert "---------" not in client.get("/disputes/cases/").content.decode()
