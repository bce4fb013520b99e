"""Outbound destinations chosen by a user (webhook URLs): which hosts BankBridge may reach.

In remote mode a platform's URL must lead to the public internet, never back into the
network BankBridge runs in (server-side request forgery). A destination is refused when
its host is a local or metadata name (``localhost``, ``*.internal``, a single label, …) or
when any address it resolves to is not public: loopback, private (10/8, 172.16/12,
192.168/16), shared (100.64/10), link-local (169.254/16, fe80::/10), unique-local
(fc00::/7), unspecified, multicast, reserved or documentation ranges, cloud metadata
addresses, and IPv6 forms that embed such an IPv4 address (``::ffff:127.0.0.1``, 6to4,
NAT64). Every notation is read by the resolver itself (``127.1``, ``0x7f000001``,
``2130706433``, ``localhost.``), never parsed here, so what is checked is what a
connection would reach.

The check runs when a URL is accepted and again on every connection, against the
addresses that connection then uses (``webhooks/transport.py``), so a name that later
resolves elsewhere (DNS rebinding) is refused too. Sandbox mode does not use this module:
local receivers are what a sandbox is for.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

__all__ = ["RESOLVE_TIMEOUT_SECONDS", "DestinationRefused", "is_public_address", "resolve_public"]

RESOLVE_TIMEOUT_SECONDS = 5.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that only ever mean "this machine" or "this private network" (RFC 6761, RFC 6762,
# RFC 8375, ICANN's .internal), and the cloud metadata services' own names.
_LOCAL_NAMES = frozenset({"localhost", "metadata.goog", "metadata.google.internal"})
_LOCAL_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".home.arpa", ".svc")
# Metadata endpoints inside ranges that are otherwise public (Azure's wire server); the
# others (169.254.169.254, fd00:ec2::254, 100.100.100.200) fall in refused ranges anyway.
_METADATA_ADDRESSES = frozenset({ipaddress.ip_address("168.63.129.16")})
# Special-purpose ranges that some Python versions still call global: shared address space
# (carrier-grade NAT), IETF protocol assignments (Oracle's metadata is 192.0.0.192) and
# local-use NAT64.
_NOT_PUBLIC = (
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("64:ff9b:1::/48"),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV


class DestinationRefused(Exception):
    """The host is not a public destination (or cannot be resolved to one)."""


def is_public_address(address: IPAddress) -> bool:
    """True when ``address`` is on the public internet (and no metadata endpoint)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
        if address.is_site_local:
            return False
    if any(address in network for network in _NOT_PUBLIC):
        return False
    return not (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address in _METADATA_ADDRESSES
    )


async def resolve_public(
    host: str, port: int, timeout: float = RESOLVE_TIMEOUT_SECONDS
) -> list[str]:
    """The addresses ``host`` resolves to, all public; otherwise ``DestinationRefused``.

    One non-public address refuses the host: a name under an attacker's control could
    otherwise list a public address first and an internal one second.
    """
    name = host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")
    if not name:
        raise DestinationRefused("empty host")
    try:
        # Numeric forms first, read by the resolver's own parser (no lookup, no waiting):
        # 127.1, 0x7f000001, 2130706433, 0177.0.0.1, ::ffff:127.0.0.1 all land here.
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM, flags=_NUMERIC)
    except (OSError, UnicodeError):
        _check_name(name)
        try:
            async with asyncio.timeout(timeout):
                infos = await asyncio.get_running_loop().getaddrinfo(
                    name, port, type=socket.SOCK_STREAM
                )
        except (OSError, TimeoutError, UnicodeError) as exc:
            raise DestinationRefused(f"{name} cannot be resolved") from exc
    found = [_address(name, info[4][0]) for info in infos]
    if not found:
        raise DestinationRefused(f"{name} resolves to no address")
    if not all(is_public_address(a) for a in found):
        raise DestinationRefused(f"{name} resolves to a non-public address")
    return list(dict.fromkeys(str(a) for a in found))


# Private helpers --------------------------------------------------------------------


def _check_name(name: str) -> None:
    """Refuse names that only ever mean this machine or its private network."""
    # A single label resolves through the resolver's search domains, i.e. to the local
    # network ("metadata", "intranet"); a public receiver always has a dotted name.
    if "." not in name or name in _LOCAL_NAMES or name.endswith(_LOCAL_SUFFIXES):
        raise DestinationRefused(f"{name} is a local name")


def _address(name: str, text: object) -> IPAddress:
    """The address in a resolver answer (a zone id is dropped)."""
    try:
        return ipaddress.ip_address(str(text).partition("%")[0])
    except ValueError as exc:
        raise DestinationRefused(f"{name} resolves to an unreadable address") from exc


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one reaches: mapped, compatible, 6to4 or NAT64 forms."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    packed = address.packed
    if address in _NAT64 or (packed[:12] == bytes(12) and int(address) > 1):
        # NAT64's well-known prefix, and the deprecated IPv4-compatible ::a.b.c.d form.
        return ipaddress.IPv4Address(packed[12:])
    return None
