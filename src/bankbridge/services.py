"""The process's wired services: store, partner adapters and their HTTP client.

Built by ``app.py`` at startup; endpoints and emulators reach it through ``app.state``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from bankbridge.config import PartnerCredentials, Secret, Settings
from bankbridge.crypto import Vault
from bankbridge.partners import PARTNERS
from bankbridge.partners.base import PartnerAdapter
from bankbridge.partners.kit.keys import SandboxKeys
from bankbridge.store.base import Store

__all__ = ["Services"]

# Sandbox adapters are per account (each has its own emulator credentials); keep the most
# recently used ones. An adapter is a few small objects around the shared HTTP client.
MAX_CACHED_ACCOUNTS = 4096


@dataclass
class Services:
    """Everything a request handler needs besides the request."""

    settings: Settings
    store: Store | None = None
    http: httpx.AsyncClient | None = None
    adapters: dict[str, PartnerAdapter] = field(default_factory=dict)  # remote mode
    vault: Vault | None = None
    _sandbox_adapters: OrderedDict[str, dict[str, PartnerAdapter]] = field(
        default_factory=OrderedDict
    )

    def require_vault(self) -> Vault:
        """The secret-key vault (set once the application has started)."""
        if self.vault is None:
            raise RuntimeError("the vault is not loaded: the application has not started")
        return self.vault

    def require_store(self) -> Store:
        """The open store (set once the application has started)."""
        if self.store is None:
            raise RuntimeError("the store is not open: the application has not started")
        return self.store

    @property
    def sandbox_keys(self) -> SandboxKeys:
        """Each account's sandbox partner credentials (derived from the install's key)."""
        return SandboxKeys(self.require_vault())

    def adapters_for(self, account_id: str) -> Mapping[str, PartnerAdapter]:
        """The partner adapters that act for ``account_id``.

        Remote mode: the platform's one set of partner credentials. Sandbox mode: the
        account's own emulator credentials, so each account sees only its own emulator state.
        """
        if not self.settings.sandbox:
            return self.adapters
        cached = self._sandbox_adapters.get(account_id)
        if cached is not None:
            self._sandbox_adapters.move_to_end(account_id)
            return cached
        if self.http is None:
            raise RuntimeError("the HTTP client is not open: the application has not started")
        keys = self.sandbox_keys
        built: dict[str, PartnerAdapter] = {}
        for partner in PARTNERS:
            given = keys.for_account(partner.slug, account_id)
            credentials = PartnerCredentials(
                self.settings.emulator_url(partner.slug), given.client_id, Secret(given.secret)
            )
            built[partner.slug] = partner.build_adapter(credentials, self.http)
        self._sandbox_adapters[account_id] = built
        if len(self._sandbox_adapters) > MAX_CACHED_ACCOUNTS:
            self._sandbox_adapters.popitem(last=False)
        return built
