"""Turning the API's ``_links`` into console links, where the console shows that resource."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ConsoleLink", "console_links", "console_path"]

# API path -> console path, for every resource the console has a page for.
_PAGES = tuple(
    (re.compile(pattern), target)
    for pattern, target in (
        (r"^/customers/([^/]+)$", "/console/customers/{}"),
        (
            r"^/customers/([^/]+)/(?:exchanges|funding-sources|exchange-sessions)$",
            "/console/customers/{}",
        ),
        (r"^/exchange-sessions/([^/]+)$", "/console/exchange-sessions/{}"),
        (r"^/exchanges/([^/]+)$", "/console/exchanges/{}"),
        (r"^/funding-sources/([^/]+)$", "/console/funding-sources/{}"),
        (r"^/funding-sources/([^/]+)/balance$", "/console/funding-sources/{}"),
        (r"^/events/([^/]+)$", "/console/events/{}"),
        (r"^/webhook-subscriptions/([^/]+)$", "/console/webhook-subscriptions/{}"),
        (r"^/webhook-subscriptions/([^/]+)/webhooks$", "/console/webhook-subscriptions/{}"),
        (r"^/webhooks/([^/]+)$", "/console/webhooks/{}"),
        (r"^/webhooks/([^/]+)/retries$", "/console/webhooks/{}"),
        (r"^/customers$", "/console/customers"),
        (r"^/events$", "/console/events"),
        (r"^/webhook-subscriptions$", "/console/webhook-subscriptions"),
        (r"^/accounts/[^/]+$", "/console/settings"),
    )
)


@dataclass(frozen=True)
class ConsoleLink:
    """One of a resource's ``_links``: its relation, the API's href, the console's page."""

    rel: str
    href: str
    page: str | None  # None: the console has no page for it (shown as the href)


def console_path(href: str, base_url: str) -> str | None:
    """The console page of an API href under ``base_url``, when there is one."""
    base = base_url.rstrip("/")
    if not href.startswith(base + "/"):
        return None
    path = href[len(base) :].split("?", 1)[0]
    for pattern, target in _PAGES:
        match = pattern.match(path)
        if match:
            return target.format(*match.groups())
    return None


def console_links(resource: Any, base_url: str) -> list[ConsoleLink]:
    """A resource's ``_links`` (but ``self``), each with its console page when it has one."""
    links = resource.get("_links") if isinstance(resource, Mapping) else None
    found: list[ConsoleLink] = []
    for rel, link in (links or {}).items():
        href = link.get("href") if isinstance(link, Mapping) else None
        if rel == "self" or not isinstance(href, str):
            continue
        found.append(ConsoleLink(rel, href, console_path(href, base_url)))
    return found
