"""The console's navigation: one entry per area, in the order the nav shows them.

A page module that adds an area adds its entry here; ``key`` is what a page passes as
``nav`` to ``Console.render`` to mark its entry as the current one.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NAV", "NavEntry"]


@dataclass(frozen=True)
class NavEntry:
    """A link in the console's navigation."""

    key: str
    label: str
    path: str  # under /console
    sandbox_only: bool = False  # shown in sandbox mode only


NAV: tuple[NavEntry, ...] = (
    NavEntry("home", "Overview", "/console/"),
    NavEntry("customers", "Customers", "/console/customers"),
    NavEntry("flow", "Walk a flow", "/console/flow"),
    NavEntry("events", "Events", "/console/events"),
    NavEntry("webhooks", "Webhooks", "/console/webhook-subscriptions"),
    NavEntry("sandbox", "Sandbox", "/console/sandbox", sandbox_only=True),
    NavEntry("settings", "Settings", "/console/settings"),
)
