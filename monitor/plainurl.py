"""Plain addresses: the host of a URL so ordinary that every parser reads it alike, without one.

Parsing an address with httpx (and `urllib.parse.urlsplit`) costs more than everything else the
loader does for a source. Most configured addresses are as plain as ``https://host/path?query``:
for those the answer is known from a regular expression. Anything less plain gets None, and
the caller asks the real parsers (`options.url`, `options.url_host`); a test holds this module's
answers to httpx's and urlsplit's own (tests/test_plain_url.py).
"""

from __future__ import annotations

import re

_PLAIN = re.compile(
    r"https?://"               # a lower-case scheme
    r"([a-z0-9.-]+)"           # an ASCII host with nothing to normalise (no upper case, no %)
    r"(?::([1-9][0-9]{0,4}))?"  # a port, no leading zero
    r"(?:[/?#][!-~]*)?"        # printable ASCII after it: no space, no control character
)
_IPV4_STYLE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
"""What httpx takes for an IPv4 address, and checks as one."""
MAX_LENGTH = 65536
"""httpx refuses longer addresses."""


def plain_host(url: str) -> str | None:
    """The host of `url` if it is a plain http(s) address that urlsplit and httpx both read
    without error (host named, port 1 to 65535), and whose host httpx gives back unchanged;
    else None (the address may still be valid: ask the parsers)."""
    if len(url) > MAX_LENGTH:
        return None
    match = _PLAIN.fullmatch(url)
    if match is None:
        return None
    host, port = match.groups()
    if port is not None and int(port) > 65535:
        return None
    if "xn--" in host:  # httpx gives an IDNA host back decoded
        return None
    if _IPV4_STYLE.fullmatch(host) and not _valid_ipv4(host):
        return None
    return host


def _valid_ipv4(host: str) -> bool:
    """Whether `ipaddress` reads these dotted digits as an IPv4 address: each part 0 to 255,
    written without a leading zero."""
    for part in host.split("."):
        if part != "0" and (part[0] == "0" or int(part) > 255):
            return False
    return True
