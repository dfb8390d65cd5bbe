"""API tokens (issue 13 item 14): a lifetime, revocation on password change and deactivation and by
their owner; the sign-in lockout behind the documented nginx (trusted proxies only)."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from knox.models import AuthToken

from concord.core.models import Event, User
from tests.conftest import PASSWORD

PROXY = "10.0.5.2"  # the nginx of README "Deployment"


def get_token(username="alpha_officer", password=PASSWORD, client=None, **extra):
    client = client or Client()
    return client.post("/api/auth/token/", {"username": username, "password": password}, content_type="application/json", **extra)


def api(token):
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def works(token) -> bool:
    status = api(token).get("/api/enterprises/").status_code
    assert status in (200, 401), status
    return status == 200


@pytest.mark.django_db
def test_every_sign_in_gets_a_new_token_with_an_expiry(world):
    first, second = get_token(), get_token()
    assert first.status_code == second.status_code == 200
    assert set(first.json()) == {"token", "expiry"}
    assert first.json()["token"] != second.json()["token"]  # DRF authtoken returned the same one forever
    row = AuthToken.objects.filter(user=world.officer_a).order_by("created").first()
    lifetime = row.expiry - row.created
    assert abs(lifetime - settings.REST_KNOX["TOKEN_TTL"]) < timedelta(minutes=1)
    assert settings.REST_KNOX["TOKEN_TTL"] == timedelta(hours=12)
    # Stored only as a hash: the database does not hold a usable token.
    assert not AuthToken.objects.filter(digest=first.json()["token"]).exists()
    assert works(first.json()["token"]) and works(second.json()["token"])


@pytest.mark.django_db
def test_an_expired_token_is_refused(world):
    token = get_token().json()["token"]
    AuthToken.objects.filter(user=world.officer_a).update(expiry=timezone.now() - timedelta(seconds=1))
    assert not works(token)
    assert not AuthToken.objects.filter(user=world.officer_a).exists()  # and cleaned up


@pytest.mark.django_db
def test_changing_the_password_revokes_every_token(world, login):
    stolen, other = get_token().json()["token"], get_token().json()["token"]
    bystander = get_token("bravo_officer").json()["token"]
    page = login(world.officer_a)
    response = page.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Another-Pass-2027!",
                                                 "new_password2": "Another-Pass-2027!"})
    assert response.status_code == 302
    assert not works(stolen) and not works(other)
    assert works(bystander)
    assert get_token(password="Another-Pass-2027!").status_code == 200
    # Any other way of setting a password (manage.py changepassword, a script) ends in save() too.
    token = get_token(password="Another-Pass-2027!").json()["token"]
    user = User.objects.get(pk=world.officer_a.pk)
    user.set_password("Third-Pass-2028!")
    user.save()
    assert not works(token)


@pytest.mark.django_db
def test_deactivating_an_account_revokes_its_tokens(world, login):
    token = get_token().json()["token"]
    admin = login(world.admin)
    response = admin.post(f"/core/users/{world.officer_a.pk}/edit/", {"name": "Alpha站长", "phone": "", "email": ""})
    assert response.status_code == 302
    assert not User.objects.get(pk=world.officer_a.pk).is_active
    assert not AuthToken.objects.filter(user=world.officer_a).exists()
    assert not works(token)


@pytest.mark.django_db
def test_signing_in_does_not_revoke_other_tokens(world):
    token = get_token().json()["token"]
    for _ in range(2):
        assert get_token().status_code == 200  # last_login is saved on each sign-in
    Client().post("/accounts/login/", {"username": "alpha_officer", "password": PASSWORD})
    assert works(token)


@pytest.mark.django_db
def test_a_user_revokes_their_own_tokens_by_api(world):
    laptop, script, phone = (get_token().json()["token"] for _ in range(3))
    response = api(laptop).post("/api/auth/logout/")
    assert response.status_code == 204
    assert not works(laptop) and works(script) and works(phone)
    response = api(script).post("/api/auth/logoutall/")
    assert response.status_code == 204
    assert not works(script) and not works(phone)
    assert Client().post("/api/auth/logout/").status_code == 401


@pytest.mark.django_db
def test_the_account_page_lists_and_revokes_all_my_tokens(world, login):
    tokens = [get_token().json()["token"] for _ in range(2)]
    theirs = get_token("bravo_officer").json()["token"]
    page = login(world.officer_a)
    response = page.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.content.decode().count("<tr><td>") == 2 and "Revoke all my API tokens" in response.content.decode()
    assert page.get("/accounts/tokens/revoke/").status_code == 405
    response = page.post("/accounts/tokens/revoke/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "2 API tokens revoked." in response.content.decode()
    assert not any(works(t) for t in tokens)
    assert works(theirs)
    assert "You have no active API tokens." in page.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def fail_five_times(make_client, username="alpha_officer", path="/accounts/login/"):
    for i in range(settings.AXES_FAILURE_LIMIT):
        client = make_client(i)
        if path == "/accounts/login/":
            client.post(path, {"username": username, "password": "wrong-password"})
        else:
            client.post(path, {"username": username, "password": "wrong-password"}, content_type="application/json")


def signs_in(client, username="alpha_officer") -> bool:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    return response.status_code == 302 and client.get("/").status_code == 200


def behind_proxy(client_address, claimed=None):
    # nginx's $proxy_add_x_forwarded_for: whatever the client sent, then the address nginx saw.
    forwarded = f"{claimed}, {client_address}" if claimed else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_the_proxy_the_lockout_keys_on_the_client_address(world):
    fail_five_times(lambda i: behind_proxy("203.0.113.7"))
    assert not signs_in(behind_proxy("203.0.113.7"))
    assert get_token(client=behind_proxy("203.0.113.7")).status_code == 400  # the token endpoint too
    # The owner, from their own desk behind the same proxy, still signs in (on the old code every
    # client had the proxy's address and this was refused).
    assert signs_in(behind_proxy("198.51.100.9"))
    assert get_token(client=behind_proxy("198.51.100.9")).status_code == 200


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=[PROXY])
def test_a_client_rotating_x_forwarded_for_through_the_proxy_is_still_locked(world):
    fail_five_times(lambda i: behind_proxy("203.0.113.7", claimed=f"192.0.2.{i + 1}"))
    assert not signs_in(behind_proxy("203.0.113.7", claimed="192.0.2.200"))
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=[PROXY])
def test_x_forwarded_for_from_an_untrusted_address_is_ignored(world):
    # Straight at the app server, not through the proxy: the header is the attacker's own words.
    fail_five_times(lambda i: Client(REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 1}"))
    assert not signs_in(Client(REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="192.0.2.99"))
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.50"}


@pytest.mark.django_db
def test_without_trusted_proxies_the_header_is_ignored(world):
    assert settings.TRUSTED_PROXIES == []
    fail_five_times(lambda i: Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 1}"))
    assert not signs_in(Client(HTTP_X_FORWARDED_FOR="192.0.2.99"))


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=[PROXY])
def test_token_endpoint_failures_count_towards_the_lockout(world):
    fail_five_times(lambda i: behind_proxy("203.0.113.7"), path="/api/auth/token/")
    response = get_token(client=behind_proxy("203.0.113.7"))
    assert response.status_code == 400 and "token" not in response.json()
    assert not signs_in(behind_proxy("203.0.113.7"))


@pytest.mark.django_db
def test_an_administrator_unlocks_a_locked_user(world, login):
    fail_five_times(lambda i: Client())
    assert not signs_in(Client())
    admin = login(world.admin)
    detail = admin.get(f"/core/users/{world.officer_a.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Unlock sign-in" in detail
    # Someone who may not change users cannot unlock (404 like any out-of-scope write).
    assert login(world.auditor).post(f"/core/users/{world.officer_a.pk}/unlock/").status_code == 404
    assert not signs_in(Client())
    response = admin.post(f"/core/users/{world.officer_a.pk}/unlock/")
    assert response.status_code == 302
    assert Event.objects.filter(verb="user.unlocked", object_id=str(world.officer_a.pk), actor=world.admin).exists()
    assert "Unlock sign-in" not in admin.get(f"/core/users/{world.officer_a.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert signs_in(Client())


@pytest.mark.django_db
def test_logout_from_a_browser_session_says_what_to_use(world, login):
    token = get_token().json()["token"]
    response = login(world.officer_a).post("/api/auth/logout/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "/api/auth/logoutall/" in response.json()["detail"]
    assert works(token)
    assert login(world.officer_a).post("/api/auth/logoutall/").status_code == 204
    assert not works(token)


@pytest.mark.parametrize("remote, forwarded, expected", [
    ("10.0.5.2", "203.0.113.7", "203.0.113.7"),                    # nginx saw the client
    ("10.0.5.2", "192.0.2.1, 203.0.113.7", "203.0.113.7"),         # the client's own claim stays on the left
    ("10.0.5.2", "203.0.113.7, 10.0.5.3", "203.0.113.7"),          # two proxies of ours (10.0.5.0/24)
    ("10.0.5.2", "", "10.0.5.2"),                                  # no header: the proxy itself
    ("10.0.5.2", "not-an-address", "10.0.5.2"),                    # malformed: never guessed
    ("203.0.113.50", "192.0.2.1", "203.0.113.50"),                 # not a trusted peer: header ignored
    ("2001:db8::5", "192.0.2.1", "2001:db8::5"),
])
def test_client_address_table(rf, remote, forwarded, expected):
    from concord.core.tokens import client_ip

    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXIES=["10.0.5.0/24"]):
        assert client_ip(request) == expected
