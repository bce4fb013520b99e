"""Funding sources: create from an exchange, retrieve, list per customer, remove, and the
live bank balance."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bankbridge.api.auth import authenticated, services_of
from bankbridge.api.body import Body, read_json
from bankbridge.api.hal import collection, hal_response, link
from bankbridge.api.hrefs import Hrefs, hrefs
from bankbridge.clock import isoformat, now
from bankbridge.domain.funding_sources import (
    EXCHANGE_PATH,
    BillingAddress,
    NewFundingSource,
    create_funding_source,
    get_funding_source,
    get_funding_source_balance,
    list_funding_sources,
    remove_funding_source,
    set_sandbox_balance,
)
from bankbridge.errors import NotFound, ValidationError
from bankbridge.models import Account, FundingSource
from bankbridge.partners.base import BankBalance, format_amount

ADDRESS = "/cardDetails/billingAddress"


@authenticated
async def create(request: Request, account: Account) -> Response:
    """A verified funding source from an exchange; 201 with its Location."""
    services = services_of(request)
    body = await read_json(request, services.settings.max_body_bytes)
    fields = _new_funding_source(body)
    source = await create_funding_source(
        services.store,
        services.adapters_for(account.id),
        services.vault,
        account,
        request.path_params["id"],
        fields,
    )
    location = hrefs(request).to("funding-sources", source.id)
    return hal_response(None, status=201, headers={"Location": location})


@authenticated
async def retrieve(request: Request, account: Account) -> Response:
    """One funding source."""
    store = services_of(request).store
    source = await get_funding_source(store, account, request.path_params["id"])
    return hal_response(present(hrefs(request), source))


@authenticated
async def balance(request: Request, account: Account) -> Response:
    """A bank funding source's balance, read live from its exchange partner."""
    services = services_of(request)
    source_id = request.path_params["id"]
    amounts = await get_funding_source_balance(
        services.store, services.adapters_for(account.id), account, source_id
    )
    return hal_response(present_balance(hrefs(request), source_id, amounts))


@authenticated
async def sandbox_set_balance(request: Request, account: Account) -> Response:
    """Sandbox only: set the emulated bank's balances for a bank funding source."""
    services = services_of(request)
    if not services.settings.sandbox:
        raise NotFound()
    body = await read_json(request, services.settings.max_body_bytes)
    closing = format_amount(body.string("/closing/value") or "")  # the schema checks it
    available = body.string("/available/value")
    amounts = BankBalance(format_amount(available) if available else closing, closing, "USD")
    source_id = request.path_params["id"]
    await set_sandbox_balance(
        services.store, services.adapters_for(account.id), account, source_id, amounts
    )
    fresh = await get_funding_source_balance(
        services.store, services.adapters_for(account.id), account, source_id
    )
    return hal_response(present_balance(hrefs(request), source_id, fresh))


def present_balance(to: Hrefs, source_id: str, amounts: BankBalance) -> dict[str, Any]:
    """Dwolla's bank balance document (Bank Balance Response)."""
    return {
        "_links": {
            "self": link(to.to("funding-sources", source_id, "balance"), "balance"),
            "funding-source": link(to.to("funding-sources", source_id), "funding-source"),
        },
        "available": {"value": amounts.available, "currency": amounts.currency},
        "closing": {"value": amounts.closing, "currency": amounts.currency},
        "lastUpdated": isoformat(now()),
    }


@authenticated
async def update(request: Request, account: Account) -> Response:
    """``{"removed": true}`` removes the funding source (the only update supported)."""
    services = services_of(request)
    await read_json(request, services.settings.max_body_bytes)  # the schema: {"removed": true}
    source = await remove_funding_source(services.store, account, request.path_params["id"])
    return hal_response(present(hrefs(request), source))


@authenticated
async def list_for_customer(request: Request, account: Account) -> Response:
    """A customer's funding sources; ``removed=false`` hides removed ones."""
    removed = request.query_params.get("removed", "true").lower()
    if removed not in ("true", "false"):
        raise ValidationError.single("/removed", "Invalid", "removed must be true or false.")
    customer_id = request.path_params["id"]
    sources = await list_funding_sources(
        services_of(request).store, account, customer_id, removed == "true"
    )
    to = hrefs(request)
    items = [present(to, s) for s in sources]
    return hal_response(
        collection(
            to.to("customers", customer_id, "funding-sources"),
            "funding-source",
            "funding-sources",
            items,
            len(items),
            {"customer": link(to.to("customers", customer_id), "customer")},
        )
    )


def present(to: Hrefs, source: FundingSource) -> dict[str, Any]:
    """A funding source document: never the full account or card number."""
    links = {
        "self": link(to.to("funding-sources", source.id), "funding-source"),
        "customer": link(to.to("customers", source.customer_id), "customer"),
        "exchange": link(to.to("exchanges", source.exchange_id), "exchange"),
    }
    if not source.removed:
        links["remove"] = link(to.to("funding-sources", source.id), "funding-source")
    document: dict[str, Any] = {
        "_links": links,
        "id": source.id,
        "status": source.status,
        "type": source.type,
        "name": source.name,
        "created": isoformat(source.created),
        "removed": source.removed,
        "fingerprint": source.fingerprint,
    }
    if source.type == "bank":
        document |= {
            "bankAccountType": source.bank_account_type,
            "channels": ["ach"],
            "bankName": source.bank_name,
        }
    if source.card_details is not None:
        document["cardDetails"] = source.card_details
    return document


def _new_funding_source(body: Body) -> NewFundingSource:
    exchange_href = body.string(EXCHANGE_PATH) or ""  # the schema requires both
    name = body.string("/name") or ""
    bank_account_type = body.string("/bankAccountType")
    address = None
    first = last = None
    if body.has("/cardDetails"):
        first = body.string("/cardDetails/firstName")
        last = body.string("/cardDetails/lastName")
        if body.has(ADDRESS):
            address = BillingAddress(
                address1=body.string(ADDRESS + "/address1") or "",
                address2=body.string(ADDRESS + "/address2"),
                city=body.string(ADDRESS + "/city") or "",
                state_province_region=body.string(ADDRESS + "/stateProvinceRegion") or "",
                country=body.string(ADDRESS + "/country") or "",
                postal_code=body.string(ADDRESS + "/postalCode") or "",
            )
    exchange_id = Hrefs.id_in(exchange_href, "exchanges", EXCHANGE_PATH, "exchange")
    return NewFundingSource(exchange_id, name, bank_account_type, first, last, address)
