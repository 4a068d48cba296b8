"""The Host names the web side answers: the loopback names, the listen address, `[http] allowed_hosts`."""

from __future__ import annotations

import ipaddress
import re

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_NAME = r"(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?"


def host_name(value: object) -> str:
    """One `allowed_hosts` entry: a DNS name ("*.example.org" for its subdomains), an IPv4
    address or a bracketed IPv6 address, without a port."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a host name such as \"monitor.example.org\", not {value!r}")
    text = value.strip().lower()
    if text.startswith("[") and text.endswith("]"):
        try:
            ipaddress.IPv6Address(text[1:-1])
        except ValueError:
            raise ValueError(f"{value!r} is not a bracketed IPv6 address") from None
        return text
    if not re.fullmatch(_NAME, text):
        raise ValueError(f"must be a host name without scheme, port or path (\"monitor.example.org\"), not {value!r}")
    return text


def host_names(value: object) -> list[str]:
    """The `allowed_hosts` list: one name or a list of them, each checked by `host_name`."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError(f"must be a list of host names, not {type(value).__name__}")
    return [host_name(item) for item in items]


def listen_host(listen: str) -> str:
    """The host of HOST:PORT as a Host header carries it (IPv6 in brackets)."""
    host = listen.rpartition(":")[0].strip("[]").lower()
    return f"[{host}]" if ":" in host else host


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(listen: str, configured: list[str]) -> list[str]:
    """The Host names (any port) a server on `listen` accepts. Bound beyond loopback, the
    operator must name them: ValueError otherwise. The loopback names are always accepted:
    a page that rebinds its own name to 127.0.0.1 still sends that name."""
    host = listen_host(listen)
    if not configured and not is_loopback(host):
        raise ValueError(f"required when listening on {listen}, which is not a loopback address: "
                         "list the host names the pages are reached by, e.g. [\"monitor.example.org\"]")
    return list(dict.fromkeys([*LOOPBACK_NAMES, host, *configured]))
