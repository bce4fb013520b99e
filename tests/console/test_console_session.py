"""Console sessions over HTTP: sign-in, the cookie, expiry, sign-out, CSRF and origin checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bankbridge.clock import now
from bankbridge.domain.accounts import MAX_TOKEN_FAILURES
from console_user import COOKIE, ConsoleUser, session_cookie, sign_in_response
from helpers import HAL


def test_unauthenticated_pages_redirect_to_sign_in(client):
    for path in ("/console/", "/console/customers", "/console/customers/x?offset=3"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/console/sign-in?next=%2Fconsole%2F")
    page = client.get("/console/customers")
    assert page.status_code == 200
    assert '<input id="key" name="key"' in page.text
    assert 'value="/console/customers"' in page.text


def test_a_browser_at_the_root_is_sent_to_the_console(client, api):
    page = client.get("/", headers={"Accept": "text/html,*/*;q=0.8"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/console/"
    # API clients get what they always got.
    assert client.get("/", headers={"Accept": HAL}).status_code == 401
    assert api.get("/").json()["_links"]["customers"]["href"] == "http://testserver/customers"


def test_sign_in_sets_a_strict_http_only_cookie_that_expires_with_the_token(client, account):
    response = sign_in_response(
        client, account.application.key, account.secret, next="/console/customers"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console/customers"
    cookie = session_cookie(response)
    attributes = {part.strip().split("=", 1)[0].lower(): part for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"].strip().lower() == "samesite=strict"
    assert attributes["path"].strip() == "Path=/console"
    assert attributes["max-age"].strip() == "Max-Age=3600"
    assert "secure" not in attributes  # http here; https requests get Secure
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    # The cookie is the account's access token: the API accepts it as a bearer token.
    headers = {"Authorization": f"Bearer {token}", "Accept": HAL}
    root = client.get("/", headers=headers).json()
    assert root["_links"]["account"]["href"].endswith(account.account.id)


def test_sign_in_over_https_sets_a_secure_cookie(client, account):
    response = client.post(
        "https://testserver/console/sign-in",
        data={"key": account.application.key, "secret": account.secret},
        follow_redirects=False,
    )
    client.cookies.clear()
    assert "; secure" in session_cookie(response).lower()


def test_sign_in_refuses_wrong_credentials_and_next_pages_elsewhere(client, account):
    wrong = sign_in_response(client, account.application.key, "not-the-secret")
    assert wrong.status_code == 401
    assert "do not match an account" in wrong.text
    assert COOKIE not in wrong.headers.get("set-cookie", "")
    blank = sign_in_response(client, "", "")
    assert blank.status_code == 400
    for target in ("https://evil.example/", "//evil.example/x", "/console/\\evil", "/docs"):
        response = sign_in_response(client, account.application.key, account.secret, next=target)
        assert response.headers["location"] == "/console/", target


def test_failed_sign_ins_count_against_the_token_lockout(client, account):
    for _ in range(MAX_TOKEN_FAILURES):
        assert sign_in_response(client, account.application.key, "wrong").status_code == 401
    locked = sign_in_response(client, account.application.key, account.secret)
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.text
    token = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        auth=(account.application.key, account.secret),
    )
    assert token.status_code == 429


def test_an_expired_session_is_sent_to_sign_in(console, monkeypatch):
    assert console.get("/console/").status_code == 200
    later = now() + timedelta(seconds=3601)
    monkeypatch.setattr("bankbridge.domain.accounts.now", lambda: later)
    response = console.get("/console/customers")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/sign-in")
    assert f"{COOKIE}=" in response.headers["set-cookie"]  # cleared
    assert "max-age=0" in response.headers["set-cookie"].lower()


def test_sign_out_revokes_the_token_and_clears_the_cookie(client, console):
    response = console.post("/console/sign-out")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in"
    assert "max-age=0" in response.headers["set-cookie"].lower()
    headers = {"Authorization": f"Bearer {console.token}", "Accept": HAL}
    assert client.get("/", headers=headers).status_code == 401
    assert console.get("/console/").status_code == 303


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
    ],
)
def test_cross_site_posts_are_refused(console, api, headers):
    csrf = console.csrf()
    form = {"csrf_token": csrf, "firstName": "Eve", "lastName": "X", "email": "eve@example.com"}
    response = console.post("/console/customers", form, headers=headers)
    assert response.status_code == 403
    assert "another site" in response.text
    signed_out = console.post("/console/sign-out", {"csrf_token": csrf}, headers=headers)
    assert signed_out.status_code == 403
    assert api.get("/customers").json()["total"] == 0
    assert console.get("/console/").status_code == 200  # still signed in


def test_posts_without_a_valid_csrf_token_are_refused(console, api, account, make_account):
    form = {"firstName": "Eve", "lastName": "X", "email": "eve@example.com"}
    assert console.post("/console/customers", form, csrf=False).status_code == 403
    bad = {**form, "csrf_token": "0" * 64}
    assert console.post("/console/customers", bad).status_code == 403
    # Another session's CSRF token does not fit this one.
    other = ConsoleUser.sign_in(console.client, account.application.key, account.secret)
    assert (
        console.post("/console/customers", {**form, "csrf_token": other.csrf()}).status_code == 403
    )
    assert api.get("/customers").json()["total"] == 0


def test_pages_carry_the_security_headers(client, console):
    for response in (console.get("/console/"), client.get("/console/sign-in")):
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self' 'nonce-" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
    css = client.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/console/static/nothing.css").status_code == 404


def test_odd_form_bodies_are_refused_not_crashed(console):
    cookie = console.cookie
    origin = {"Origin": "http://testserver"}
    bodies = [
        (b"\xff\xfe", "application/x-www-form-urlencoded"),
        (b'{"firstName": "x"}', "application/json"),
        (b"a=" + b"x" * 70_000, "application/x-www-form-urlencoded"),
        (b"&".join(b"f%d=1" % i for i in range(300)), "application/x-www-form-urlencoded"),
    ]
    for body, media in bodies:
        response = console.client.post(
            "/console/customers",
            content=body,
            headers={**cookie, **origin, "Content-Type": media},
            follow_redirects=False,
        )
        assert response.status_code in (400, 403), (body[:20], response.status_code)
