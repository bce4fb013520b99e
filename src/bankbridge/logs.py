"""BankBridge's own logs: one format for every line, a request id in each, no secrets.

``logging_config`` is the ``logging.config.dictConfig`` document ``serve`` hands uvicorn,
which applies it in every worker process: BankBridge's loggers and uvicorn's share one
format, human-readable (``text``, the default) or one JSON object a line (``json``, set by
``BANKBRIDGE_LOG_FORMAT``). ``install_request_context`` makes every log record carry the
id of the request it was logged for (``request_id``, a context variable the request-id
middleware sets), so every line of one request shares it. Every message is run through
``redaction.redact_target`` before it is written: capability URLs and partner tokens never
reach a log.
"""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar
from typing import Any

from bankbridge.access_log import ACCESS_LOG
from bankbridge.redaction import redact_target

__all__ = [
    "JsonFormatter",
    "TextFormatter",
    "install_request_context",
    "logging_config",
    "request_id",
]

# The id of the request being served in this context ("-" outside any request).
request_id: ContextVar[str] = ContextVar("bankbridge_request_id", default="-")
# Structured fields a log call may pass as ``extra`` (partner calls, webhook attempts).
FIELDS = (
    "partner",
    "operation",
    "status",
    "outcome",
    "duration_ms",
    "attempt",
    "webhook_id",
    "retry_in_s",
)
_TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message key=value…``, secrets redacted."""

    def __init__(self, fmt: str = _TEXT_FORMAT) -> None:
        super().__init__(fmt)

    def format(self, record: logging.LogRecord) -> str:
        line = redact_target(super().format(record))
        fields = [f"{name}={record.__dict__[name]}" for name in FIELDS if name in record.__dict__]
        return f"{line} {' '.join(fields)}" if fields else line


class AccessTextFormatter(TextFormatter):
    """BankBridge's access log batches (``access_log``): a line per request, each with its
    own time and request id (any other record: a ``TextFormatter`` line)."""

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._stamp = ""

    def format(self, record: logging.LogRecord) -> str:
        entries = record.__dict__.get("entries")
        if entries is None:
            return super().format(record)
        level = f"{record.levelname:<7}"
        return "\n".join(
            f"{self._time(e.time)} {level} access [{e.request_id}] {e.line()}" for e in entries
        )

    def _time(self, created: float) -> str:
        # logging's default asctime (local time, milliseconds), its strftime once a second.
        second = int(created)
        if second != self._second:
            self._second, self._stamp = second, self.formatTime(_at(second))
        return f"{self._stamp[:-4]},{int((created - second) * 1000):03d}"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id and any fields."""

    def format(self, record: logging.LogRecord) -> str:
        entries = record.__dict__.get("entries")
        if entries is not None:  # BankBridge's access log: a batch of requests
            return "\n".join(
                json.dumps(
                    {
                        "time": _iso_time(e.time),
                        "level": record.levelname.lower(),
                        "logger": record.name,
                        "request_id": e.request_id,
                        "message": f"{e.method} {e.target}",
                        "client": e.client,
                        "method": e.method,
                        "path": e.target,
                        "http_version": e.http_version,
                        "status": e.status,
                        "duration_ms": round(e.duration_ms, 3),
                    }
                )
                for e in entries
            )
        document: dict[str, Any] = {
            "time": _iso_time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
        }
        document["message"] = redact_target(record.getMessage())
        document.update((n, record.__dict__[n]) for n in FIELDS if n in record.__dict__)
        if record.exc_info:
            document["exception"] = redact_target(self.formatException(record.exc_info))
        return json.dumps(document, default=str)


def install_request_context() -> None:
    """Give every log record of this process a ``request_id`` attribute (once)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "bankbridge_request_context", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        record.request_id = request_id.get()
        return record

    make_record.bankbridge_request_context = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)


def logging_config(log_format: str, level: str = "INFO", access_log: bool = True) -> dict[str, Any]:
    """The ``dictConfig`` document for uvicorn's and BankBridge's loggers (the access log
    is BankBridge's own, ``access_log``; without ``access_log`` it is off)."""
    json_lines = log_format == "json"
    formatter = (
        {"()": f"{__name__}.JsonFormatter"} if json_lines else {"()": f"{__name__}.TextFormatter"}
    )
    access = (
        {"()": f"{__name__}.JsonFormatter"}
        if json_lines
        else {"()": f"{__name__}.AccessTextFormatter"}
    )
    stream = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter, "access": access},
        "handlers": {
            "default": {**stream, "formatter": "default"},
            "access": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "access",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            ACCESS_LOG: {
                "handlers": ["access"],
                "level": level if access_log else "WARNING",
                "propagate": False,
            },
            "bankbridge": {"handlers": ["default"], "level": level, "propagate": False},
        },
    }


def _at(second: int) -> logging.LogRecord:
    record = logging.makeLogRecord({})
    record.created, record.msecs = float(second), 0.0
    return record


def _iso_time(created: float) -> str:
    seconds = int(created)
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        + f".{int((created - seconds) * 1000):03d}Z"
    )
