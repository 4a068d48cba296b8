"""Plain addresses: the host of a URL so ordinary that every parser reads it alike, without one.

Parsing an address with httpx (and `urllib.parse.urlsplit`) costs more than everything else the
loader does for a source. Most configured addresses are as plain as ``https://host/path?query``:
for those the answer is known from one regular expression. Anything less plain gets None, and
the caller asks the real parsers (`options.url`, `options.url_host`); a test holds this module's
answers to httpx's and urlsplit's own (tests/test_plain_url.py).
"""

from __future__ import annotations

import re

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_END = r"(?=[:/?#]|\Z)"
_PLAIN = re.compile(rf"""
    https?://                                   # a lower-case scheme
    (                                           # the host:
      (?:{_OCTET}\.){{3}}{_OCTET}{_END}           #   an IPv4 address as `ipaddress` reads it
    | (?![0-9]+\.[0-9]+\.[0-9]+\.[0-9]+{_END})    #   or a name httpx would not check as one
      (?![^:/?#]*xn--)                          #   nor give back decoded (IDNA)
      [a-z0-9.-]+                               #   with nothing to normalise (no upper case, no %)
    )
    (?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{{2}}|6[0-4][0-9]{{3}}|[1-5][0-9]{{4}}|[1-9][0-9]{{0,3}}))?
                                                # a port from 1 to 65535, no leading zero
    (?:[/?#][!-~]*)?                            # printable ASCII after it: no space, no control
    """, re.VERBOSE)
MAX_LENGTH = 65536
"""httpx refuses longer addresses."""


def plain_host(url: str) -> str | None:
    """The host of `url` if it is a plain http(s) address that urlsplit and httpx both read
    without error (host named, port 1 to 65535), and whose host httpx gives back unchanged;
    else None (the address may still be valid: ask the parsers)."""
    if len(url) > MAX_LENGTH:
        return None
    match = _PLAIN.fullmatch(url)
    return match[1] if match else None
