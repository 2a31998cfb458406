"""What a request says about where it comes from, believed only as far as it can be.

- ``Host`` must name this dashboard (loopback names, its own listening address, ``allowed_hosts``):
  a DNS-rebinding page reaches us under its own host name and is refused before any page runs.
- ``X-Forwarded-For`` / ``-Proto`` are believed only from ``trusted_proxies``; from anyone else they
  are whatever the client chose to write, so the socket's address is the client.
- ``next`` after the language switch is a path on this site only, read as a browser would read it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from aiohttp import web

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_hosts(listen_host: str, extra: Iterable[str]) -> frozenset[str]:
    """Loopback names, the address it listens on (unless a wildcard), and the configured names."""
    hosts = set(LOOPBACK_HOSTS) | {h.lower() for h in extra}
    if listen_host not in ("", "0.0.0.0", "::"):
        hosts.add(listen_host.lower().strip("[]"))
    return frozenset(hosts)


def host_name(header: str | None) -> str | None:
    """The name in a Host header without its port ("[::1]:8082" -> "::1"); None when malformed."""
    if not header or len(header) > 255 or any(c.isspace() or c in "/\\@" for c in header):
        return None
    if header.startswith("["):
        end = header.find("]")
        return header[1:end].lower() if end > 0 else None
    name, _, port = header.partition(":")
    if port and not port.isdigit():
        return None
    return name.lower() or None


def networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _within(address: str | None, proxies: tuple[IPNetwork, ...]) -> bool:
    if not address or not proxies:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request: web.Request, proxies: tuple[IPNetwork, ...]) -> str:
    """The client's address: the socket's, or from a trusted proxy the last hop it did not add itself.

    X-Forwarded-For is read right to left: each trusted proxy appends the address it saw, so the first
    entry from the right that is not a trusted proxy is the one no client could have forged.
    """
    remote = request.remote or "?"
    if not _within(remote, proxies):
        return remote
    hops = [h.strip() for line in request.headers.getall("X-Forwarded-For", []) for h in line.split(",")]
    for hop in reversed([h for h in hops if h]):
        try:
            ip = str(ipaddress.ip_address(hop))
        except ValueError:
            return remote  # a malformed hop: stop believing the header rather than guess
        if not _within(ip, proxies):
            return ip
    return remote


def is_https(request: web.Request, proxies: tuple[IPNetwork, ...]) -> bool:
    """Whether the browser's connection is HTTPS: TLS on our socket, or a trusted proxy says so."""
    if request.secure:
        return True
    if not _within(request.remote, proxies):
        return False
    protos = [
        p.strip().lower() for line in request.headers.getall("X-Forwarded-Proto", []) for p in line.split(",")
    ]
    return bool(protos) and protos[-1] == "https"


def safe_next(target: str | None, home: str) -> str:
    """A path on this site, or ``home``.

    Browsers drop tabs and newlines inside a URL and read ``\\`` as ``/``, so ``/\\t/evil.com`` becomes
    ``//evil.com``, another site; anything with a control character, a backslash, a scheme or a host,
    as given or once more percent-decoded, is refused rather than repaired.
    """
    if not target or len(target) > 2000:
        return home
    for form in (target, unquote(target)):
        if any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in form):
            return home
        if not form.startswith("/") or form.startswith("//"):
            return home
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return home
    return target
