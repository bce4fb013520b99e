"""Completing the partners' hosted pages the way a browser does: GET the page, read its form
(action and hidden fields), fill in the visible fields, POST it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin


class _Forms(HTMLParser):
    """Collects forms with their fields' default values, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "action": values.get("action", ""),
                    "method": values.get("method", "get"),
                    "fields": {},
                }
            )
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = values.get("name")
        if tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            # The first option is the default unless another is marked selected.
            if self._select not in fields or "selected" in values:
                fields[self._select] = values.get("value", "")
        elif (
            tag in ("input", "textarea")
            and name
            and values.get("type") not in ("submit", "button", "checkbox", "radio")
        ):
            fields[name] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def read_form(html: str) -> dict[str, Any]:
    """The first POST form of a page: its action and its fields' default values."""
    parser = _Forms()
    parser.feed(html)
    posts = [f for f in parser.forms if f["method"].lower() == "post"]
    assert posts, f"no POST form on the page:\n{html[:500]}"
    return posts[0]


def submit(client: Any, page_url: str, **fields: str) -> Any:
    """GET the page, then POST its form with ``fields`` filled in (redirects not followed)."""
    page = client.get(page_url)
    assert page.status_code == 200, (page.status_code, page.text[:300])
    form = read_form(page.text)
    data = {k: v for k, v in form["fields"].items() if v} | fields
    return client.post(urljoin(page_url, form["action"]), data=data, follow_redirects=False)


def complete_plaid_link(
    client: Any,
    link_url: str,
    *,
    username: str = "user_good",
    password: str = "pass_good",
    subtype: str = "checking",
) -> Any:
    """Go through Plaid Link's page as a script would: log in on the first view, then pick
    the account of ``subtype``. Returns the last page (the public token's, or an error's)."""
    page = submit(client, link_url, username=username, password=password)
    accounts = re.findall(r'name="account_id" value="([^"]+)"\s+data-subtype="([^"]+)"', page.text)
    if page.status_code != 200 or not accounts:
        return page
    chosen = next(account_id for account_id, kind in accounts if kind == subtype)
    form = read_form(page.text)
    data = {k: v for k, v in form["fields"].items() if v} | {"account_id": chosen}
    return client.post(urljoin(link_url, form["action"]), data=data, follow_redirects=False)


def public_token_of(html: str) -> str:
    """The public token Plaid Link's last page shows."""
    match = re.search(r'id="public_token">(public-sandbox-[0-9a-f-]{36})<', html)
    assert match, html[:500]
    return match.group(1)
