"""BankBridge's own access log (``access_log``): batches, line format, redaction."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bankbridge.access_log import AccessLog
from bankbridge.logs import AccessTextFormatter, JsonFormatter


class _Collect(logging.Handler):
    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.extend(self.format(record).split("\n"))


@pytest.fixture
def collected(request):
    logger = logging.getLogger(f"bankbridge.access.test.{request.node.name}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = _Collect(request.param if hasattr(request, "param") else AccessTextFormatter())
    logger.addHandler(handler)
    yield AccessLog(logger.name), handler
    logger.removeHandler(handler)


def _add(log: AccessLog, n: int, path: str = "/customers", query: bytes = b"") -> None:
    for i in range(n):
        log.add(
            1_800_000_000.25 + i,
            f"req-{i}",
            ("127.0.0.1", 5000 + i),
            "GET",
            path,
            query,
            "1.1",
            200,
            1.5,
        )


def test_requests_of_one_loop_turn_are_written_as_one_record_in_order(collected):
    log, handler = collected

    async def serve() -> None:
        _add(log, 3)
        assert handler.records == []  # nothing written during the turn
        await asyncio.sleep(0)
        _add(log, 2, "/customers/x")
        await asyncio.sleep(0)

    asyncio.run(serve())
    assert [len(r.entries) for r in handler.records] == [3, 2]
    assert len(handler.lines) == 5
    first = handler.lines[0]
    assert first.endswith(
        ' access [req-0] 127.0.0.1:5000 - "GET /customers HTTP/1.1" 200 duration_ms=1.50'
    )
    assert " INFO    access " in first
    assert first[:23].count(",") == 1 and first[20:23] == "250"  # each line its own time
    assert handler.lines[1].split()[1].endswith(",250")


@pytest.mark.parametrize("collected", [JsonFormatter()], indirect=True)
def test_json_lines_carry_each_requests_fields(collected):
    log, handler = collected

    async def serve() -> None:
        _add(log, 2, "/sandbox/plaid/link", b"token=link-sandbox-abc")
        await asyncio.sleep(0)

    asyncio.run(serve())
    lines = [json.loads(line) for line in handler.lines]
    assert [line["request_id"] for line in lines] == ["req-0", "req-1"]
    assert lines[0]["path"] == "/sandbox/plaid/link?token=[redacted]"
    assert lines[0]["status"] == 200 and lines[0]["duration_ms"] == 1.5
    assert lines[0]["client"] == "127.0.0.1:5000" and lines[0]["logger"] == handler.records[0].name


@pytest.mark.parametrize(
    ("path", "query", "logged"),
    [
        ("/sandbox/checkout/flow/ps_2abc", b"", "/sandbox/checkout/flow/[redacted]"),
        ("/sandbox/plaid/link", b"token=link-sandbox-1", "/sandbox/plaid/link?token=[redacted]"),
        ("/caf\u00e9/x y", b"", "/caf%C3%A9/x%20y"),
        ("/exchange-sessions/4f1c6a4e-0000-4000-8000-000000000000", b"", None),
    ],
)
def test_targets_are_quoted_and_redacted_as_uvicorns_were(collected, path, query, logged):
    log, handler = collected

    async def serve() -> None:
        _add(log, 1, path, query)
        await asyncio.sleep(0)

    asyncio.run(serve())
    (entry,) = handler.records[0].entries
    assert entry.target == (path if logged is None else logged)


def test_nothing_is_collected_when_the_logger_is_off():
    log = AccessLog("bankbridge.access.test.off")
    log.logger.setLevel(logging.WARNING)
    assert not log.enabled()
