"""Content-Security-Policy (issue 13 item 15): a header on every page that allows scripts only from
this origin, and no inline script or inline event handler in any template or rendered page."""
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_scope_matrix import PUBLIC, build_url, routes, samples, view_model

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
# on*= attributes (onclick, onchange, onsubmit, onload, ...) and javascript: URLs. The lookbehind
# keeps data-on... and hx-on... names out of the way of the first; the latter would need eval anyway.
HANDLER = re.compile(r"""(?<![\w:-])on[a-z]+\s*=\s*["']""", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def inline_scripts(html: str) -> list[str]:
    """Executable <script> elements without src (a JSON data block from json_script is not code)."""
    found = []
    for match in SCRIPT_TAG.finditer(html):
        attrs = match.group(1)
        if re.search(r"\bsrc\s*=", attrs, re.I) or re.search(r"""type\s*=\s*["']application/(ld\+)?json["']""", attrs, re.I):
            continue
        found.append(match.group(0))
    return found


def assert_strict(response, where):
    directives = policy(response)
    assert directives["script-src"] == ["'self'"], where
    assert directives["style-src"] == ["'self'"], where  # style elements: only our files
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"], where
    assert "'unsafe-eval'" not in response["Content-Security-Policy"], where


def template_files():
    dirs = [ROOT / "concord" / "templates", *(ROOT / "concord").glob("*/templates")]
    return sorted(p for d in dirs for p in d.rglob("*.html"))


def test_no_template_has_inline_script_or_handlers():
    files = template_files()
    assert len(files) > 50
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        # json_script renders a data block; a literal <script> without src in a template is code.
        problems += [f"{path.relative_to(ROOT)}: {tag}" for tag in inline_scripts(text)]
        problems += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in HANDLER.finditer(text)]
        problems += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in JS_URL.finditer(text)]
    assert not problems, "inline script the Content-Security-Policy refuses:\n" + "\n".join(problems)


def test_the_checks_find_what_they_look_for():
    assert inline_scripts('<script>alert(1)</script><script src="/static/x.js"></script>') == ["<script>"]
    assert inline_scripts('<script id="d" type="application/json">[1]</script>') == []
    assert HANDLER.search('<select onchange="this.form.submit()">') and not HANDLER.search('<div data-online="1" hx-on="x">')
    assert JS_URL.search('<a href="javascript:void(0)">')


@pytest.mark.django_db
def test_sign_in_page_has_the_policy(client):
    response = client.get("/accounts/login/")
    assert_strict(response, "/accounts/login/")
    assert not inline_scripts(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "worker_user"])  # the most pages, and the self-service ones
def test_every_page_has_the_policy_and_no_inline_script(world, login, who):
    client = login(getattr(world, who))
    table = samples(world)
    pages = 0
    for pattern, route, name in routes():
        if name.split(":")[-1] in PUBLIC or route.startswith("api/") and name != "api_docs":
            continue
        model, _ = view_model(pattern.callback)
        keys = list(pattern.pattern.regex.groupindex)
        if "field" in keys:
            continue  # reveal answers a fragment to a POST
        obj = table.get(model, (None, None))[0] if "pk" in keys else None
        if "pk" in keys and obj is None:
            continue
        url = build_url(name, keys, model, obj)
        response = client.get(url)
        assert "Content-Security-Policy" in response, url
        assert_strict(response, url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            body = b"".join(response.streaming_content) if response.streaming else response.content
            html = body.decode("utf-8", "replace")
            assert not inline_scripts(html), f"{url}: {inline_scripts(html)}"
            assert not HANDLER.search(html) and not JS_URL.search(html), url
            pages += 1
    assert pages >= (10 if who == "worker_user" else 40), pages


@pytest.mark.django_db
def test_api_docs_load_their_init_script_from_this_origin(world, login):
    client = login(world.officer_a)
    page = client.get("/api/docs/")
    assert page.status_code == 200 and not inline_scripts(page.content.decode())
    assert "<style" not in page.content.decode()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_policy_setting_is_strict_for_scripts():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
