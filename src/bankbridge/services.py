"""The process's wired services: store, partner adapters and their HTTP client.

Built by ``app.py`` at startup; endpoints and emulators reach it through ``app.state``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from bankbridge.config import Settings
from bankbridge.crypto import Vault
from bankbridge.partners.base import PartnerAdapter
from bankbridge.store.base import Store

__all__ = ["Services"]


@dataclass
class Services:
    """Everything a request handler needs besides the request."""

    settings: Settings
    store: Store | None = None
    http: httpx.AsyncClient | None = None
    adapters: dict[str, PartnerAdapter] = field(default_factory=dict)
    vault: Vault | None = None

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
