"""Dwolla's Node SDK (dwolla-v2), unchanged, against a live BankBridge through the preload.

The preload's path comes from ``bankbridge node-preload``, as the README tells integrators.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from live_server import free_port, live_platform
from support.frontend import PACKAGE_DIR

SCRIPTS = PACKAGE_DIR / "node"
SANDBOX = "https://api-sandbox.dwolla.com"


@pytest.fixture(scope="module")
def preload() -> str:
    """``NODE_OPTIONS`` as the README gives it: ``--require`` the path the CLI prints."""
    printed = subprocess.run(
        [sys.executable, "-m", "bankbridge", "node-preload"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert Path(printed).is_file() and printed.endswith(".cjs")
    return f"--require {printed}"


def test_dwolla_v2_runs_unchanged_against_bankbridge_under_the_preload(frontend, preload, settings):
    with live_platform(settings, name="Node SDK") as live:
        key, secret = live.account.application.key, live.account.secret
        result = frontend.run_node(
            SCRIPTS / "dwolla_v2_flow.cjs",
            env={"BANKBRIDGE_URL": live.base, "DWOLLA_APP_KEY": key, "DWOLLA_APP_SECRET": secret},
            node_options=preload,
        )
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        # The SDK still believes it talks to Dwolla's sandbox...
        assert (out["apiUrl"], out["tokenUrl"]) == (SANDBOX, f"{SANDBOX}/token")
        # ...and BankBridge answered every call, with its own hrefs.
        assert out["customerUrl"] == f"{live.base}/customers/{out['customerId']}"
        assert live.api.get(out["customerUrl"]).json()["email"] == "node.preload@example.com"
        assert out["partners"] == ["MX", "Plaid", "Checkout.com"]
        session = out["session"]
        assert session["_links"]["self"]["href"] == out["sessionUrl"]
        assert session["_links"]["exchange-partner"]["href"].startswith(f"{live.base}/")
        assert session["externalProviderSessionToken"].startswith("link-sandbox-")
        assert live.api.get(out["sessionUrl"]).json() == session


def test_the_preload_redirects_every_node_request_api_for_the_sandbox_host_only(frontend, preload):
    port = free_port()
    result = frontend.run_node(
        SCRIPTS / "preload_probe.cjs",
        env={"BANKBRIDGE_URL": f"http://127.0.0.1:{port}/bb", "ECHO_PORT": str(port)},
        node_options=preload,
    )
    assert result.returncode == 0, result.stderr
    here = f"127.0.0.1:{port}"
    echoes = {
        name: (echo["host"], echo["method"], echo["path"], echo["body"])
        for name, echo in json.loads(result.stdout).items()
    }
    assert echoes == {
        "fetch string": (here, "POST", "/bb/token?grant=1", "a=b"),
        "fetch URL": (here, "GET", "/bb/customers", ""),
        # An href BankBridge wrote under its prefix, rebuilt on Dwolla's host: not doubled.
        "fetch Request": (here, "POST", "/bb/customers/2", "hi"),
        "https.get string": (here, "GET", "/bb/customers/1", ""),
        "https.request URL and options": (here, "DELETE", "/bb/a", ""),
        "https.request options": (here, "POST", "/bb/b", "body"),
        "http.request production": (f"api.dwolla.com:{port}", "GET", "/c", ""),
    }


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/", "http://127.0.0.1:8000/?a=1"])
def test_the_preload_refuses_a_bankbridge_url_that_is_no_base_url(frontend, preload, url):
    result = frontend.run_node(
        SCRIPTS / "preload_probe.cjs", env={"BANKBRIDGE_URL": url}, node_options=preload
    )
    assert result.returncode != 0
    assert "bankbridge preload: BANKBRIDGE_URL" in result.stderr
