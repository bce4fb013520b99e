"""Console settings over HTTP: redirect URLs, partners, sandbox credentials, secret rotation."""

from __future__ import annotations

import re

from bankbridge.partners.kit.keys import SandboxKeys
from console_user import COOKIE, ConsoleUser, session_cookie
from helpers import HAL


def test_settings_show_the_accounts_redirect_urls_partners_and_sandbox_credentials(
    console, account, services
):
    page = console.get("/console/settings")
    assert page.status_code == 200
    assert "https://platform.example/return\ncom.example.app</textarea>" in page.text
    for slug in ("mx", "plaid", "checkout"):
        assert f'name="partners" value="{slug}" checked' in page.text
    credentials = SandboxKeys(services.vault).document(account.account.id)
    assert credentials["plaid"]["secret"] in page.text
    assert credentials["checkout"]["publicKey"] in page.text
    assert credentials["mx"]["apiKey"] in page.text


def test_saving_redirect_urls_and_partners_changes_what_the_api_accepts(console, api):
    saved = console.post(
        "/console/settings",
        {"redirect_urls": "https://new.example/back\r\n\r\ncom.example.other", "partners": "mx"},
    )
    assert saved.status_code == 200, saved.text
    assert "Settings saved." in saved.text
    assert 'value="plaid" checked' not in saved.text
    customer = api.create_customer()
    # The API sees the new settings (the token cache of this process was told).
    assert api.create_session(customer, "Plaid").status_code == 403
    allowed = api.create_session(customer, "MX", redirect_url="https://new.example/back")
    assert allowed.status_code == 201, allowed.text
    old = api.create_session(customer, "MX", redirect_url="https://platform.example/return")
    assert old.status_code == 400


def test_bad_settings_show_field_errors_and_change_nothing(console, api, account):
    bad = console.post(
        "/console/settings",
        {"redirect_urls": "https://ok.example/\njavascript:alert(1)", "partners": "mx"},
    )
    assert bad.status_code == 400
    assert "Line 2: Must be an http(s) URL" in bad.text
    assert 'aria-invalid="true"' in bad.text
    none = console.post("/console/settings", {"redirect_urls": "", "partners": []})
    assert none.status_code == 400 and "Enable at least one exchange partner." in none.text
    unknown = console.post("/console/settings", {"redirect_urls": "", "partners": "stripe"})
    assert unknown.status_code == 400 and "Unknown exchange partner." in unknown.text
    long = console.post("/console/settings", {"redirect_urls": "https://x/" + "a" * 3000})
    assert long.status_code == 400
    page = console.get("/console/settings").text
    assert "https://platform.example/return\ncom.example.app</textarea>" in page


def test_rotating_the_secret_shows_it_once_and_keeps_the_session(client, console, account, api):
    assert console.post("/console/settings/secret", {"confirm": "no"}).status_code == 400
    rotated = console.post("/console/settings/secret", {"confirm": "rotate"})
    assert rotated.status_code == 200
    secret = re.search(r'<code id="new-secret">([^<]+)</code>', rotated.text).group(1)
    assert secret != account.secret
    # Old tokens (the API client's and the old console session's) stop working.
    assert api.get("/").status_code == 401
    assert console.get("/console/").status_code == 303
    # The response signed the console in again with a new token.
    fresh = ConsoleUser(client, session_cookie(rotated).split(";", 1)[0].split("=", 1)[1])
    page = fresh.get("/console/settings")
    assert page.status_code == 200 and secret not in page.text  # shown once
    assert (
        fresh.post(
            "/console/customers", {"firstName": "A", "lastName": "B", "email": "a@example.com"}
        ).status_code
        == 303
    )
    # The old secret is refused, the new one works.
    token = lambda s: client.post(  # noqa: E731
        "/token", data={"grant_type": "client_credentials"}, auth=(account.application.key, s)
    )
    assert token(account.secret).status_code == 401
    new_token = token(secret).json()["access_token"]
    assert (
        client.get("/", headers={"Authorization": f"Bearer {new_token}", "Accept": HAL}).status_code
        == 200
    )
    assert COOKIE in rotated.headers["set-cookie"]
