"""Imports point one way (import-linter's contracts); the domain loads no web stack or driver."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import TEST_OWNER


def test_importing_the_whole_domain_at_run_time_loads_no_web_stack_or_database_driver():
    """The layers are import-linter's contracts (pyproject.toml, run by `make lint`); this
    also catches what a static graph cannot see, such as an import made through importlib."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import bankbridge.domain as domain\n"
        "for found in pkgutil.iter_modules(domain.__path__, 'bankbridge.domain.'):\n"
        "    importlib.import_module(found.name)\n"
        "assert len([m for m in sys.modules if m.startswith('bankbridge.domain.')]) > 5\n"
        "found = [m for m in ('starlette', 'httpx', 'sqlite3', 'asyncpg') if m in sys.modules]\n"
        "print(','.join(found))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_import_contracts_hold():
    """`lint-imports` (import-linter) keeps every contract in pyproject.toml."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_partner_registry_builds_every_adapter_and_emulator(services, settings):
    from bankbridge.partners import PARTNERS

    assert [p.slug for p in PARTNERS] == ["mx", "plaid", "checkout"]
    assert set(services.adapters_for(TEST_OWNER)) == {"mx", "plaid", "checkout"}
