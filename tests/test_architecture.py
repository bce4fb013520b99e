"""Imports point one way: the domain needs neither the web stack nor a database driver."""

from __future__ import annotations

import subprocess
import sys

from helpers import TEST_OWNER

DOMAIN_MODULES = [
    "bankbridge.domain.accounts",
    "bankbridge.domain.customers",
    "bankbridge.domain.exchange_partners",
    "bankbridge.domain.exchange_sessions",
    "bankbridge.domain.exchanges",
    "bankbridge.domain.funding_sources",
    "bankbridge.domain.available_connections",
]


def test_domain_imports_no_web_stack_or_database_driver():
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in DOMAIN_MODULES)
        + "found = [m for m in ('starlette', 'httpx', 'sqlite3', 'asyncpg') if m in sys.modules]\n"
        + "print(','.join(found))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_partner_registry_builds_every_adapter_and_emulator(services, settings):
    from bankbridge.partners import PARTNERS

    assert [p.slug for p in PARTNERS] == ["mx", "plaid", "checkout"]
    assert set(services.adapters_for(TEST_OWNER)) == {"mx", "plaid", "checkout"}
