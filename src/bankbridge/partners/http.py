"""HTTP helpers shared by the adapters: transport failures become ``PartnerError``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from bankbridge.errors import PartnerError, PartnerUnavailable

__all__ = ["PartnerCircuitOpen", "partner_errors"]


class PartnerCircuitOpen(httpx.TransportError):
    """Raised by the partner transport, without calling out, while a partner is down."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@contextmanager
def partner_errors(partner: str) -> Iterator[None]:
    """Turn transport failures and malformed answers into ``PartnerError`` at the boundary."""
    try:
        yield
    except PartnerCircuitOpen as exc:
        raise PartnerUnavailable(partner, str(exc), exc.retry_after) from exc
    except httpx.TimeoutException as exc:
        raise PartnerError(partner, f"timeout: {exc!r}", retryable=True) from exc
    except httpx.TransportError as exc:
        raise PartnerError(partner, f"transport: {exc!r}", retryable=True) from exc
    except httpx.HTTPError as exc:
        raise PartnerError(partner, f"http: {exc!r}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise PartnerError(partner, f"unexpected response: {exc!r}") from exc
