"""PLACEHOLDER: replaced by the MX emulator."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import ASGIApp

from bankbridge.partners.base import EmulatorContext


def build_emulator(context: EmulatorContext) -> ASGIApp:
    return Starlette(routes=[])
