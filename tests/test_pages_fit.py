"""Issue 14 items 1, 7 and 8 on the server side: exports that follow the filters on screen, lists
that say how many rows they hold, and pages without dead ends."""
import csv
import io
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    """Collects the href of every <a> and the attributes of elements with an id."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if attrs.get("id"):
            self.ids[attrs["id"]] = attrs


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def export_hrefs(html: str) -> dict:
    ids = parse(html).ids
    return {key: ids[key]["href"] for key in ("export-xlsx", "export-csv", "export-unmasked") if key in ids}


# --- item 1: exports follow the filters --------------------------------------------------------------

def test_htmx_filter_swap_carries_the_filtered_export_links(world, login):
    client = login(world.admin)
    response = client.get("/registry/workers/", {"enterprise": world.ent_a.credit_code, "page": "2"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="export-links"' in html and 'hx-swap-oob="true"' in html
    links = export_hrefs(html)
    assert set(links) == {"export-xlsx", "export-csv", "export-unmasked"}
    for href in links.values():
        assert f"enterprise={world.ent_a.credit_code}" in href
        assert "page=" not in href  # an export is the whole filtered list, not one page


def test_the_filtered_export_link_downloads_only_the_filtered_rows(world, login):
    client = login(world.officer_a)
    html = client.get("/registry/workers/", {"enterprise": world.ent_a.credit_code}, HTTP_HX_REQUEST="true").content.decode()
    href = export_hrefs(html)["export-csv"]
    rows = list(csv.reader(io.StringIO(client.get("/registry/workers/" + href).content.decode("utf-8-sig"))))
    names = [row for row in rows[1:] if row]
    assert len(names) == 1 and "Alpha职工" in names[0]
    # the unfiltered list of the town has both of its workers
    rows = list(csv.reader(io.StringIO(client.get("/registry/workers/?export=csv").content.decode("utf-8-sig"))))
    assert len([row for row in rows[1:] if row]) == 2


def test_full_page_keeps_the_filters_in_its_export_links(world, login):
    client = login(world.admin)
    html = client.get("/disputes/cases/", {"q": "8348"}).content.decode()
    links = export_hrefs(html)
    assert links and all("q=8348" in href for href in links.values())


# --- item 8: no dead ends -----------------------------------------------------------------------------

class _Page(HTMLParser):
    """Links and the actions of POST forms on a page."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.post_actions = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.post_actions.append(attrs.get("action") or "")
        for key in ("hx-post", "hx-put", "hx-delete"):
            if attrs.get(key):
                self.post_actions.append(attrs[key])


# POST forms every signed-in user has: signing out, the language switch and showing a masked
# value (logged; the auditor may).
EVERYONE_POSTS = ("/accounts/logout/", "/i18n/setlang/", "/reveal/")
EVERYONE_POST_PAGES = ("/accounts/password/",)  # their own password


def start_pages(world):
    """Every page route without parameters, and every detail-like route on the user's town-A sample."""
    from tests.test_scope_matrix import build_url, routes, samples, view_model

    table = samples(world)
    urls = []
    for pattern, _route, name in routes():
        keys = list(pattern.pattern.regex.groupindex)
        model, _action = view_model(pattern.callback)
        if "pk" in keys:
            if model not in table or table[model][0] is None or "reveal" in name:
                continue
            url = build_url(name, keys, model, table[model][0])
        else:
            url = build_url(name, keys, model, None)
        if url.startswith("/api/") or url.startswith("/accounts/logout") or "/bench/" in url:
            continue
        urls.append(url)
    return urls


def walk_for_dead_ends(client, start):
    """GET every start page the user can open, then every internal link on those pages (once);
    returns the links that answered 403/404 and the POST actions offered."""
    from urllib.parse import urljoin, urlsplit

    dead, posts, seen = [], set(), set()
    pages = []
    for url in start:
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            pages.append((url, response.content.decode()))
    for url, html in pages:
        page = _Page()
        page.feed(html)
        posts.update((url, action) for action in page.post_actions)
        for href in page.hrefs:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or parts.scheme not in ("", "http") or not parts.path.startswith("/") or href.startswith("#"):
                continue
            if "export=" in parts.query or parts.path.startswith(("/static/", "/media/", "/api/", "/accounts/logout")):
                continue
            key = parts.path + "?" + parts.query
            if key in seen:
                continue
            seen.add(key)
            code = client.get(key).status_code
            if code in (403, 404):
                dead.append((url, href, code))
    return dead, posts


@pytest.mark.parametrize("who", ["auditor", "court", "worker_user", "union_a"])
def test_no_link_leads_to_a_refusal(world, login, who):
    dead, _posts = walk_for_dead_ends(login(getattr(world, who)), start_pages(world))
    assert not dead, "links that answer 403/404:\n" + "\n".join(map(str, dead))


def test_the_auditor_is_offered_no_write(world, login):
    _dead, posts = walk_for_dead_ends(login(world.auditor), start_pages(world))
    offered = sorted({(page, action) for page, action in posts 
                      if not any(p in action for p in EVERYONE_POSTS) and page not in EVERYONE_POST_PAGES})
    assert not offered, "write actions offered to the auditor:\n" + "\n".join(map(str, offered))


def test_404_and_403_pages_are_localised_in_the_layout(world, login):
    client = login(world.officer_a)
    response = client.get("/registry/enterprises/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="error-404"' in html and "页面不存在" in html and 'id="mainnav"' in html
    # the English interface
    client.cookies["django_language"] = "en"
    html = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page not found" in html


def test_403_page(world, rf):
    from django.core.exceptions import PermissionDenied
    from django.utils import translation
    from django.views.defaults import permission_denied

    request = rf.get("/")
    request.user = world.officer_a
    with translation.override("zh-hans"):
        response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403 and "无权操作" in response.content.decode()


def test_500_page_needs_no_database_and_no_request(rf, django_assert_num_queries):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("zh-hans"), django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "服务器错误" in html and "concord.css" in html


# --- item 8: the import template and the problems file ------------------------------------------------

def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("url, kind", [("/registry/import/template/?kind=workers", "workers"),
                                       ("/registry/import/template/?kind=enterprises", "enterprises"),
                                       ("/alerts/import/template/", None)])
def test_template_text_columns_widths_and_drop_downs(world, login, url, kind):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from concord.core import imports

    response = login(world.admin).get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    spec = imports.KINDS[kind].spec if kind else imports.KINDS["partner_signals" if "partner_signals" in imports.KINDS else
                                                                    next(k for k in imports.KINDS if k not in ("workers", "enterprises"))].spec
    validations = list(sheet.data_validations.dataValidation)
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        assert headers[index - 1] == column.title()
        parser = column.parser
        if isinstance(parser, imports.Text) and parser.max_length == 18:  # ID number / credit code
            assert sheet[f"{letter}2"].number_format == "@" and sheet[f"{letter}500"].number_format == "@"
            assert sheet.column_dimensions[letter].width >= 22
        offered = imports.dropdown_values(parser)
        covering = [v for v in validations if f"{letter}2" in v.sqref]
        if offered and not column.readonly:
            assert len(covering) == 1 and covering[0].type == "list"
            formula = covering[0].formula1
            if formula.startswith('"'):
                assert formula.strip('"').split(",") == offered
            else:  # a long list on the hidden sheet
                lists = book["lists"]
                assert lists.sheet_state == "hidden"
                ref = formula.split("!")[1].replace("$", "")
                values = [c.value for row in lists[ref] for c in row]
                assert values == offered
        else:
            assert not covering


def test_drop_down_values_are_read_back_by_the_import(world):
    from concord.core import imports

    for kind in imports.KINDS.values():
        for column in kind.spec.columns:
            for value in imports.dropdown_values(column.parser):
                column.parser(value)  # raises CellError if a value offered would be refused


def test_a_dry_runs_problems_download_as_excel_with_reasons_next_to_each_row(world, login):
    from openpyxl import load_workbook

    from concord.registry import io as registry_io
    from tests.conftest import id_number

    spec = registry_io.WORKER_FILE
    titles = [c.title() for c in spec.columns]
    good = {"id_number": id_number("522422", "19960101", 601), "name": "新职工", "enterprise_code": world.ent_a.credit_code,
            "start_date": "2025-03-01"}
    bad = {**good, "id_number": id_number("341222", "19900606", 602), "name": "坏电话", "phone": "1"}
    rows = [titles] + [[record.get(c.key, "") for c in spec.columns] for record in (good, bad)]
    client = login(world.officer_a)
    upload = io.BytesIO(_xlsx(rows))
    upload.name = "职工.xlsx"
    response = client.post("/registry/import/workers/", {"file": upload})
    html = response.content.decode()
    assert 'id="import-problems"' in html
    href = parse(html).ids["problems-download"]["href"].replace("&amp;", "&")
    download = client.get(href)
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(download.content)).worksheets[0]
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0][1:-1] == titles and table[0][0] and table[0][-1]
    assert len(table) == 2  # only the row with a problem
    row = table[1]
    assert row[0] == 3 and row[1 + titles.index(spec.by_key["name"].title())] == "坏电话"
    phone_title = spec.by_key["phone"].title()
    assert phone_title in row[-1]
    # the link is for this user only
    assert login(world.admin).get(href).status_code == 302
