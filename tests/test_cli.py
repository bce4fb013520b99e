"""The ``bankbridge`` command, through its real entry point."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from bankbridge.cli import main


def _cli(tmp_path, *args, check=True):
    env = {**os.environ, "BANKBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    result = subprocess.run(
        [sys.executable, "-m", "bankbridge", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_accounts_create_prints_one_json_object_with_credentials(tmp_path):
    result = _cli(
        tmp_path,
        "accounts",
        "create",
        "--name",
        "Acme",
        "--redirect-url",
        "https://acme.example/cb",
        "--json",
    )
    document = json.loads(result.stdout)
    assert {"id", "key", "secret"} <= set(document)
    assert document["redirectUrls"] == ["https://acme.example/cb"]
    assert document["partners"] == ["mx", "plaid", "checkout"]


def test_accounts_create_can_restrict_partners(tmp_path):
    result = _cli(
        tmp_path,
        "accounts",
        "create",
        "--name",
        "P",
        "--partner",
        "Plaid",
        "--partner",
        "checkout.com",
        "--json",
    )
    assert json.loads(result.stdout)["partners"] == ["plaid", "checkout"]


def test_accounts_create_rejects_unknown_partner_and_bad_url(tmp_path):
    bad_partner = _cli(
        tmp_path, "accounts", "create", "--name", "P", "--partner", "Finicity", check=False
    )
    assert bad_partner.returncode == 2
    assert "unknown exchange partner" in bad_partner.stderr
    bad_url = _cli(
        tmp_path, "accounts", "create", "--name", "P", "--redirect-url", "ftp://x", check=False
    )
    assert bad_url.returncode == 2
    assert "redirect URL" in bad_url.stderr


def test_accounts_list_shows_created_accounts_without_secrets(tmp_path):
    created = json.loads(_cli(tmp_path, "accounts", "create", "--name", "Acme", "--json").stdout)
    listed = json.loads(_cli(tmp_path, "accounts", "list", "--json").stdout)
    assert [a["id"] for a in listed] == [created["id"]]
    assert created["secret"] not in json.dumps(listed)


def test_secret_never_reaches_the_database_file(tmp_path):
    created = json.loads(_cli(tmp_path, "accounts", "create", "--name", "Acme", "--json").stdout)
    for path in tmp_path.glob("cli.db*"):
        assert created["secret"].encode() not in path.read_bytes()


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "serve" in capsys.readouterr().out


def test_bad_mode_is_reported(monkeypatch, capsys):
    monkeypatch.setenv("BANKBRIDGE_MODE", "production-ish")
    assert main(["accounts", "list"]) == 2
    assert "BANKBRIDGE_MODE" in capsys.readouterr().err


def test_serve_with_demo_prints_the_same_working_credentials_at_every_start(tmp_path):
    first = _start_and_stop_demo(tmp_path)
    assert _start_and_stop_demo(tmp_path) == first


def test_version_is_printed(capsys):
    assert main(["--version"]) == 0
    assert re.fullmatch(r"bankbridge, version \d+\.\d+\.\d+\n", capsys.readouterr().out)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BANKBRIDGE_DATABASE_URL": "postgresql://127.0.0.1/x"}, "BANKBRIDGE_SECRET_KEY"),
        ({"BANKBRIDGE_MODE": "live"}, "BANKBRIDGE_MODE"),
        ({"BANKBRIDGE_PORT": "eighty"}, "BANKBRIDGE_PORT"),
        ({"BANKBRIDGE_TOKEN_TTL_SECONDS": "0"}, "BANKBRIDGE_TOKEN_TTL_SECONDS"),
        (
            {"BANKBRIDGE_DATABASE_URL": "mysql://db/x", "BANKBRIDGE_SECRET_KEY": "k"},
            "BANKBRIDGE_DATABASE_URL",
        ),
    ],
)
def test_serve_reports_a_configuration_error_in_one_line(tmp_path, env, named):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANKBRIDGE_")}
    result = subprocess.run(
        [sys.executable, "-m", "bankbridge", "serve", "--port", str(_free_port())],
        env={**environment, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert named in result.stderr
    # One line, or click's usage message for a flag's environment variable.
    assert len(result.stderr.strip().splitlines()) == 1 or "Usage:" in result.stderr


def test_serve_on_a_busy_port_stops_before_touching_the_database(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "bankbridge", "serve", "--port", str(port), "--demo"],
            env={**os.environ, "BANKBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/db/x.db"},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "db").exists()  # no database, no key file, no demo account


def _serve_once(tmp_path, *flags, port_from_environment=False, while_up=None):
    """Run ``bankbridge serve`` until /health answers (then ``while_up(port)``, when given),
    stop it with SIGINT; returns its output."""
    port = _free_port()
    env = {**os.environ, "BANKBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path}/serve.db"}
    if port_from_environment:
        env["BANKBRIDGE_PORT"] = str(port)
    else:
        flags = ("--port", str(port), *flags)
    process = subprocess.Popen(
        [sys.executable, "-m", "bankbridge", "serve", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        if while_up is not None:
            while_up(port)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output


def _start_and_stop_demo(tmp_path):
    pages = []

    def open_console(port):
        # The printed console URL, as a browser opens it: the sign-in page.
        console = f"http://127.0.0.1:{port}/console/"
        pages.append((console, httpx.get(console, follow_redirects=True)))

    output = _serve_once(tmp_path, "--demo", while_up=open_console)
    [(console, page)] = pages
    assert f"console: {console} " in output, output
    assert output.index("console:") < output.index("key:"), output
    assert page.status_code == 200 and 'name="secret"' in page.text, page.text
    key = re.search(r"key:\s+(\S+)", output).group(1)
    secret = re.search(r"secret:\s+(\S+)", output).group(1)
    # The credentials printed work against the same database.
    from starlette.testclient import TestClient

    from bankbridge.app import create_app
    from bankbridge.config import Settings

    database_url = f"sqlite:///{tmp_path}/serve.db"
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        token = client.post("/token", data={"grant_type": "client_credentials"}, auth=(key, secret))
        assert token.status_code == 200, output
    return key, secret


def test_serve_listens_on_bankbridge_port_without_a_port_flag(tmp_path):
    output = _serve_once(tmp_path, port_from_environment=True)
    assert "Uvicorn running on http://127.0.0.1:" in output


def test_serve_refuses_a_port_out_of_range(tmp_path):
    result = _cli(tmp_path, "serve", "--port", "70000", check=False)
    assert result.returncode == 2
    assert "--port" in result.stderr


@pytest.mark.parametrize("flags", [[], ["--no-access-log"]])
def test_serve_logs_each_request_unless_no_access_log(tmp_path, flags):
    output = _serve_once(tmp_path, *flags)
    assert "Uvicorn running on" in output  # startup is still logged either way
    logged = '"GET /health HTTP/1.1" 200' in output
    assert logged == (flags == []), output


def test_accounts_create_shows_the_accounts_own_sandbox_partner_credentials(tmp_path):
    created = json.loads(_cli(tmp_path, "accounts", "create", "--name", "Acme", "--json").stdout)
    sandbox = created["sandbox"]
    assert set(sandbox) == {"plaid", "mx", "checkout"}
    assert sandbox["checkout"]["publicKey"].startswith("pk_sbox_")
    from starlette.testclient import TestClient

    from bankbridge.app import create_app
    from bankbridge.config import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path}/cli.db")
    with TestClient(create_app(settings)) as client:
        plaid = client.post(
            "/sandbox/plaid/sandbox/public_token/create",
            json={"institution_id": "ins_109508", "initial_products": ["auth"]},
            headers={
                "PLAID-CLIENT-ID": sandbox["plaid"]["clientId"],
                "PLAID-SECRET": sandbox["plaid"]["secret"],
            },
        )
        assert plaid.status_code == 200, plaid.text
        mx = client.get(
            "/sandbox/mx/users",
            auth=(sandbox["mx"]["clientId"], sandbox["mx"]["apiKey"]),
            headers={"Accept": "application/vnd.mx.api.v1+json"},
        )
        assert mx.status_code == 200, mx.text
        checkout = client.get(
            "/sandbox/checkout/payments/pay_unknown",
            headers={"Authorization": f"Bearer {sandbox['checkout']['secretKey']}"},
        )
        assert checkout.status_code == 404  # authenticated; no such payment
