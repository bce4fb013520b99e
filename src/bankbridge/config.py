"""Settings: every ``BANKBRIDGE_*`` environment variable is read here, once, into ``Settings``.

Partner settings decide sandbox vs remote: in ``sandbox`` mode (the default) each adapter
talks to BankBridge's own emulator; in ``remote`` mode it talks to the partner's real API
with the credentials given here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["PartnerCredentials", "Secret", "Settings", "load_settings"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Also the defaults of `bankbridge serve --host/--port` (cli.py reads these names from here).
HOST_VARIABLE = "BANKBRIDGE_HOST"
PORT_VARIABLE = "BANKBRIDGE_PORT"
DEFAULT_DATABASE_URL = "sqlite:///var/bankbridge.db"
MODES = ("sandbox", "remote")
LOG_FORMATS = ("text", "json")
DEFAULT_PARTNER_TIMEOUT_SECONDS = 10.0
DEFAULT_PARTNER_RETRIES = 2
DEFAULT_BREAKER_FAILURES = 5
DEFAULT_BREAKER_SECONDS = 30

# Real partner endpoints used in remote mode unless overridden.
REMOTE_BASE_URLS = {
    "mx": "https://int-api.mx.com",
    "plaid": "https://sandbox.plaid.com",
    "checkout": "https://api.sandbox.checkout.com",
}


class Secret:
    """A string that never shows itself in ``repr``/``str`` (logs, tracebacks)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def peek(self) -> str:
        """Return the secret value; call only where it is sent or compared."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class PartnerCredentials:
    """Where and how an adapter reaches one partner."""

    base_url: str
    client_id: str
    secret: Secret


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of one BankBridge process."""

    database_url: str = DEFAULT_DATABASE_URL
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url_override: str | None = None
    mode: str = "sandbox"
    token_ttl_seconds: int = 3600
    max_body_bytes: int = 1_048_576
    secret_key: Secret | None = None
    partner_overrides: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    log_format: str = "text"
    # Per partner slug; a partner missing here follows ``mode`` and the defaults below.
    partner_modes: Mapping[str, str] = field(default_factory=dict)
    partner_timeouts: Mapping[str, float] = field(default_factory=dict)
    partner_retries: int = DEFAULT_PARTNER_RETRIES
    breaker_failures: int = DEFAULT_BREAKER_FAILURES
    breaker_seconds: int = DEFAULT_BREAKER_SECONDS

    @property
    def public_url(self) -> str:
        """Base of every link and Location header, without a trailing slash."""
        if self.public_url_override:
            return self.public_url_override.rstrip("/")
        return f"http://{self.host}:{self.port}"

    @property
    def sandbox(self) -> bool:
        """True when the adapters talk to the built-in emulators."""
        return self.mode == "sandbox"

    def partner_mode(self, slug: str) -> str:
        """``sandbox`` or ``remote`` for one partner (``BANKBRIDGE_<PARTNER>_MODE``)."""
        return self.partner_modes.get(slug, self.mode)

    def partner_timeout(self, slug: str) -> float:
        """Seconds one call to the partner may take (``BANKBRIDGE_<PARTNER>_TIMEOUT_SECONDS``)."""
        return self.partner_timeouts.get(slug, DEFAULT_PARTNER_TIMEOUT_SECONDS)

    def emulator_url(self, slug: str) -> str:
        """Public base URL of one partner's emulator (API and hosted pages)."""
        return f"{self.public_url}/sandbox/{slug}"

    def partner(self, slug: str) -> PartnerCredentials:
        """Base URL and credentials of the real partner ``slug`` (remote mode).

        In sandbox mode each account has its own derived credentials for the emulators
        (``partners/kit/keys.py``); nothing here applies to them.
        """
        given = self.partner_overrides.get(slug, {})
        return PartnerCredentials(
            given.get("base_url") or REMOTE_BASE_URLS[slug],
            given.get("client_id", ""),
            Secret(given.get("secret", "")),
        )

    def with_changes(self, **changes: object) -> Settings:
        """A copy with some fields replaced (CLI flags override the environment)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``BANKBRIDGE_*`` variables from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    mode = env.get("BANKBRIDGE_MODE", "sandbox").strip().lower()
    if mode not in MODES:
        raise ValueError(f"BANKBRIDGE_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    log_format = env.get("BANKBRIDGE_LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in LOG_FORMATS:
        raise ValueError(
            f"BANKBRIDGE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}"
        )
    overrides: dict[str, dict[str, str]] = {}
    partner_modes: dict[str, str] = {}
    partner_timeouts: dict[str, float] = {}
    for slug in REMOTE_BASE_URLS:
        prefix = f"BANKBRIDGE_{slug.upper()}_"
        partner_modes[slug] = _choice(env, prefix + "MODE", MODES, mode)
        partner_timeouts[slug] = float(
            _integer(env, prefix + "TIMEOUT_SECONDS", int(DEFAULT_PARTNER_TIMEOUT_SECONDS), 1, 600)
        )
        values = {
            key: env[prefix + key.upper()]
            for key in ("base_url", "client_id", "secret")
            if env.get(prefix + key.upper())
        }
        overrides[slug] = values
    return Settings(
        database_url=env.get("BANKBRIDGE_DATABASE_URL") or DEFAULT_DATABASE_URL,
        host=env.get(HOST_VARIABLE) or DEFAULT_HOST,
        port=_integer(env, PORT_VARIABLE, DEFAULT_PORT, 1, 65535),
        public_url_override=env.get("BANKBRIDGE_PUBLIC_URL") or None,
        mode=mode,
        token_ttl_seconds=_integer(env, "BANKBRIDGE_TOKEN_TTL_SECONDS", 3600, 1),
        secret_key=Secret(env["BANKBRIDGE_SECRET_KEY"])
        if env.get("BANKBRIDGE_SECRET_KEY")
        else None,
        partner_overrides=overrides,
        log_format=log_format,
        partner_modes=partner_modes,
        partner_timeouts=partner_timeouts,
        partner_retries=_integer(env, "BANKBRIDGE_PARTNER_RETRIES", DEFAULT_PARTNER_RETRIES, 0, 5),
        breaker_failures=_integer(
            env, "BANKBRIDGE_BREAKER_FAILURES", DEFAULT_BREAKER_FAILURES, 1, 1000
        ),
        breaker_seconds=_integer(
            env, "BANKBRIDGE_BREAKER_SECONDS", DEFAULT_BREAKER_SECONDS, 1, 3600
        ),
    )


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    """One of ``choices`` (case-insensitive); a ``ValueError`` that says what to set otherwise."""
    value = env.get(name, "").strip().lower() or default
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _integer(
    env: Mapping[str, str], name: str, default: int, low: int, high: int | None = None
) -> int:
    """An integer setting within bounds; a ``ValueError`` that says what to set otherwise."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    bounds = f"{low} to {high}" if high is not None else f"at least {low}"
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be a whole number, {bounds}, not {raw!r}")
    return value


def sqlite_path(database_url: str) -> Path:
    """The file behind a ``sqlite:///relative`` or ``sqlite:////absolute`` URL."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        raise ValueError(f"not a SQLite URL: {database_url!r}")
    return Path(database_url[len(prefix) :])
