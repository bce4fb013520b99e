"""MX emulator: the MX Platform API subset BankBridge uses, plus the hosted MX Connect page.

Emulated (mounted at ``/sandbox/mx``; each account's credentials open its own state):

- The Platform API (``api.py``): users, Connect widget URLs, members and their status with
  MFA challenges, member accounts and account numbers, MX's auth, media type, errors and
  pagination; ``check_balance`` and the account read (``available_balance``,
  ``balance``); and two BankBridge-only controls: ``POST …/members/{guid}/sandbox/
  expire_credentials`` makes a member DENIED so re-authentication can be tried, and
  ``POST /users/{guid}/accounts/{guid}/sandbox/balance`` sets an account's balances.
- Member webhooks (``webhooks.py``): ``CONNECTION_STATUS`` and ``MEMBER`` webhooks with HTTP
  Basic, to BankBridge's receiver or the URL set with ``POST /sandbox/webhook_url``.
- The Connect widget URL (``/connect/<token>/<base64 config>``, ``pages.py``): single use,
  expires ten minutes after creation. MX's steps for the sandbox institution MX Bank
  (``mxbank``): institution search, credentials, MFA (TEXT, OPTIONS, IMAGE), an error step
  with "Try again", connected with a Done button. Its outcomes follow MX's documented test
  credentials (``state.py``). It speaks the widget's postMessage protocol
  (``ui_message_version`` 4, ``widget.py``) so ``@mxenabled/web-widget-sdk`` apps run
  unchanged: ``mx/load``, ``mx/connect/loaded``, ``institutionSearch``,
  ``selectedInstitution``, ``enterCredentials``/``updateCredentials``, ``submitMFA``,
  ``memberStatusUpdate``, ``memberConnected``, ``stepChange``, ``createMemberError``,
  ``connected/primaryAction`` and replies to the SDK's ``mx/navigation``. Connecting
  creates (or, with ``current_member_guid``, reconnects) a member with a checking and a
  savings account carrying stable account numbers and routing number 091000019.

Not emulated: other institutions, OAuth, the disclosure and consent steps, microdeposits,
background aggregation, jobs, transactions, webhooks other than member and connection
status, other widget types, WebView URL events (``is_mobile_webview``), ``mx/ping``, API
version headers, rate limits.
DELETE needs no ``Accept`` header (the official SDK's ``delete_member`` sends none).
Responses respect the strict types of the ``mx-platform-python`` SDK: ``metadata`` is a
string, and ``most_recent_job_guid`` / ``most_recent_job_detail_text`` are omitted (the SDK
types them as booleans).

Layout: ``state.py`` (record kinds, MX Bank, member transitions), ``api.py`` (the wire API),
``pages.py`` + ``templates/`` + ``scripts/`` (the Connect page; imports state, never the
API), ``widget.py`` (the widget's steps and events).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp

from bankbridge.partners.base import EmulatorContext
from bankbridge.partners.mx.emulator.api import MxApiError, PlatformApi, api_error
from bankbridge.partners.mx.emulator.pages import ConnectPage

__all__ = ["build_emulator"]


def build_emulator(context: EmulatorContext) -> ASGIApp:
    """The MX emulator as a Starlette app, to be mounted at ``/sandbox/mx``."""
    api, connect = PlatformApi(context), ConnectPage(context)
    users = "/users/{user_guid}"
    member = users + "/members/{member_guid}"
    routes = [
        Route("/users", api.create_user, methods=["POST"]),
        Route("/users", api.list_users, methods=["GET"]),
        Route(users, api.read_user, methods=["GET"]),
        Route(users, api.delete_user, methods=["DELETE"]),
        Route(users + "/widget_urls", api.request_widget_url, methods=["POST"]),
        Route(users + "/members", api.list_members, methods=["GET"]),
        Route(member, api.read_member, methods=["GET"]),
        Route(member, api.delete_member, methods=["DELETE"]),
        Route(member + "/status", api.read_member_status, methods=["GET"]),
        Route(member + "/check_balance", api.check_balance, methods=["POST"]),
        Route(users + "/accounts/{account_guid}", api.read_account, methods=["GET"]),
        Route(
            users + "/accounts/{account_guid}/sandbox/balance",
            api.set_account_balance,
            methods=["POST"],
        ),
        Route(member + "/accounts", api.list_member_accounts, methods=["GET"]),
        Route(member + "/account_numbers", api.list_numbers_by_member, methods=["GET"]),
        Route(
            users + "/accounts/{account_guid}/account_numbers",
            api.list_numbers_by_account,
            methods=["GET"],
        ),
        Route(member + "/sandbox/expire_credentials", api.expire_credentials, methods=["POST"]),
        Route("/sandbox/webhook_url", api.set_webhook_url, methods=["POST"]),
        Route("/connect.js", connect.script, methods=["GET"]),
        Route("/connect/{token}", connect.endpoint, methods=["GET", "POST"]),
        Route("/connect/{token}/{config}", connect.endpoint, methods=["GET", "POST"]),
    ]
    handlers = {MxApiError: api_error, HTTPException: api_error}
    return Starlette(routes=routes, exception_handlers=handlers)
