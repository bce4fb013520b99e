"""The emulator kit's pieces on their own: derived credentials, ASCII integers, page headers."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from starlette.requests import Request

from bankbridge.config import Secret, Settings
from bankbridge.crypto import load_vault
from bankbridge.partners.kit.bodies import ascii_int
from bankbridge.partners.kit.keys import SandboxKeys
from bankbridge.partners.kit.pages import HostedPages, frame_ancestors, is_same_origin

OWNER = str(uuid.uuid4())


def _keys(secret: str = "kit-test-key") -> SandboxKeys:
    return SandboxKeys(load_vault(Settings(secret_key=Secret(secret))))


@pytest.mark.parametrize("slug", ["mx", "plaid", "checkout"])
def test_credentials_lead_back_to_their_owner_and_nowhere_else(slug: str) -> None:
    keys = _keys()
    credentials = keys.for_account(slug, OWNER)
    assert keys.owner(slug, credentials.client_id, credentials.secret) == OWNER
    flipped = "0" if credentials.secret[-1] != "0" else "1"
    assert keys.owner(slug, credentials.client_id, credentials.secret[:-1] + flipped) is None
    assert keys.owner(slug, "not-an-id", credentials.secret) is None
    other = keys.for_account(slug, str(uuid.uuid4()))
    assert keys.owner(slug, other.client_id, credentials.secret) is None
    # Another install (another secret key) derives other credentials for the same account.
    assert _keys("another-install").for_account(slug, OWNER).secret != credentials.secret


def test_checkout_keys_name_their_owner_and_cannot_be_made_without_the_install_key() -> None:
    keys = _keys()
    credentials = keys.for_account("checkout", OWNER)
    assert credentials.public_key is not None
    assert keys.owner_of_secret_key("checkout", credentials.secret) == OWNER
    assert keys.owner_of_public_key("checkout", credentials.public_key) == OWNER
    assert keys.owner_of_public_key("checkout", credentials.secret) is None
    assert keys.owner_of_secret_key("checkout", credentials.public_key) is None
    assert _keys("another-install").owner_of_secret_key("checkout", credentials.secret) != OWNER
    tampered = credentials.secret[:-1] + ("a" if credentials.secret[-1] != "a" else "b")
    assert keys.owner_of_secret_key("checkout", tampered) is None


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), ("25", 25), ("²", None), ("٣", None), ("-1", None), ("", None)]
)
def test_ascii_int_takes_ascii_digits_only(text: str, value: int | None) -> None:
    assert ascii_int(text) == value


def test_hosted_pages_send_the_security_headers(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '{% extends "kit/base.html" %}{% block content %}<p>{{ word }}</p>'
        '<script nonce="{{ csp_nonce }}">1</script>{% endblock %}'
    )
    pages = HostedPages(tmp_path, "http://127.0.0.1:8000")
    response = pages.render("page.html", {"word": "<b>"}, frame_origins=["https://app.example"])
    body = bytes(response.body).decode()
    policy = response.headers["content-security-policy"]
    assert "&lt;b&gt;" in body
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'nonce="{nonce}"' in body
    assert "frame-ancestors 'self' http://localhost:*" in policy
    assert "https://app.example" in policy and "form-action 'self'" in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_frame_ancestors_lists_each_origin_once() -> None:
    policy = frame_ancestors(["https://a.example", "https://a.example", "http://localhost:*"])
    assert policy.count("https://a.example") == 1 and policy.count("http://localhost:*") == 1


@pytest.mark.parametrize(
    ("headers", "same"),
    [
        ({}, True),  # scripts and curl send neither header
        ({"origin": "http://bank.example"}, True),
        ({"origin": "https://evil.example"}, False),
        # Chromium's form post from a no-referrer page: Origin null, the site in Sec-Fetch-Site.
        ({"origin": "null", "sec-fetch-site": "same-origin"}, True),
        ({"origin": "null", "sec-fetch-site": "cross-site"}, False),
        ({"origin": "null", "sec-fetch-site": "same-site"}, False),
        ({"sec-fetch-site": "cross-site"}, False),
    ],
)
def test_form_posts_are_same_origin_by_origin_or_else_by_sec_fetch_site(
    headers: dict[str, str], same: bool
) -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    assert is_same_origin(Request(scope), "http://bank.example") is same


def test_frame_ancestors_hold_only_sources_browsers_accept() -> None:
    """Chromium rejects an IPv6 literal such as ``http://[::1]:*`` in a CSP source list."""
    assert "[" not in frame_ancestors([])


def test_wrong_guesses_never_push_a_real_accounts_credentials_out_of_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only credentials that matched are kept: a stream of made-up client ids (each a valid
    uuid, so each is derived to be checked) leaves the real account's derivation cached."""
    from bankbridge.partners.kit import keys as keys_module

    monkeypatch.setattr(keys_module, "MAX_DERIVED", 2)
    vault = load_vault(Settings(secret_key=Secret("kit-test-key")))
    derivations: list[tuple[str, ...]] = []

    class Counting:
        def fingerprint(self, *parts: str) -> str:
            derivations.append(parts)
            return vault.fingerprint(*parts)

    keys = SandboxKeys(Counting())
    credentials = keys.for_account("mx", OWNER)
    for _ in range(10):
        assert keys.owner("mx", str(uuid.uuid4()), credentials.secret) is None
    derivations.clear()
    assert keys.owner("mx", credentials.client_id, credentials.secret) == OWNER
    assert derivations == []  # answered from the cache
