"""The ``bankbridge`` command: ``serve`` the API (and emulators), manage ``accounts``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from bankbridge.config import Settings, load_settings
from bankbridge.crypto import load_vault
from bankbridge.domain.accounts import (
    TOKEN_CACHE_SECONDS,
    NewAccount,
    create_account,
    reissue_secret,
    remove_application,
)
from bankbridge.domain.models import Account, Application
from bankbridge.partners.kit.keys import SandboxKeys
from bankbridge.store import SqlStore, open_database

__all__ = ["main"]

T = TypeVar("T")

DEMO_NAME = "BankBridge demo"
DEMO_REDIRECT_URLS = ["https://example.com/return", "com.example.app"]
_REVOKED_IN = f"{TOKEN_CACHE_SECONDS:g} seconds in every running process"
# Ids are UUIDs; anything else is no account (and PostgreSQL need not compare it).
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Package data: a Node.js preload sending Dwolla's sandbox host to BankBridge.
DWOLLA_NODE_PRELOAD = Path(__file__).resolve().parent / "node" / "dwolla-preload.cjs"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
    except ValueError as exc:
        print(f"bankbridge: {exc}", file=sys.stderr)
        return 2
    status: int = args.handler(args, settings)
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bankbridge", description="Dwolla-compatible exchange sessions service."
    )
    commands = parser.add_subparsers(title="commands")

    serve = commands.add_parser("serve", help="serve the API (and, in sandbox mode, emulators)")
    serve.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 8000)")
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes sharing the port (default 1)"
    )
    serve.add_argument(
        "--demo", action="store_true", help="create a demo account on first start and show it"
    )
    serve.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="do not log one line per request (errors and startup are still logged)",
    )
    serve.set_defaults(handler=_serve)

    accounts = commands.add_parser("accounts", help="manage accounts (tenants)")
    account_commands = accounts.add_subparsers(title="account commands")
    create = account_commands.add_parser("create", help="create an account and its API keys")
    create.add_argument("--name", required=True, help="the account's name")
    create.add_argument(
        "--redirect-url",
        action="append",
        default=[],
        metavar="URL",
        help="an allowed exchange-session redirect URL (repeatable)",
    )
    create.add_argument(
        "--partner",
        action="append",
        default=[],
        metavar="NAME",
        help="enable only these exchange partners (repeatable; default all)",
    )
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.set_defaults(handler=_accounts_create)

    listing = account_commands.add_parser("list", help="list accounts")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler=_accounts_list)

    rotate = account_commands.add_parser(
        "rotate-secret",
        help="give an account's API key a new secret (shown once) and revoke its tokens",
    )
    rotate.add_argument("id", help="the account's id (see `accounts list`)")
    rotate.add_argument("--json", action="store_true", help="print one JSON object")
    rotate.set_defaults(handler=_accounts_rotate_secret)

    remove = account_commands.add_parser(
        "remove",
        help="remove an account's API key and secret and revoke its tokens (data is kept)",
    )
    remove.add_argument("id", help="the account's id (see `accounts list`)")
    remove.add_argument("--json", action="store_true", help="print one JSON object")
    remove.set_defaults(handler=_accounts_remove)

    preload = commands.add_parser(
        "node-preload",
        help="print the path of the Node.js preload that sends Dwolla's sandbox host here",
    )
    preload.set_defaults(handler=_node_preload)
    return parser


def _node_preload(args: argparse.Namespace, settings: Settings) -> int:
    """For ``NODE_OPTIONS="--require $(bankbridge node-preload)"``."""
    print(DWOLLA_NODE_PRELOAD)
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if args.workers < 1:
        print("bankbridge: --workers must be at least 1", file=sys.stderr)
        return 2
    changes: dict[str, Any] = {}
    if args.host:
        changes["host"] = args.host
        os.environ["BANKBRIDGE_HOST"] = args.host
    if args.port:
        changes["port"] = args.port
        os.environ["BANKBRIDGE_PORT"] = str(args.port)
    settings = settings.with_changes(**changes)
    if args.demo:
        _announce_demo(settings)
    uvicorn.run(
        "bankbridge.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=args.workers,
        log_level="info",
        access_log=args.access_log,
        proxy_headers=False,
    )
    return 0


def _accounts_create(args: argparse.Namespace, settings: Settings) -> int:
    try:
        created = asyncio.run(_create_account(settings, args.name, args.redirect_url, args.partner))
    except ValueError as exc:
        print(f"bankbridge: {exc}", file=sys.stderr)
        return 2
    document = _account_document(created, settings)
    if args.json:
        print(json.dumps(document))
    else:
        print(f"Account {created.account.id} ({created.account.name})")
        print(f"  key:    {document['key']}")
        print(f"  secret: {document['secret']}   (shown once; only its hash is stored)")
        if settings.sandbox:
            print(_sandbox_lines(document["sandbox"]))
    return 0


def _accounts_list(args: argparse.Namespace, settings: Settings) -> int:
    async def fetch() -> list[dict[str, Any]]:
        database = await open_database(settings.database_url)
        try:
            store = SqlStore(database)
            return [
                {
                    "id": a.id,
                    "name": a.name,
                    "redirectUrls": list(a.redirect_urls),
                    "partners": list(a.partners),
                    "removed": await store.get_first_application(a.id) is None,
                }
                for a in await store.list_accounts()
            ]
        finally:
            await database.close()

    accounts = asyncio.run(fetch())
    if args.json:
        print(json.dumps(accounts))
    else:
        for account in accounts:
            removed = "  (removed)" if account["removed"] else ""
            partners = ",".join(account["partners"])
            print(f"{account['id']}  {account['name']}  partners={partners}{removed}")
    return 0


def _accounts_rotate_secret(args: argparse.Namespace, settings: Settings) -> int:
    async def rotate(store: SqlStore, account: Account) -> NewAccount:
        return await reissue_secret(store, account)

    rotated = _on_account(settings, args.id, rotate)
    if rotated is None:
        return 1
    document = {"id": rotated.account.id, "key": rotated.application.key, "secret": rotated.secret}
    if args.json:
        print(json.dumps(document))
    else:
        print(f"Account {rotated.account.id} ({rotated.account.name}): new secret")
        print(f"  key:    {document['key']}")
        print(f"  secret: {document['secret']}   (shown once; only its hash is stored)")
        print(f"The old secret no longer works; its tokens stop working within {_REVOKED_IN}.")
    return 0


def _accounts_remove(args: argparse.Namespace, settings: Settings) -> int:
    async def remove(store: SqlStore, account: Account) -> Application:
        return await remove_application(store, account)

    removed = _on_account(settings, args.id, remove)
    if removed is None:
        return 1
    if args.json:
        print(json.dumps({"id": removed.account_id, "key": removed.key, "removed": True}))
    else:
        print(f"Account {removed.account_id}: API key {removed.key} removed.")
        print(f"Its tokens stop working within {_REVOKED_IN}; its data is kept.")
    return 0


def _on_account(
    settings: Settings, account_id: str, action: Callable[[SqlStore, Account], Awaitable[T]]
) -> T | None:
    """Run ``action`` on one account; None (after saying why on stderr) when it cannot."""

    async def run() -> T | None:
        database = await open_database(settings.database_url)
        try:
            store = SqlStore(database)
            wanted = account_id.strip().lower()
            account = await store.get_account(wanted) if _UUID.match(wanted) else None
            if account is None:
                print(f"bankbridge: no account with id {account_id!r}", file=sys.stderr)
                return None
            return await action(store, account)
        finally:
            await database.close()

    try:
        return asyncio.run(run())
    except ValueError as exc:
        print(f"bankbridge: {exc}", file=sys.stderr)
        return None


async def _create_account(
    settings: Settings, name: str, redirect_urls: list[str], partner_names: list[str]
) -> NewAccount:
    database = await open_database(settings.database_url)
    try:
        return await create_account(SqlStore(database), name, redirect_urls, partner_names)
    finally:
        await database.close()


def _account_document(created: NewAccount, settings: Settings) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": created.account.id,
        "name": created.account.name,
        "key": created.application.key,
        "secret": created.secret,
        "redirectUrls": list(created.account.redirect_urls),
        "partners": list(created.account.partners),
    }
    if settings.sandbox:
        document["sandbox"] = _sandbox_credentials(settings, created.account.id)
    return document


def _sandbox_credentials(settings: Settings, account_id: str) -> dict[str, dict[str, str]]:
    """The account's own credentials for the emulators' APIs (derived, so always the same)."""
    keys = SandboxKeys(load_vault(settings))
    plaid, mx = keys.for_account("plaid", account_id), keys.for_account("mx", account_id)
    checkout = keys.for_account("checkout", account_id)
    return {
        "plaid": {"clientId": plaid.client_id, "secret": plaid.secret},
        "mx": {"clientId": mx.client_id, "apiKey": mx.secret},
        "checkout": {
            "publicKey": checkout.public_key or "",
            "secretKey": checkout.secret,
            "clientId": checkout.client_id,
        },
    }


def _sandbox_lines(sandbox: dict[str, dict[str, str]]) -> str:
    plaid, mx, checkout = sandbox["plaid"], sandbox["mx"], sandbox["checkout"]
    return (
        "  sandbox partner credentials (this account's own emulator state):\n"
        f"    Plaid         client_id {plaid['clientId']}  secret {plaid['secret']}\n"
        f"    MX            client_id {mx['clientId']}  api_key {mx['apiKey']}\n"
        f"    Checkout.com  public key {checkout['publicKey']}  "
        f"secret key {checkout['secretKey']}"
    )


def _announce_demo(settings: Settings) -> None:
    """Create the demo account on first start; at later starts re-issue its secret.

    Only secret hashes are stored, so a lost secret cannot be shown again: a new one is.
    """

    async def demo() -> NewAccount:
        database = await open_database(settings.database_url)
        try:
            store = SqlStore(database)
            for account in await store.list_accounts():
                if account.name == DEMO_NAME and await store.get_first_application(account.id):
                    return await reissue_secret(store, account)
            return await create_account(store, DEMO_NAME, DEMO_REDIRECT_URLS, [])
        finally:
            await database.close()

    created = asyncio.run(demo())
    base = settings.public_url
    sandbox = ""
    if settings.sandbox:
        sandbox = _sandbox_lines(_sandbox_credentials(settings, created.account.id)) + "\n"
    print(
        f"\nBankBridge demo account {created.account.id}\n"
        f"  key:    {created.application.key}\n"
        f"  secret: {created.secret}   (new at every `make run`; only its hash is stored)\n"
        f"  redirect URLs: {', '.join(created.account.redirect_urls)}\n"
        f"{sandbox}"
        f"  API: {base}    emulators: {base}/sandbox/{{mx,plaid,checkout}}\n",
        flush=True,
    )
