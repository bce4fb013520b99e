"""The console at the public URL's other loopback name (``localhost`` for ``127.0.0.1``):
pages are sent to the public URL; forms from there are refused, saying where to go."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from bankbridge.app import create_app
from bankbridge.config import Settings

PUBLIC = "http://127.0.0.1:8000"


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """Addresses, not storage: one backend is enough."""
    return f"sqlite:///{tmp_path}/console-origin.db"


@pytest.fixture
def loopback(settings: Settings) -> Iterator[TestClient]:
    """The app with a loopback public URL, asked for at ``localhost`` by default."""
    app = create_app(settings.with_changes(public_url_override=PUBLIC))
    with TestClient(app, base_url="http://localhost:8000") as client:
        yield client


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("localhost:8000", "/console/"),
        ("localhost:8000", "/console/flow?customer=c1&x=%2F"),
        ("LOCALHOST:8000", "/console/customers/a%2Fb"),
        ("127.0.0.2:8000", "/console/sign-in?next=%2Fconsole%2Fevents"),
        ("[::1]:8000", "/console/static/console.css"),
        ("app.localhost:8000", "/console/no/such/page"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_page_asked_for_at_another_loopback_name_is_sent_to_the_public_url(
    loopback: TestClient, host: str, path: str, method: str
) -> None:
    response = loopback.request(method, path, headers={"Host": host}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == PUBLIC + path
    assert response.headers["cache-control"] == "no-store"


def test_followed_from_the_root_it_ends_on_the_sign_in_page_at_the_public_url(
    loopback: TestClient,
) -> None:
    page = loopback.get("/", headers={"Accept": "text/html"}, follow_redirects=True)
    assert page.status_code == 200
    assert str(page.url) == PUBLIC + "/console/sign-in?next=%2Fconsole%2F"
    assert [str(r.headers["location"]) for r in page.history] == [
        "/console/",
        PUBLIC + "/console/",
        "/console/sign-in?next=%2Fconsole%2F",
    ]


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:8000",  # the public URL itself
        "localhost:9000",  # another port: maybe another server
        "evil.example:8000",  # not loopback: the Host header is not trusted to redirect
        "192.168.1.20:8000",  # a LAN address (or a reverse proxy): left alone, never a loop
        "localhost:x",  # no port number
    ],
)
def test_other_hosts_are_not_redirected(loopback: TestClient, host: str) -> None:
    response = loopback.get("/console/", headers={"Host": host}, follow_redirects=False)
    assert response.headers.get("location", "").startswith("/console/sign-in"), response.text


def test_a_public_url_that_is_not_loopback_redirects_nobody(client: TestClient) -> None:
    response = client.get("/console/", headers={"Host": "localhost"}, follow_redirects=False)
    assert response.headers["location"] == "/console/sign-in?next=%2Fconsole%2F"


def test_a_form_posted_at_the_other_name_is_refused_saying_where_the_console_is(
    loopback: TestClient, account
) -> None:
    form = {"key": account.application.key, "secret": account.secret}
    refused = loopback.post(
        "/console/sign-in", data=form, headers={"Origin": "http://localhost:8000"}
    )
    assert refused.status_code == 403
    assert (
        "This page was opened at http://localhost:8000, but BankBridge&#39;s public URL is "
        "http://127.0.0.1:8000: the console works there only. Open http://127.0.0.1:8000/console/"
    ) in refused.text
    assert "set-cookie" not in refused.headers
    # Another site's form gets the plain refusal (nothing about this server's names).
    other = loopback.post("/console/sign-in", data=form, headers={"Origin": "http://evil.example"})
    assert other.status_code == 403
    assert "This form was posted from another site." in other.text
    # At the public URL the same form signs in.
    signed_in = loopback.post(
        PUBLIC + "/console/sign-in",
        data=form,
        headers={"Origin": PUBLIC},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
