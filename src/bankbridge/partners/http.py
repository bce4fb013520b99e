"""HTTP helpers shared by the adapters: transport failures become ``PartnerError``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from bankbridge.errors import PartnerError

__all__ = ["partner_errors"]


@contextmanager
def partner_errors(partner: str) -> Iterator[None]:
    """Turn transport failures and malformed answers into ``PartnerError`` at the boundary."""
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
