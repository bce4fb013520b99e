"""Plaid's API (version 2020-09-14), as the emulator serves it under ``/sandbox/plaid``.

``POST`` JSON endpoints with Plaid's paths, credentials (``PLAID-CLIENT-ID`` /
``PLAID-SECRET`` headers or ``client_id``/``secret`` body fields; each account's own, see
``partners/kit/keys.py``), ``request_id`` on every answer, and Plaid's error body:
``/link/token/create``, ``/link/token/get`` (with ``link_sessions`` and their results),
``/item/public_token/exchange``, ``/auth/get``, ``/accounts/get``, ``/accounts/balance/get``,
``/item/get``, ``/item/remove``, ``/processor/token/create``, ``/processor/auth/get``,
``/processor/balance/get``, ``/webhook_verification_key/get``, ``/sandbox/public_token/create``,
``/sandbox/item/reset_login`` and ``/sandbox/item/fire_webhook`` (both send signed webhooks,
``webhooks.py``),
and one BankBridge-only control, ``/sandbox/accounts/balance/set`` (Plaid's Sandbox sets
balances only through custom-user JSON at Item creation; this sets them on a live Item).
Responses carry every field plaid-python 46 requires. Bodies are read with the size limit
before the credentials are checked; unknown top-level fields are refused (UNKNOWN_FIELDS)
as Plaid does, and the lists of accepted fields cover what the broker and the SDK send,
not every Plaid option.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.kit.bodies import BodyError, read_json_object
from bankbridge.partners.kit.faults import take_fault
from bankbridge.partners.kit.ids import iso_timestamp
from bankbridge.partners.kit.tenancy import granted
from bankbridge.partners.plaid.emulator import faults, link_flow, sandbox, webhooks
from bankbridge.partners.plaid.emulator.state import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_PREFIX,
    EXPIRED_TOKEN_GRACE,
    ITEM,
    LINK_COMPLETION,
    LINK_TOKEN,
    LINK_TOKEN_PREFIX,
    LINK_TOKEN_TTL,
    PROCESSOR_TOKEN,
    PROCESSOR_TOKEN_PREFIX,
    PUBLIC_TOKEN,
    PUBLIC_TOKEN_PREFIX,
    UPDATE_LINK_TOKEN_TTL,
    Body,
    PlaidError,
    create_item,
    invalid_field,
    invalid_input,
    invalid_request,
    is_expired,
    issue_public_token,
    link_sessions,
    login_required,
    missing_fields,
    permission_revoked,
    raise_item_error,
    request_id,
)
from bankbridge.store.base import EmulatorRecords, NewRecord

__all__ = ["api_routes"]

CREDENTIAL_FIELDS = frozenset({"client_id", "secret"})
REDIRECT_URI_NOT_REGISTERED = (
    "OAuth redirect URI must be configured in the developer dashboard. "
    "See https://dashboard.plaid.com/team/api"
)

Handler = Callable[["_Call"], Awaitable[Body]]


@dataclass(frozen=True)
class _Call:
    """One authenticated API request: its body, and its owner's emulator state."""

    context: EmulatorContext
    body: Body
    owner: str

    @property
    def records(self) -> EmulatorRecords:
        return self.context.records_for(self.owner)


def api_routes(context: EmulatorContext) -> list[Route]:
    """One ``POST`` route per Plaid endpoint."""
    return [
        Route(path, _api(context, handler, fields), methods=["POST"])
        for path, handler, fields in _ENDPOINTS
    ]


def error_response(error: PlaidError) -> Response:
    """``error`` as Plaid answers it."""
    return JSONResponse(error.body(request_id()), status_code=error.status)


# -- API plumbing ---------------------------------------------------------------------------


def _api(
    context: EmulatorContext, handler: Handler, fields: frozenset[str]
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            body = await _read_body(request, context.settings.max_body_bytes)
            owner = _authenticate(body, request.headers, context)
            fault = await take_fault(context.records_for(owner))
            if fault is not None:
                raise faults.answer(fault)
            unknown = sorted(set(body) - fields - CREDENTIAL_FIELDS)
            if unknown:
                raise invalid_request(
                    "UNKNOWN_FIELDS",
                    "the following fields are not recognized by this endpoint: "
                    + ", ".join(unknown),
                )
            result = await handler(_Call(context, body, owner))
        except PlaidError as error:
            return error_response(error)
        return JSONResponse({**result, "request_id": request_id()})

    return endpoint


async def _read_body(request: Request, limit: int) -> Body:
    try:
        return await read_json_object(request, limit, empty={})
    except BodyError as error:
        message = {
            "too_large": "request body is too large",
            "malformed": "body could not be parsed as JSON. check that it is valid JSON",
        }.get(error.reason, "body must be a JSON object")
        raise invalid_request("INVALID_BODY", message) from None


def _authenticate(body: Body, headers: Mapping[str, str], context: EmulatorContext) -> str:
    """The owner (account id) of the request's credentials; INVALID_API_KEYS otherwise."""
    given: dict[str, Any] = {}
    for field, header in (("client_id", "plaid-client-id"), ("secret", "plaid-secret")):
        value = body.get(field)
        given[field] = headers.get(header) if value is None else value
    missing = [field for field, value in given.items() if value in (None, "")]
    if missing:
        raise missing_fields(missing)
    if not all(isinstance(value, str) for value in given.values()):
        raise invalid_field("client_id and secret must be strings")
    owner = context.authenticate(given["client_id"], given["secret"])
    if owner is None:
        raise PlaidError(
            "INVALID_INPUT", "INVALID_API_KEYS", "invalid client_id or secret provided"
        )
    return owner


def _required(body: Body, *fields: str) -> None:
    missing = [field for field in fields if body.get(field) is None]
    if missing:
        raise missing_fields(missing)


def _string(body: Body, field: str, *, required: bool = True) -> str | None:
    value = body.get(field)
    if value is None:
        if required:
            raise missing_fields([field])
        return None
    if not isinstance(value, str) or (required and not value):
        raise invalid_field(f"{field} must be a non-empty string")
    return value


def _string_list(body: Body, field: str, allowed: frozenset[str]) -> list[str]:
    value = body.get(field)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise invalid_field(f"{field} must be a non-empty list of strings")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise invalid_field(f"{field} contains invalid values: {', '.join(unknown)}")
    return list(dict.fromkeys(value))


def _token(call: _Call, field: str, prefix: str) -> str:
    """The body's ``field`` token, refused as Plaid does when it lacks its ``prefix``."""
    token = _string(call.body, field)
    assert token is not None
    if not token.startswith(prefix):
        kind = field.removesuffix("_token")
        raise invalid_input(
            f"INVALID_{field.upper()}",
            f"provided {kind} token is in an invalid format. "
            f"expected format: {prefix.split('-')[0]}-<environment>-<identifier>",
        )
    return token


async def _item(call: _Call, *, healthy: bool = True) -> Body:
    """The Item behind the request's ``access_token``; its error when ``healthy`` is asked."""
    token = _token(call, "access_token", ACCESS_TOKEN_PREFIX)
    link = await call.records.get(ACCESS_TOKEN, token)
    item = await call.records.get(ITEM, link["item_id"]) if link else None
    if item is None:
        raise invalid_input("INVALID_ACCESS_TOKEN", "could not find matching access token")
    if healthy:
        raise_item_error(item)
    return item


# -- response shapes ----------------------------------------------------------------------------


def _item_json(item: Body) -> Body:
    products: list[str] = item["products"]
    available = [p for p in ("balance", "identity", "transactions") if p not in products]
    return {
        "item_id": item["item_id"],
        "institution_id": item["institution_id"],
        "institution_name": item["institution_name"],
        "webhook": item["webhook"],
        "error": item["error"],
        "available_products": available,
        "billed_products": products,
        "products": products,
        "consented_products": products,
        "consent_expiration_time": None,
        "update_type": "background",
    }


def _account_json(account: Body) -> Body:
    return {
        "account_id": account["account_id"],
        "balances": {
            "available": account["available"],
            "current": account["current"],
            "limit": None,
            "iso_currency_code": "USD",
            "unofficial_currency_code": None,
        },
        "mask": account["mask"],
        "name": account["name"],
        "official_name": account["official_name"],
        "type": account["type"],
        "subtype": account["subtype"],
        "holder_category": "personal",
    }


def _ach_json(account: Body) -> Body:
    return {
        "account_id": account["account_id"],
        "account": account["account_number"],
        "routing": sandbox.ROUTING,
        "wire_routing": sandbox.WIRE_ROUTING,
        "is_tokenized_account_number": False,
    }


def _selected_accounts(call: _Call, item: Body) -> list[Body]:
    accounts: list[Body] = item["accounts"]
    options = call.body.get("options")
    if options is None:
        return accounts
    if not isinstance(options, dict):
        raise invalid_field("options must be an object")
    wanted = options.get("account_ids")
    if wanted is None:
        return accounts
    if not isinstance(wanted, list) or not all(isinstance(a, str) for a in wanted):
        raise invalid_field("options.account_ids must be a list of strings")
    known = {account["account_id"] for account in accounts}
    if any(account_id not in known for account_id in wanted):
        raise invalid_input("INVALID_ACCOUNT_ID", "one or more of the account IDs is invalid")
    return [account for account in accounts if account["account_id"] in wanted]


def _link_session_json(flow: Body) -> Body:
    """One Link session as ``/link/token/get`` reports it (``link_sessions[]``)."""
    session: Body = {
        "link_session_id": flow["link_session_id"],
        "started_at": flow["started_at"],
        "finished_at": flow["finished_at"],
    }
    result = flow.get("result")
    if result is not None:
        success = link_flow.success_message(flow, result["public_token"], flow["accounts"])
        metadata = success["metadata"]
        session["on_success"] = {"public_token": result["public_token"], "metadata": metadata}
        session["results"] = {
            "item_add_results": [
                {
                    "public_token": result["public_token"],
                    "accounts": metadata["accounts"],
                    "institution": metadata["institution"],
                }
            ],
            "cra_item_add_results": [],
            "cra_update_results": [],
            "bank_income_results": [],
            "payroll_income_results": [],
            "document_income_results": None,
        }
    if flow.get("exit") is not None:
        ended = link_flow.exit_message(flow, "")
        session["exit"] = {"error": ended["error"], "metadata": ended["metadata"]}
    return session


# -- API endpoints ---------------------------------------------------------------------------


async def _link_token_create(call: _Call) -> Body:
    body = call.body
    _required(body, "client_name", "language", "country_codes", "user")
    client_name = _string(body, "client_name")
    language = _string(body, "language")
    if language not in sandbox.LANGUAGES:
        raise invalid_field(f"language must be one of {', '.join(sorted(sandbox.LANGUAGES))}")
    country_codes = _string_list(body, "country_codes", sandbox.COUNTRY_CODES)
    user = body["user"]
    if not isinstance(user, dict):
        raise invalid_field("user must be an object")
    if user.get("client_user_id") in (None, ""):
        raise missing_fields(["user.client_user_id"])
    if not isinstance(user["client_user_id"], str):
        raise invalid_field("user.client_user_id must be a string")
    access_token = _string(body, "access_token", required=False)
    item_id = None
    if access_token is not None:
        item_id = (await _item(call, healthy=False))["item_id"]
        products: list[str] = []
    elif body.get("products") is None:
        raise missing_fields(["products"])
    else:
        products = _string_list(body, "products", sandbox.PRODUCTS)
    redirect_uri = _string(body, "redirect_uri", required=False) or None
    # Plaid's OAuth return address: only one registered for these credentials (here, the
    # account's redirect URLs), so Link can never send a user somewhere else.
    if redirect_uri is not None and redirect_uri not in (
        await call.context.registered_redirect_urls(call.owner)
    ):
        raise invalid_field(REDIRECT_URI_NOT_REGISTERED)
    android_package_name = _string(body, "android_package_name", required=False) or None
    webhook = _string(body, "webhook", required=False) or None
    account_filters = body.get("account_filters")
    if account_filters is not None and not isinstance(account_filters, dict):
        raise invalid_field("account_filters must be an object")

    now = call.context.now()
    expiration = now + (UPDATE_LINK_TOKEN_TTL if item_id else LINK_TOKEN_TTL)
    token = LINK_TOKEN_PREFIX + str(uuid.uuid4())
    record = {
        "link_token": token,
        "created_at": iso_timestamp(now),
        "expiration": iso_timestamp(expiration),
        "client_name": client_name,
        "language": language,
        "country_codes": country_codes,
        "products": products,
        "client_user_id": user["client_user_id"],
        "redirect_uri": redirect_uri,
        "android_package_name": android_package_name,
        "webhook": webhook,
        "account_filters": account_filters,
        "item_id": item_id,
    }
    await call.records.put_all(
        [
            NewRecord(LINK_TOKEN, token, record, expires_at=expiration + EXPIRED_TOKEN_GRACE),
            NewRecord(LINK_COMPLETION, token, {"link_token": token}, expires_at=expiration),
        ],
        # The Link page has only the token: let it find whose state the token opens.
        also=[granted(call.context.index, token, call.owner, expiration + EXPIRED_TOKEN_GRACE)],
    )
    return {"link_token": token, "expiration": record["expiration"]}


async def _link_token_get(call: _Call) -> Body:
    token = _string(call.body, "link_token")
    record = await call.records.get(LINK_TOKEN, token or "")
    if record is None:
        raise invalid_input("INVALID_LINK_TOKEN", "provided link token is invalid")
    metadata: Body = {
        "initial_products": record["products"],
        "webhook": record["webhook"],
        "country_codes": record["country_codes"],
        "language": record["language"],
        "redirect_uri": record["redirect_uri"],
        "client_name": record["client_name"],
    }
    if record["account_filters"] is not None:
        metadata["account_filters"] = record["account_filters"]
    sessions = await link_sessions(call.records, record["link_token"])
    return {
        "link_token": record["link_token"],
        "created_at": record["created_at"],
        "expiration": record["expiration"],
        "metadata": metadata,
        "link_sessions": [_link_session_json(flow) for flow in reversed(sessions)],
    }


async def _public_token_exchange(call: _Call) -> Body:
    token = _token(call, "public_token", PUBLIC_TOKEN_PREFIX)
    record = await call.records.take(PUBLIC_TOKEN, token)
    item = await call.records.get(ITEM, record["item_id"]) if record else None
    if record is None or item is None or is_expired(record, call.context.now()):
        raise invalid_input(
            "INVALID_PUBLIC_TOKEN",
            "provided public token is expired. Public tokens expire 30 minutes after creation "
            "at which point they can no longer be exchanged",
        )
    return {"access_token": item["access_token"], "item_id": item["item_id"]}


async def _auth_get(call: _Call) -> Body:
    item = await _item(call)
    accounts = _selected_accounts(call, item)
    return {
        "accounts": [_account_json(a) for a in accounts],
        "numbers": {
            "ach": [_ach_json(a) for a in accounts],
            "eft": [],
            "international": [],
            "bacs": [],
        },
        "item": _item_json(item),
    }


async def _accounts_get(call: _Call) -> Body:
    item = await _item(call)
    accounts = _selected_accounts(call, item)
    return {"accounts": [_account_json(a) for a in accounts], "item": _item_json(item)}


async def _item_get(call: _Call) -> Body:
    item = await _item(call, healthy=False)
    return {"item": {**_item_json(item), "created_at": item["created_at"]}}


async def _item_remove(call: _Call) -> Body:
    item = await _item(call, healthy=False)
    await call.records.delete(ACCESS_TOKEN, item["access_token"])
    await call.records.delete(ITEM, item["item_id"])
    return {}


async def _processor_token_create(call: _Call) -> Body:
    _required(call.body, "access_token", "account_id", "processor")
    item = await _item(call, healthy=False)
    account_id = _string(call.body, "account_id")
    processor = _string(call.body, "processor")
    if processor not in sandbox.PROCESSORS:
        raise invalid_field(f"processor must be one of {', '.join(sandbox.PROCESSORS)}")
    if all(account["account_id"] != account_id for account in item["accounts"]):
        raise invalid_input("INVALID_ACCOUNT_ID", "the account_id provided is invalid")
    token = PROCESSOR_TOKEN_PREFIX + str(uuid.uuid4())
    record = {"item_id": item["item_id"], "account_id": account_id, "processor": processor}
    await call.records.put(PROCESSOR_TOKEN, token, record, parent=item["item_id"])
    return {"processor_token": token}


async def _processor_account(call: _Call) -> Body:
    """The one account a processor token shares; the Item's error when it has one."""
    token = _string(call.body, "processor_token")
    record = await call.records.get(PROCESSOR_TOKEN, token or "")
    item = await call.records.get(ITEM, record["item_id"]) if record else None
    if record is None or item is None:
        raise invalid_input(
            "INVALID_PROCESSOR_TOKEN", "provided processor token is invalid or does not exist"
        )
    raise_item_error(item)
    account: Body = next(a for a in item["accounts"] if a["account_id"] == record["account_id"])
    return account


async def _processor_auth_get(call: _Call) -> Body:
    account = await _processor_account(call)
    return {
        "account": _account_json(account),
        "numbers": {"ach": _ach_json(account), "eft": None, "international": None, "bacs": None},
    }


async def _processor_balance_get(call: _Call) -> Body:
    return {"account": _account_json(await _processor_account(call))}


async def _sandbox_accounts_balance_set(call: _Call) -> Body:
    """BankBridge-only: set one account's ``available``/``current`` balances on an Item."""
    _required(call.body, "access_token", "account_id")
    item = await _item(call, healthy=False)
    account_id = _string(call.body, "account_id")
    account = next((a for a in item["accounts"] if a["account_id"] == account_id), None)
    if account is None:
        raise invalid_input("INVALID_ACCOUNT_ID", "the account_id provided is invalid")
    for field in ("available", "current"):
        if field not in call.body:
            continue
        value = call.body[field]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise invalid_field(f"{field} must be a number or null")
        account[field] = value
    if account["current"] is None:
        raise invalid_field("current must be a number")
    await call.records.put(ITEM, item["item_id"], item)
    return {"accounts": [_account_json(account)]}


async def _sandbox_public_token_create(call: _Call) -> Body:
    _required(call.body, "institution_id", "initial_products")
    institution_id = _string(call.body, "institution_id")
    if institution_id not in sandbox.INSTITUTIONS:
        raise invalid_input("INVALID_INSTITUTION", "invalid institution_id provided")
    products = _string_list(call.body, "initial_products", sandbox.PRODUCTS)
    options = call.body.get("options") or {}
    if not isinstance(options, dict):
        raise invalid_field("options must be an object")
    username = _string(options, "override_username", required=False) or sandbox.GOOD_USERNAME
    password = _string(options, "override_password", required=False) or sandbox.GOOD_PASSWORD
    failure = sandbox.link_error(username, password)
    if failure is not None:
        error_type, code, message, display = failure
        raise PlaidError(
            error_type, code, message, display, 500 if error_type == "API_ERROR" else 400
        )
    webhook = _string(options, "webhook", required=False) or None
    now = call.context.now()
    item = await create_item(call.records, now, institution_id, products, webhook)
    return {"public_token": await issue_public_token(call.records, now, item)}


async def _sandbox_item_reset_login(call: _Call) -> Body:
    """ITEM_LOGIN_REQUIRED on the Item, told to its webhook as Plaid's ERROR webhook."""
    item = await _item(call, healthy=False)
    item["error"] = login_required().item_error()
    await call.records.put(ITEM, item["item_id"], item)
    await webhooks.send_item_webhook(call.context, item, "ERROR", login_required())
    return {"reset_login": True}


async def _sandbox_item_fire_webhook(call: _Call) -> Body:
    """Fire an ITEM webhook; the Item's state follows what the webhook reports."""
    _required(call.body, "access_token", "webhook_code")
    item = await _item(call, healthy=False)
    code = _string(call.body, "webhook_code")
    webhook_type = _string(call.body, "webhook_type", required=False) or "ITEM"
    if webhook_type != "ITEM" or code not in webhooks.ITEM_CODES:
        raise invalid_field(
            "webhook_code must be one of " + ", ".join(webhooks.ITEM_CODES) + " for ITEM"
        )
    error = None
    if code == "ERROR":
        error = login_required()
        item["error"] = error.item_error()
    elif code in ("USER_PERMISSION_REVOKED", "USER_ACCOUNT_REVOKED"):
        error = permission_revoked()
        item["error"] = error.item_error()
    elif code == "LOGIN_REPAIRED":
        item["error"] = None
    await call.records.put(ITEM, item["item_id"], item)
    await webhooks.send_item_webhook(call.context, item, code, error)
    return {"webhook_fired": True}


async def _webhook_verification_key_get(call: _Call) -> Body:
    _required(call.body, "key_id")
    if _string(call.body, "key_id") != webhooks.key_id(call.context):
        raise invalid_input("INVALID_WEBHOOK_VERIFICATION_KEY_ID", "invalid key_id provided")
    return {"key": webhooks.verification_key(call.context)}


def _words(text: str) -> frozenset[str]:
    """A set of space-separated names."""
    return frozenset(text.split())


_LINK_TOKEN_FIELDS = _words(
    "client_name language country_codes user products required_if_supported_products "
    "optional_products additional_consented_products webhook access_token access_tokens "
    "link_customization_name redirect_uri android_package_name institution_data "
    "account_filters eu_config institution_id payment_initiation deposit_switch "
    "income_verification auth transfer update identity_verification statements user_token "
    "user_id investments investments_auth hosted_link transactions"
)
_ENDPOINTS: tuple[tuple[str, Handler, frozenset[str]], ...] = (
    ("/link/token/create", _link_token_create, _LINK_TOKEN_FIELDS),
    ("/link/token/get", _link_token_get, frozenset({"link_token"})),
    ("/item/public_token/exchange", _public_token_exchange, frozenset({"public_token"})),
    ("/auth/get", _auth_get, frozenset({"access_token", "options"})),
    ("/accounts/get", _accounts_get, frozenset({"access_token", "options"})),
    ("/accounts/balance/get", _accounts_get, frozenset({"access_token", "options"})),
    ("/item/get", _item_get, frozenset({"access_token"})),
    ("/item/remove", _item_remove, frozenset({"access_token", "reason_code", "reason_note"})),
    (
        "/processor/token/create",
        _processor_token_create,
        frozenset({"access_token", "account_id", "processor"}),
    ),
    ("/processor/auth/get", _processor_auth_get, frozenset({"processor_token"})),
    ("/processor/balance/get", _processor_balance_get, frozenset({"processor_token", "options"})),
    (
        "/sandbox/public_token/create",
        _sandbox_public_token_create,
        frozenset({"institution_id", "initial_products", "options", "user_token"}),
    ),
    ("/sandbox/item/reset_login", _sandbox_item_reset_login, frozenset({"access_token"})),
    (
        "/sandbox/item/fire_webhook",
        _sandbox_item_fire_webhook,
        frozenset({"access_token", "webhook_code", "webhook_type", "options"}),
    ),
    ("/webhook_verification_key/get", _webhook_verification_key_get, frozenset({"key_id"})),
    (
        "/sandbox/accounts/balance/set",
        _sandbox_accounts_balance_set,
        frozenset({"access_token", "account_id", "available", "current"}),
    ),
)
