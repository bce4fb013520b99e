"""Time in one place: UTC datetimes, epoch-microsecond storage, Dwolla's ISO-8601 format."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["from_micros", "isoformat", "now", "to_micros"]


def now() -> datetime:
    """The current UTC time."""
    return datetime.now(UTC)


def to_micros(moment: datetime) -> int:
    """A UTC datetime as integer microseconds since the epoch (how the store keeps time)."""
    return int(moment.timestamp() * 1_000_000)


def from_micros(micros: int) -> datetime:
    """The inverse of ``to_micros``."""
    return datetime.fromtimestamp(micros / 1_000_000, UTC)


def isoformat(moment: datetime) -> str:
    """Dwolla's timestamp format: ``2024-03-25T17:13:38.430Z``."""
    m = moment.astimezone(UTC)  # fields by hand: strftime is several times slower
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}."
        f"{m.microsecond // 1000:03d}Z"
    )
