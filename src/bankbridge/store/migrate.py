"""Schema migrations: numbered ``migrations/NNNN_name.sql`` files, each applied once.

Every command that opens the database calls ``migrate``; it is idempotent and safe when
several processes start at once (the applying transaction holds the database's write lock).
Files hold portable SQL that both SQLite and PostgreSQL accept; statements are separated
by semicolons at line ends.
"""

from __future__ import annotations

from importlib import resources

from bankbridge.clock import now, to_micros
from bankbridge.store.base import Database

__all__ = ["available_migrations", "migrate"]

_CREATE_LEDGER = (
    "CREATE TABLE IF NOT EXISTS schema_migrations "
    "(version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)"
)


def available_migrations() -> list[tuple[str, str]]:
    """(version, SQL) for every migration file shipped with the package, in order."""
    folder = resources.files("bankbridge.store") / "migrations"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


async def migrate(database: Database) -> list[str]:
    """Apply every migration not yet recorded; return the versions applied now."""
    applied: list[str] = []
    for version, sql in available_migrations():
        async with database.transaction() as tx:
            if database.dialect == "postgresql":
                # Serialise concurrent starts; SQLite's BEGIN IMMEDIATE already does.
                await tx.execute("SELECT pg_advisory_xact_lock(4242)")
            await tx.execute(_CREATE_LEDGER)
            done = await tx.fetch_one(
                "SELECT version FROM schema_migrations WHERE version = :v", {"v": version}
            )
            if done:
                continue
            for statement in _statements(sql):
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :t)",
                {"v": version, "t": to_micros(now())},
            )
            applied.append(version)
    return applied


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";")]
