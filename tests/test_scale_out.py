"""Several ``bankbridge serve`` processes on one PostgreSQL database behave as one service."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from live_server import free_port

PUBLIC_URL = "http://bankbridge.test"  # one public URL, as behind a load balancer
HAL = "application/vnd.dwolla.v1.hal+json"


@pytest.fixture
def cluster(postgres_database, tmp_path):
    """Start processes on the run's PostgreSQL database: ``start()`` -> (process, base URL)."""
    env = {
        **os.environ,
        "BANKBRIDGE_DATABASE_URL": postgres_database,
        "BANKBRIDGE_SECRET_KEY": "scale-out-test-key",
        "BANKBRIDGE_PUBLIC_URL": PUBLIC_URL,
    }
    processes = []

    def start(workers=1):
        port = free_port()
        command = [sys.executable, "-m", "bankbridge", "serve", "--port", str(port)]
        if workers > 1:
            command += ["--workers", str(workers)]
        log = tmp_path / f"server-{port}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, env=env, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT
            )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    return process, base
            except httpx.TransportError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)

    def account():
        result = subprocess.run(
            [sys.executable, "-m", "bankbridge", "accounts", "create", "--name", "Scale", "--json"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)

    start.account = account
    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _token(base, account):
    response = httpx.post(
        f"{base}/token",
        data={"grant_type": "client_credentials"},
        auth=(account["key"], account["secret"]),
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}", "Accept": HAL}


def _local(base, href):
    return href.replace(PUBLIC_URL, base)


def test_a_session_created_through_one_process_is_read_through_another(cluster):
    (_, first), (_, second) = cluster(), cluster()
    account = cluster.account()
    headers = _token(first, account)  # a token from the first process...
    customer = httpx.post(
        f"{first}/customers",
        json={"firstName": "A", "lastName": "B", "email": "a@example.com"},
        headers=headers,
    )
    assert customer.status_code == 201
    partners = httpx.get(f"{second}/exchange-partners", headers=headers).json()  # ...works on both
    plaid = next(p for p in partners["_embedded"]["exchange-partners"] if p["name"] == "Plaid")
    session = httpx.post(
        _local(first, customer.headers["location"]) + "/exchange-sessions",
        json={"_links": {"exchange-partner": {"href": plaid["_links"]["self"]["href"]}}},
        headers=headers,
    )
    assert session.status_code == 201, session.text
    via_first = httpx.get(_local(first, session.headers["location"]), headers=headers)
    via_second = httpx.get(_local(second, session.headers["location"]), headers=headers)
    assert via_second.status_code == 200
    assert via_second.json() == via_first.json()
    assert via_second.json()["externalProviderSessionToken"].startswith("link-sandbox-")


def test_one_idempotency_key_on_two_processes_creates_exactly_one_resource(cluster):
    (_, first), (_, second) = cluster(), cluster()
    account = cluster.account()
    headers = {**_token(first, account), "Idempotency-Key": str(uuid.uuid4())}
    body = {"firstName": "A", "lastName": "B", "email": "race@example.com"}
    bases = [first, second] * 6
    with ThreadPoolExecutor(max_workers=len(bases)) as pool:
        responses = list(
            pool.map(
                lambda base: httpx.post(f"{base}/customers", json=body, headers=headers), bases
            )
        )
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.headers["location"] for r in responses}) == 1
    listed = httpx.get(f"{second}/customers", headers=headers).json()
    assert listed["total"] == 1


def test_sigkill_during_a_burst_loses_no_acknowledged_creation(cluster):
    (victim, first), (_, second) = cluster(), cluster()
    account = cluster.account()
    headers = _token(second, account)
    acknowledged: list[str] = []
    stop = threading.Event()

    def burst():
        with httpx.Client(timeout=5) as client:
            for n in range(10_000):
                if stop.is_set():
                    return
                try:
                    response = client.post(
                        f"{first}/customers",
                        json={"firstName": "K", "lastName": "L", "email": f"k{n}@example.com"},
                        headers=headers,
                    )
                except httpx.TransportError:
                    return  # the process is gone
                if response.status_code == 201:
                    acknowledged.append(response.headers["location"])

    worker = threading.Thread(target=burst)
    worker.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    worker.join(timeout=30)
    stop.set()
    assert len(acknowledged) >= 20
    for location in acknowledged:
        assert httpx.get(_local(second, location), headers=headers).status_code == 200, location


def test_workers_flag_serves_from_several_processes(cluster):
    _, base = cluster(workers=2)
    account = cluster.account()
    headers = _token(base, account)
    for n in range(10):  # tokens and writes land on either worker
        created = httpx.post(
            f"{base}/customers",
            json={"firstName": "W", "lastName": "X", "email": f"w{n}@example.com"},
            headers=headers,
        )
        assert created.status_code == 201
    assert httpx.get(f"{base}/customers", headers=headers).json()["total"] == 10
