"""Console fixtures: a signed-in ``ConsoleUser`` per account (see ``console_user.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from bankbridge.domain.accounts import NewAccount
from console_user import ConsoleUser, link_with_plaid
from helpers import ApiClient


@pytest.fixture
def console_for(client: TestClient) -> Callable[[NewAccount], ConsoleUser]:
    """Factory: a console session signed in with an account's key and secret."""

    def make(new_account: NewAccount) -> ConsoleUser:
        return ConsoleUser.sign_in(client, new_account.application.key, new_account.secret)

    return make


@pytest.fixture
def console(console_for: Callable[[NewAccount], ConsoleUser], account: NewAccount) -> ConsoleUser:
    """The test account's console session."""
    return console_for(account)


@pytest.fixture
def linked(client: TestClient, api: ApiClient) -> dict[str, str]:
    """The test account's customer with a Plaid-linked checking account: their ids."""
    return link_with_plaid(client, api)
