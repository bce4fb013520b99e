"""The process's wired services, built complete by the app's lifespan and never changed after.

``app.py`` opens the store, loads the vault, builds the partner adapters, the webhook
delivery worker and the bearer-token cache, and only then hands one ``Services`` to the app
(``app.state.services``), which endpoints, middleware and emulators read. Nothing in it is
optional and nothing is filled in later.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import httpx

from bankbridge.config import PartnerCredentials, Secret, Settings
from bankbridge.crypto import Vault
from bankbridge.domain.accounts import TokenCache
from bankbridge.partners import PARTNERS
from bankbridge.partners.base import PartnerAdapter
from bankbridge.partners.kit.keys import SandboxKeys
from bankbridge.store.base import Store
from bankbridge.webhooks.delivery import DeliveryWorker

__all__ = [
    "PartnerAdapters",
    "RemoteAdapters",
    "SandboxAdapters",
    "Services",
    "partner_adapters",
]

# Sandbox adapters are per account (each has its own emulator credentials); keep the most
# recently used ones. An adapter is a few small objects around the shared HTTP client.
MAX_CACHED_ACCOUNTS = 4096


class PartnerAdapters(Protocol):
    """The partner adapters that act for an account, by partner slug."""

    def for_account(self, account_id: str) -> Mapping[str, PartnerAdapter]:
        """The adapters for ``account_id``."""
        ...


@dataclass(frozen=True)
class RemoteAdapters:
    """Remote mode: the platform's one set of partner credentials, for every account."""

    adapters: Mapping[str, PartnerAdapter]

    def for_account(self, account_id: str) -> Mapping[str, PartnerAdapter]:
        """The one set."""
        return self.adapters


class SandboxAdapters:
    """Sandbox mode: each account's own emulator credentials (derived from the install's
    key), so each account sees only its own emulator state. Built on first use."""

    def __init__(
        self,
        settings: Settings,
        keys: SandboxKeys,
        http: httpx.AsyncClient,
        remote: Mapping[str, PartnerAdapter] | None = None,
    ) -> None:
        self._settings = settings
        self._keys = keys
        self._http = http
        self._remote = dict(remote or {})  # partners in remote mode: one set for everyone
        self._cache: OrderedDict[str, dict[str, PartnerAdapter]] = OrderedDict()

    def for_account(self, account_id: str) -> Mapping[str, PartnerAdapter]:
        """The account's adapters (the most recently used accounts' are kept)."""
        cached = self._cache.get(account_id)
        if cached is not None:
            self._cache.move_to_end(account_id)
            return cached
        built: dict[str, PartnerAdapter] = {}
        for partner in PARTNERS:
            if partner.slug in self._remote:
                built[partner.slug] = self._remote[partner.slug]
                continue
            given = self._keys.for_account(partner.slug, account_id)
            credentials = PartnerCredentials(
                self._settings.emulator_url(partner.slug), given.client_id, Secret(given.secret)
            )
            built[partner.slug] = partner.build_adapter(credentials, self._http)
        self._cache[account_id] = built
        if len(self._cache) > MAX_CACHED_ACCOUNTS:
            self._cache.popitem(last=False)
        return built


@dataclass(frozen=True)
class Services:
    """Everything a request handler needs besides the request."""

    settings: Settings
    store: Store
    vault: Vault
    adapters: PartnerAdapters
    worker: DeliveryWorker
    token_cache: TokenCache

    @cached_property
    def sandbox_keys(self) -> SandboxKeys:
        """Each account's sandbox partner credentials (derived from the install's key)."""
        return SandboxKeys(self.vault)

    def adapters_for(self, account_id: str) -> Mapping[str, PartnerAdapter]:
        """The partner adapters that act for ``account_id``."""
        return self.adapters.for_account(account_id)


def partner_adapters(settings: Settings, vault: Vault, http: httpx.AsyncClient) -> PartnerAdapters:
    """Per-account sandbox adapters, remote mode's one set, or a mix (a mode per partner)."""
    remote = {
        p.slug: p.build_adapter(settings.partner(p.slug), http)
        for p in PARTNERS
        if settings.partner_mode(p.slug) == "remote"
    }
    if len(remote) == len(PARTNERS):
        return RemoteAdapters(remote)
    return SandboxAdapters(settings, SandboxKeys(vault), http, remote)
