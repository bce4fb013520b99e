"""PLACEHOLDER: replaced by the MX adapter."""

from __future__ import annotations

import httpx

from bankbridge.config import PartnerCredentials
from bankbridge.domain.models import ProviderSession
from bankbridge.partners.base import SessionRequest


class MxAdapter:
    def __init__(self, credentials: PartnerCredentials, http: httpx.AsyncClient) -> None:
        self.credentials = credentials
        self.http = http

    async def create_session(self, request: SessionRequest) -> ProviderSession:
        raise NotImplementedError
