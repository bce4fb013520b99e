"""The ``bankbridge`` command (click): ``serve`` the API (and emulators), manage ``accounts``.

``serve --host/--port`` default to ``BANKBRIDGE_HOST``/``BANKBRIDGE_PORT``, named once in
``config.py``; every other setting is read by ``config.load_settings``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from bankbridge.config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    HOST_VARIABLE,
    PORT_VARIABLE,
    Settings,
    load_settings,
)
from bankbridge.crypto import load_vault
from bankbridge.domain.accounts import (
    TOKEN_CACHE_SECONDS,
    NewAccount,
    create_account,
    reissue_secret,
    remove_application,
)
from bankbridge.ids import secret_matches
from bankbridge.logs import logging_config
from bankbridge.metrics import MULTIPROCESS_VARIABLE
from bankbridge.models import Account, Application
from bankbridge.partners.kit.keys import SandboxKeys
from bankbridge.store import SqlStore, open_database

__all__ = ["cli", "main"]

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
    try:
        status = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="bankbridge",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        return 1
    return status if isinstance(status, int) else 0


def _settings(command: Callable[..., int]) -> Callable[..., int]:
    """Hand the command the settings read from ``BANKBRIDGE_*`` (exit 2 when they are bad)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> int:
        try:
            settings = load_settings()
        except ValueError as exc:
            click.echo(f"bankbridge: {exc}", err=True)
            return 2
        return command(settings, *args, **kwargs)

    return run


_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
_ACCOUNT_ID = click.argument("account_id", metavar="ID")


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Dwolla-compatible exchange sessions service.",
)
@click.version_option(package_name="bankbridge", prog_name="bankbridge")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """The ``bankbridge`` command group; with no command, its help (exit 2)."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(2)


@cli.command(help="Serve the API (and, in sandbox mode, the emulators).")
@click.option(
    "--host",
    envvar=HOST_VARIABLE,
    default=DEFAULT_HOST,
    show_default=True,
    show_envvar=True,
    help="Interface to bind.",
)
@click.option(
    "--port",
    envvar=PORT_VARIABLE,
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    show_envvar=True,
    help="Port to bind.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes sharing the port.",
)
@click.option("--demo", is_flag=True, help="Create a demo account on first start and show it.")
@click.option(
    "--no-access-log",
    "access_log",
    is_flag=True,
    flag_value=False,
    default=True,
    help="Do not log one line per request (errors and start-up are still logged).",
)
@_settings
def serve(
    settings: Settings, host: str, port: int, workers: int, demo: bool, access_log: bool
) -> int:
    # Worker processes build their app from the environment: it carries the flags to them.
    os.environ[HOST_VARIABLE], os.environ[PORT_VARIABLE] = host, str(port)
    settings = settings.with_changes(host=host, port=port)
    # The port first: a second `make run` must stop here, before it opens the database.
    busy = _port_in_use(host, port)
    if busy:
        click.echo(
            f"bankbridge: cannot listen on {host}:{port} ({busy}); "
            f"stop the other server or set --port / {PORT_VARIABLE}",
            err=True,
        )
        return 2
    try:
        load_vault(settings)
        asyncio.run(_check_database(settings))
    except ValueError as exc:
        click.echo(f"bankbridge: {exc}", err=True)
        return 2
    except Exception as exc:  # the driver's own errors (refused, unknown database, auth)
        reason = f"{type(exc).__name__}: {exc}"
        click.echo(f"bankbridge: cannot open the database ({reason}); is it running?", err=True)
        return 1
    if demo:
        _announce_demo(settings)
    metrics_folder = None
    if workers > 1 and not os.environ.get(MULTIPROCESS_VARIABLE):
        # Each worker writes its samples here and /metrics sums them; a fresh folder, so
        # no earlier run's counts are added in.
        metrics_folder = tempfile.mkdtemp(prefix="bankbridge-metrics-")
        os.environ[MULTIPROCESS_VARIABLE] = metrics_folder
    try:
        _run_uvicorn(settings, workers, access_log)
    finally:
        if metrics_folder:
            shutil.rmtree(metrics_folder, ignore_errors=True)
    return 0


def _run_uvicorn(settings: Settings, workers: int, access_log: bool) -> None:
    import uvicorn

    uvicorn.run(
        "bankbridge.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="info",
        # BankBridge writes its own access log (``access_log.py``), cheaper than uvicorn's.
        log_config=logging_config(settings.log_format, access_log=access_log),
        access_log=False,
        proxy_headers=False,
    )


@cli.group(help="Manage accounts (tenants).")
def accounts() -> None:
    """The ``accounts`` commands."""


@cli.command(
    "node-preload",
    help="Print the path of the Node.js preload that sends Dwolla's sandbox host here.",
)
def node_preload() -> int:
    """For ``NODE_OPTIONS="--require $(bankbridge node-preload)"``."""
    click.echo(str(DWOLLA_NODE_PRELOAD))
    return 0


@accounts.command("create", help="Create an account and its API keys.")
@click.option("--name", required=True, help="The account's name.")
@click.option(
    "--redirect-url",
    "redirect_urls",
    multiple=True,
    metavar="URL",
    help="An allowed exchange-session redirect URL (repeatable).",
)
@click.option(
    "--partner",
    "partners",
    multiple=True,
    metavar="NAME",
    help="Enable only these exchange partners (repeatable; default all).",
)
@_JSON
@_settings
def accounts_create(
    settings: Settings,
    name: str,
    redirect_urls: tuple[str, ...],
    partners: tuple[str, ...],
    as_json: bool,
) -> int:
    try:
        created = asyncio.run(_create_account(settings, name, list(redirect_urls), list(partners)))
    except ValueError as exc:
        print(f"bankbridge: {exc}", file=sys.stderr)
        return 2
    document = _account_document(created, settings)
    if as_json:
        print(json.dumps(document))
    else:
        print(f"Account {created.account.id} ({created.account.name})")
        print(f"  key:    {document['key']}")
        print(f"  secret: {document['secret']}   (shown once; only its hash is stored)")
        if settings.sandbox:
            print(_sandbox_lines(document["sandbox"]))
    return 0


@accounts.command("list", help="List accounts (never secrets).")
@_JSON
@_settings
def accounts_list(settings: Settings, as_json: bool) -> int:
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
    if as_json:
        print(json.dumps(accounts))
    else:
        for account in accounts:
            removed = "  (removed)" if account["removed"] else ""
            partners = ",".join(account["partners"])
            print(f"{account['id']}  {account['name']}  partners={partners}{removed}")
    return 0


@accounts.command(
    "rotate-secret",
    help="Give an account's API key a new secret (shown once) and revoke its tokens.",
)
@_ACCOUNT_ID
@_JSON
@_settings
def accounts_rotate_secret(settings: Settings, account_id: str, as_json: bool) -> int:
    async def rotate(store: SqlStore, account: Account) -> NewAccount:
        return await reissue_secret(store, account)

    rotated = _on_account(settings, account_id, rotate)
    if rotated is None:
        return 1
    document = {"id": rotated.account.id, "key": rotated.application.key, "secret": rotated.secret}
    if as_json:
        print(json.dumps(document))
    else:
        print(f"Account {rotated.account.id} ({rotated.account.name}): new secret")
        print(f"  key:    {document['key']}")
        print(f"  secret: {document['secret']}   (shown once; only its hash is stored)")
        print(f"The old secret no longer works; its tokens stop working within {_REVOKED_IN}.")
    return 0


@accounts.command(
    "remove",
    help="Remove an account's API key and secret and revoke its tokens (data is kept).",
)
@_ACCOUNT_ID
@_JSON
@_settings
def accounts_remove(settings: Settings, account_id: str, as_json: bool) -> int:
    async def remove(store: SqlStore, account: Account) -> Application:
        return await remove_application(store, account)

    removed = _on_account(settings, account_id, remove)
    if removed is None:
        return 1
    if as_json:
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


def _port_in_use(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (e.g. "Address already in use"), or None.

    Binds as uvicorn does (``SO_REUSEADDR``), so a port in TIME_WAIT counts as free.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return exc.strerror or "unknown host"
    family, kind, protocol, _, address = infos[0]
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


async def _check_database(settings: Settings) -> None:
    """Open (and migrate) the database once, so a bad URL stops ``serve`` with one line."""
    database = await open_database(settings.database_url)
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
    return SandboxKeys(load_vault(settings)).document(account_id)


def _sandbox_lines(sandbox: dict[str, dict[str, str]]) -> str:
    plaid, mx, checkout = sandbox["plaid"], sandbox["mx"], sandbox["checkout"]
    return (
        "  sandbox partner credentials (this account's own emulator state):\n"
        f"    Plaid         client_id {plaid['clientId']}  secret {plaid['secret']}\n"
        f"    MX            client_id {mx['clientId']}  api_key {mx['apiKey']}\n"
        f"    Checkout.com  public key {checkout['publicKey']}  "
        f"secret key {checkout['secretKey']}"
    )


def _demo_secret(settings: Settings, account_id: str) -> str:
    """The demo account's secret: derived from the install's secret key, so every start
    prints the same one (the database still holds only its hash)."""
    return load_vault(settings).fingerprint("demo-account-secret", account_id)[:50]


def _announce_demo(settings: Settings) -> None:
    """Create the demo account on first start; at every start print its (stable) secret."""

    async def demo() -> NewAccount:
        database = await open_database(settings.database_url)
        try:
            store = SqlStore(database)
            for account in await store.list_accounts():
                application = await store.get_first_application(account.id)
                if account.name == DEMO_NAME and application:
                    secret = _demo_secret(settings, account.id)
                    if secret_matches(secret, application.secret_hash):
                        return NewAccount(account, application, secret)  # tokens stay valid
                    return await reissue_secret(store, account, secret)
            created = await create_account(store, DEMO_NAME, DEMO_REDIRECT_URLS, [])
            secret = _demo_secret(settings, created.account.id)
            return await reissue_secret(store, created.account, secret)
        finally:
            await database.close()

    created = asyncio.run(demo())
    base = settings.public_url
    sandbox = ""
    if settings.sandbox:
        sandbox = _sandbox_lines(_sandbox_credentials(settings, created.account.id)) + "\n"
    print(
        f"\nBankBridge demo account {created.account.id}\n"
        f"  console: {base}/console/   (open it in a browser; sign in with this key and secret)\n"
        f"  key:    {created.application.key}\n"
        f"  secret: {created.secret}   (the same at every start; only its hash is stored)\n"
        f"  redirect URLs: {', '.join(created.account.redirect_urls)}\n"
        f"{sandbox}"
        f"  API: {base}    emulators: {base}/sandbox/{{mx,plaid,checkout}}\n",
        flush=True,
    )
