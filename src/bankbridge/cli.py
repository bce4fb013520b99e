"""The ``bankbridge`` command: ``serve`` the API (and emulators), manage ``accounts``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bankbridge.config import Settings, load_settings
from bankbridge.domain.accounts import NewAccount, create_account, reissue_secret
from bankbridge.store import SqlStore, open_database

__all__ = ["main"]

DEMO_NAME = "BankBridge demo"
DEMO_REDIRECT_URLS = ["https://example.com/return", "com.example.app"]
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
    document = _account_document(created)
    if args.json:
        print(json.dumps(document))
    else:
        print(f"Account {created.account.id} ({created.account.name})")
        print(f"  key:    {document['key']}")
        print(f"  secret: {document['secret']}   (shown once; only its hash is stored)")
    return 0


def _accounts_list(args: argparse.Namespace, settings: Settings) -> int:
    async def fetch() -> list[dict[str, Any]]:
        database = await open_database(settings.database_url)
        try:
            accounts = await SqlStore(database).list_accounts()
        finally:
            await database.close()
        return [
            {
                "id": a.id,
                "name": a.name,
                "redirectUrls": list(a.redirect_urls),
                "partners": list(a.partners),
            }
            for a in accounts
        ]

    accounts = asyncio.run(fetch())
    if args.json:
        print(json.dumps(accounts))
    else:
        for account in accounts:
            print(f"{account['id']}  {account['name']}  partners={','.join(account['partners'])}")
    return 0


async def _create_account(
    settings: Settings, name: str, redirect_urls: list[str], partner_names: list[str]
) -> NewAccount:
    database = await open_database(settings.database_url)
    try:
        return await create_account(SqlStore(database), name, redirect_urls, partner_names)
    finally:
        await database.close()


def _account_document(created: NewAccount) -> dict[str, Any]:
    return {
        "id": created.account.id,
        "name": created.account.name,
        "key": created.application.key,
        "secret": created.secret,
        "redirectUrls": list(created.account.redirect_urls),
        "partners": list(created.account.partners),
    }


def _announce_demo(settings: Settings) -> None:
    """Create the demo account on first start; at later starts re-issue its secret.

    Only secret hashes are stored, so a lost secret cannot be shown again: a new one is.
    """

    async def demo() -> NewAccount:
        database = await open_database(settings.database_url)
        try:
            store = SqlStore(database)
            for account in await store.list_accounts():
                if account.name == DEMO_NAME:
                    return await reissue_secret(store, account)
            return await create_account(store, DEMO_NAME, DEMO_REDIRECT_URLS, [])
        finally:
            await database.close()

    created = asyncio.run(demo())
    base = settings.public_url
    print(
        f"\nBankBridge demo account {created.account.id}\n"
        f"  key:    {created.application.key}\n"
        f"  secret: {created.secret}   (new at every `make run`; only its hash is stored)\n"
        f"  redirect URLs: {', '.join(created.account.redirect_urls)}\n"
        f"  API: {base}    emulators: {base}/sandbox/{{mx,plaid,checkout}}\n",
        flush=True,
    )
