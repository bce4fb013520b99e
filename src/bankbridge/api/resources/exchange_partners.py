"""``GET /exchange-partners`` and ``GET /exchange-partners/{id}``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.auth import authenticated
from bankbridge.api.hal import collection, hal_response, link
from bankbridge.api.hrefs import Hrefs, hrefs
from bankbridge.clock import isoformat
from bankbridge.domain.exchange_partners import get_exchange_partner, list_exchange_partners
from bankbridge.models import Account, ExchangePartner


@authenticated
async def list_partners(request: Request, account: Account) -> Response:
    """Every exchange partner."""
    to = hrefs(request)
    items = [present(to, p) for p in list_exchange_partners()]
    return hal_response(
        collection(
            to.to("exchange-partners"), "exchange-partner", "exchange-partners", items, len(items)
        )
    )


@authenticated
async def get_partner(request: Request, account: Account) -> Response:
    """One exchange partner."""
    partner = get_exchange_partner(request.path_params["id"])
    return hal_response(present(hrefs(request), partner))


def present(to: Hrefs, partner: ExchangePartner) -> dict[str, Any]:
    """An exchange partner document."""
    return {
        "_links": {"self": link(to.to("exchange-partners", partner.id), "exchange-partner")},
        "id": partner.id,
        "name": partner.name,
        "status": partner.status,
        "created": isoformat(partner.created),
    }
