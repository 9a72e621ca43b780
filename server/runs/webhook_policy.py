"""Which webhook URLs the server may call (SSRF protection).

THINKROOM_WEBHOOK_HOSTS lists host names (exact), `*.domain` wildcards, IP addresses and
CIDR ranges. When it is empty any host may be called whose addresses are all public; when
it is set, only listed hosts. In both cases a host that resolves to a loopback, private,
link-local, reserved or otherwise non-public address is refused unless that host name (not
a wildcard) or that address is listed explicitly: a webhook is never a way to reach the
server's own network by accident.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Refused(ValueError):
    """A webhook URL the policy does not allow; the message says why."""


@dataclass(frozen=True)
class HostEntries:
    names: frozenset[str]
    suffixes: tuple[str, ...]  # from "*.example.com": ".example.com"
    networks: tuple[IPNetwork, ...]


def parse_hosts(entries: list[str]) -> HostEntries:
    """THINKROOM_WEBHOOK_HOSTS as names, wildcard suffixes and networks (an IP is a /32 or /128)."""
    names: set[str] = set()
    suffixes: list[str] = []
    networks: list[IPNetwork] = []
    for raw in entries:
        entry = raw.strip().lower().rstrip(".").strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        if entry.startswith("*."):
            suffixes.append(entry[1:])
        elif "/" in entry or "*" in entry or ":" in entry:
            raise ValueError(f"THINKROOM_WEBHOOK_HOSTS: {raw!r} is not a host name, '*.domain', IP or CIDR range")
        else:
            names.add(entry)
    return HostEntries(frozenset(names), tuple(suffixes), tuple(networks))


def kind_of(ip: IPAddress) -> str | None:
    """Why an address is not public (None if it is)."""
    for attribute, label in (
        ("is_loopback", "loopback"), ("is_link_local", "link-local"), ("is_multicast", "multicast"),
        ("is_unspecified", "unspecified"), ("is_reserved", "reserved"), ("is_private", "private"),
    ):
        if getattr(ip, attribute):
            return label
    return None if ip.is_global else "non-public"


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to (the one that was checked)."""

    scheme: str
    host: str
    port: int
    address: IPAddress
    path: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def pinned_url(self) -> str:
        address = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{address}:{self.port}{self.path}"


class HostPolicy:
    def __init__(self, entries: HostEntries) -> None:
        self.entries = entries

    @property
    def listing(self) -> bool:
        return bool(self.entries.names or self.entries.suffixes or self.entries.networks)

    async def resolve(self, url: str) -> Target:
        """Check the URL and its host's addresses now (a DNS lookup); Refused says why not."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise Refused(f"not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused("must be an http:// or https:// URL with a host")
        host = parts.hostname.lower().rstrip(".")
        port = port or (443 if parts.scheme == "https" else 80)
        addresses = await _addresses(host, port)
        named = host in self.entries.names
        wildcard = any(host.endswith(suffix) for suffix in self.entries.suffixes)
        for ip in addresses:
            kind = kind_of(ip)
            if kind is not None and not (named or self._listed(ip)):
                shown = host if str(ip) == host else f"{host!r} resolves to {ip}, which"
                raise Refused(f"{shown} is a {kind} address; list it in THINKROOM_WEBHOOK_HOSTS to allow it")
        if self.listing and not (named or wildcard or all(self._listed(ip) for ip in addresses)):
            raise Refused(f"host {host!r} is not in THINKROOM_WEBHOOK_HOSTS")
        path = parts.path or "/"
        if parts.query:
            path += f"?{parts.query}"
        return Target(parts.scheme, host, port, addresses[0], path)

    def _listed(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.entries.networks)


def _plain(ip: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address is checked as the IPv4 address it is."""
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped if mapped is not None else ip


async def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        return [_plain(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"host {host!r} does not resolve ({exc})") from None
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        ip = _plain(ipaddress.ip_address(str(sockaddr[0]).split("%")[0]))
        if ip not in found:
            found.append(ip)
    if not found:
        raise Refused(f"host {host!r} has no addresses")
    return found


__all__ = ["HostEntries", "HostPolicy", "Refused", "Target", "kind_of", "parse_hosts"]
