"""Security baseline and the REST API contract."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_login_required_everywhere_but_login_and_health(client):
    assert client.get("/").status_code == 302
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/health/").json() == {"status": "ok"}


@pytest.mark.django_db
def test_lockout_after_repeated_failures(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "alpha_officer", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "alpha_officer", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert client.get("/").status_code == 302  # still not signed in
    from concord.core.attention import items_for

    locked = [i for i in items_for(world.admin) if i.level == "danger"]
    assert locked and locked[0].count == 1
    assert not [i for i in items_for(world.officer_a) if i.level == "danger"]
    api = Client().post("/api/auth/token/", {"username": "alpha_officer", "password": PASSWORD}, content_type="application/json")
    assert api.status_code in (400, 403, 429) and "token" not in api.content.decode()


@pytest.mark.django_db
def test_password_validators_refuse_weak_passwords(world, login):
    client = login(world.admin)
    response = client.post("/core/users/add/", {"username": "newbie", "name": "新人", "password": "12345678",
                                                "role": "town_officer", "region": world.town_a.pk})
    assert response.status_code == 200
    from concord.core.models import User

    assert not User.objects.filter(username="newbie").exists()
    response = client.post("/core/users/add/", {"username": "newbie", "name": "新人", "password": "Strong-Pass-2026!",
                                                   "role": "town_officer", "region": world.town_a.pk})
    assert response.status_code == 302


def test_session_and_header_settings():
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 3600
    assert settings.SESSION_COOKIE_HTTPONLY and settings.X_FRAME_OPTIONS == "DENY"
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_secure_headers_on_responses(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_production_profile_passes_check_deploy():
    env = {k: v for k, v in os.environ.items() if k not in ("CONCORD_TESTING", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
               ALLOWED_HOSTS="concord.example.gov.cn", DJANGO_SETTINGS_MODULE="concord.settings", CONCORD_DATA_DIR=str(ROOT / "var" / "deploy-check"))
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_serve_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("CONCORD_TESTING", "DEBUG", "SECRET_KEY")}
    env.update(DJANGO_SETTINGS_MODULE="concord.settings", CONCORD_DATA_DIR=str(ROOT / "var" / "deploy-check"))
    served = subprocess.run([sys.executable, "-c", "import concord.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert served.returncode != 0 and "SECRET_KEY" in served.stderr
    checked = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert checked.returncode != 0 and "concord.E001" in checked.stderr + checked.stdout


@pytest.mark.django_db
def test_token_auth_and_pagination(world):
    client = Client()
    response = client.post("/api/auth/token/", {"username": "alpha_officer", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    page = api.get("/api/enterprises/?page_size=1").json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]
    big = api.get("/api/regions/?page_size=10000")
    assert big.status_code == 200
    from concord.core.api.pagination import Pagination

    assert Pagination.max_page_size == 500
    assert Client(HTTP_AUTHORIZATION="Token nonsense").get("/api/enterprises/").status_code == 401


@pytest.mark.django_db
def test_schema_and_docs(world, login):
    client = login(world.officer_a)
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for route in ("/api/regions/", "/api/enterprises/", "/api/workers/", "/api/employments/", "/api/auth/token/"):
        assert route in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()


@pytest.mark.django_db
def test_api_validation_errors_are_field_named(world, login):
    client = login(world.officer_a)
    response = client.post("/api/workers/", {"name": "新职工", "id_number": "330603199001011230"}, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and "id_number" in response.json()
