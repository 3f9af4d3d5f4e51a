"""Where a webhook may be delivered: public addresses only, checked after DNS resolution.

A webhook URL is chosen by a merchant, so without a check Colony would POST to whatever it
names: its own loopback services, the private network it runs in, or a cloud metadata
address that hands out credentials. The host is resolved, and every address it resolves to
must be public, when the endpoint is set and again at each delivery (DNS can change in
between: "rebinding"); the delivery then connects to the address that was checked, never to a
second resolution of the name. Loopback is allowed only by an explicit development setting,
off by default (`WebhookTargets(allow_loopback=True)`, `colony serve --allow-loopback-webhooks`).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Addresses one host may resolve to before it is refused: bounds the checking work.
resolved_addresses_max = 32

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Resolves (host, port) to its addresses; raises OSError when the name does not resolve.
Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Every TCP address the system's resolver gives for the host."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class TargetRefused(Exception):
    """The URL may not be delivered to; `code` names why for the API's error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Target:
    """A URL whose host was resolved and checked: deliver to `address`, name `host`."""

    url: str
    scheme: str
    host: str
    port: int
    address: IpAddress


def _refusal(address: IpAddress, allow_loopback: bool) -> str | None:
    """Why the address may not take webhooks, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _refusal(address.ipv4_mapped, allow_loopback)
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    if address.is_link_local:
        return "link-local"  # 169.254.169.254, the cloud metadata service, is one
    if address.is_private:
        return "private"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "not public"  # shared address space (100.64.0.0/10) and the like
    return None


@dataclass(frozen=True)
class WebhookTargets:
    """The policy for webhook URLs, with the resolver it checks through (passed in for tests)."""

    allow_loopback: bool = False
    resolve: Resolver = field(default=system_resolver)

    def check(self, url: str) -> Target:
        """Resolve the URL's host and check every address; raises TargetRefused."""
        try:
            parts = urlsplit(url)
            scheme, host = parts.scheme, parts.hostname or ""
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:  # a malformed IPv6 host, or a port out of range
            raise TargetRefused("url_invalid", "url must be an absolute https:// URL") from None
        if scheme not in ("https", "http") or not host:
            raise TargetRefused("url_invalid", "url must be an absolute https:// URL")
        try:
            found = self.resolve(host, port)
        except (OSError, UnicodeError):
            raise TargetRefused("url_unresolvable", f"{host} does not resolve") from None
        if not found or len(found) > resolved_addresses_max:
            raise TargetRefused("url_unresolvable", f"{host} does not resolve to an address")
        addresses = [ipaddress.ip_address(a.partition("%")[0]) for a in found]
        for address in addresses:
            why = _refusal(address, self.allow_loopback)
            if why is not None:
                raise TargetRefused(
                    "url_forbidden",
                    f"{host} resolves to a {why} address; webhooks go to public ones",
                )
        if scheme == "http" and not all(a.is_loopback for a in addresses):
            raise TargetRefused("url_insecure", "url must use https (http only for loopback)")
        return Target(url, scheme, host, port, addresses[0])
