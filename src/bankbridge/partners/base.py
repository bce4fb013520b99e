"""The small interface every partner implements, and what it is handed.

A partner is one folder (``mx/``, ``plaid/``, ``checkout/``) holding:

- ``adapter.py``: a ``PartnerAdapter`` that speaks the partner's real wire protocol over
  ``httpx`` to ``PartnerCredentials.base_url``; the URL alone decides real partner vs emulator.
- ``wire.py``: the partner's request/response shapes and their conversion to domain types.
- ``emulator.py`` + ``templates/``: Starlette routes mounted at ``/sandbox/<slug>`` that serve
  the same protocol and the partner's hosted pages.

Adapters raise only ``PartnerError`` (see ``partner_errors``); no ``httpx`` error escapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx
from starlette.types import ASGIApp

from bankbridge.config import PartnerCredentials, Settings
from bankbridge.domain.models import Customer, ProviderSession
from bankbridge.errors import PartnerError
from bankbridge.store.base import EmulatorRecords

__all__ = [
    "EmulatorContext",
    "Partner",
    "PartnerAdapter",
    "SessionRequest",
    "partner_errors",
]


@dataclass(frozen=True)
class SessionRequest:
    """What an adapter needs to open a partner-side session for one customer."""

    session_id: str
    customer: Customer
    return_url: str  # where a hosted flow may send the user when no redirect URL was given
    redirect_url: str | None = None  # the platform's redirect URL (https URL or app package)


class PartnerAdapter(Protocol):
    """One partner's client, as the domain sees it."""

    async def create_session(self, request: SessionRequest) -> ProviderSession:
        """Create the partner-side session (widget URL, link token, payment session)."""
        ...


@dataclass(frozen=True)
class EmulatorContext:
    """What an emulator is built with. ``records`` is resolved per call: the store opens
    when the application starts, after the routes are built."""

    slug: str
    settings: Settings
    get_records: Callable[[], EmulatorRecords]

    @property
    def records(self) -> EmulatorRecords:
        """This emulator's own persistent state."""
        return self.get_records()

    @property
    def base_url(self) -> str:
        """Public URL under which this emulator is mounted (API and hosted pages)."""
        return self.settings.emulator_url(self.slug)

    @property
    def credentials(self) -> PartnerCredentials:
        """The credentials the emulator accepts (the sandbox ones the adapter sends)."""
        return self.settings.partner(self.slug)

    def now(self) -> datetime:
        """The emulator's clock."""
        from bankbridge.clock import now

        return now()


@dataclass(frozen=True)
class Partner:
    """A registry entry: identity plus how to build the adapter and the emulator."""

    slug: str  # folder name and URL segment: "mx"
    name: str  # Dwolla's display name: "MX"
    id: str  # stable exchange-partner id, the same on every install
    build_adapter: Callable[[PartnerCredentials, httpx.AsyncClient], PartnerAdapter]
    build_emulator: Callable[[EmulatorContext], ASGIApp]


@contextmanager
def partner_errors(partner: str) -> Iterator[None]:
    """Turn transport failures into ``PartnerError`` at the adapter boundary."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise PartnerError(partner, f"timeout: {exc!r}", retryable=True) from exc
    except httpx.TransportError as exc:
        raise PartnerError(partner, f"transport: {exc!r}", retryable=True) from exc
    except httpx.HTTPError as exc:
        raise PartnerError(partner, f"http: {exc!r}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise PartnerError(partner, f"unexpected response: {exc!r}") from exc
