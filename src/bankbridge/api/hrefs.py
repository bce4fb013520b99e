"""Building and parsing resource hrefs against ``Settings.public_url``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.requests import Request

from bankbridge.api.auth import services_of
from bankbridge.errors import ValidationError

__all__ = ["Hrefs", "hrefs"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Hrefs:
    """Absolute URLs of resources under one public base URL."""

    def __init__(self, base: str) -> None:
        self.base = base

    def to(self, *segments: str) -> str:
        """``<base>/a/b`` for segments ``a``, ``b``."""
        return "/".join([self.base, *segments])

    @staticmethod
    def id_in(href: str, collection: str, path: str, label: str) -> str:
        """The id at the end of ``…/<collection>/<id>``; a ``ValidationError`` at ``path`` else."""
        try:
            parts = urlsplit(href.strip())
        except ValueError:
            parts = None
        segments = parts.path.rstrip("/").split("/") if parts else []
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or len(segments) < 2
            or segments[-2] != collection
            or not _UUID.match(segments[-1])
        ):
            raise ValidationError.single(
                path,
                "Invalid",
                f"{label} href is invalid: {path} must be a URL ending in /{collection}/{{id}}.",
            )
        return segments[-1].lower()


def hrefs(request: Request) -> Hrefs:
    """The href builder for this process's public URL."""
    return Hrefs(services_of(request).settings.public_url)
