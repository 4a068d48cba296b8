"""Plain addresses are read without a URL parser: the answer must be the parsers' own.

The loader accepts or refuses a source's `url` (and the fetcher finds its host) from one regular
expression when an address is plain; these tests hold that short cut to what httpx and urlsplit
say of thousands of addresses, plain and odd."""

from __future__ import annotations

from itertools import product
from urllib.parse import urlsplit

import httpx
import pytest

from monitor import options, plainurl
from monitor.plainurl import plain_host

SCHEMES = ["http://", "https://", "HTTP://", "Https://", "ftp://", "http:/", "http:"]
HOSTS = ["example.org", "Example.org", "www.example.org.", "a-b.c", "localhost", "127.0.0.1", "0.0.0.0",
         "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3.256", "1.2.3.00", "1.2.3.0255", "10.20.199.249", "1.2.3", "1.2.3.4.5", "1.2.3.4a", "1..2.3", "xn--fiqs8s.cn",
         "www.xn--fiqs8s.cn", "xn--zz", "a..b", ".", "-", "a_b", "exa%6dple.org", "[::1]", "[1.2.3.4]",
         "ex ample.org", "", "user@host", "user:pw@host", "пример.рф", "host\t", "ho#st", "999"]
PORTS = ["", ":", ":0", ":00", ":1", ":80", ":080", ":443", ":8080", ":65535", ":65536", ":99999", ":123456",
         ":x", ":-1", ":+1", ": 8"]
TAILS = ["", "/", "/path/to?q=1&b=%20#frag", "?q", "#frag", "/a b", "/a\tb", "/a\nb", "/ü", "/%zz", "/a\\b",
         "/[x]", "/..//./a", "/\x7f", "/a?b#c#d", "/@x", "/:x"]


def parsers_say(address: str) -> str | None:
    """The host httpx reads in `address`, if urlsplit reads a host and port there too (what
    `options.url` asks of an address, besides its scheme), else None."""
    try:
        host = httpx.URL(address).host
        parts = urlsplit(address)
        if not parts.hostname or parts.port == 0:
            return None
    except (ValueError, httpx.InvalidURL, UnicodeError):
        return None
    return host


ADDRESSES = ["".join(parts) for parts in product(SCHEMES[:3], HOSTS, PORTS, TAILS)] + [
    "".join(parts) for parts in product(SCHEMES[3:], HOSTS[:6], PORTS[:6], TAILS[:4])]


def test_a_plain_address_gets_the_host_the_parsers_read():
    plain = 0
    for address in ADDRESSES:
        host = plain_host(address)
        if host is not None:
            plain += 1
            assert parsers_say(address) == host, address
    assert plain > 2000  # the short cut is taken, for the addresses it is meant for


@pytest.mark.parametrize("address", ["https://www.coe.int/en/web/conventions/full-list?module=signatures",
                                     "http://127.0.0.1:8080/feed.xml", "https://treaties.un.org/Pages/x.aspx?a=1#b"])
def test_ordinary_addresses_are_plain(address):
    assert plain_host(address) == httpx.URL(address).host


def test_the_url_option_accepts_and_refuses_as_the_parsers_do(monkeypatch):
    def outcome(address):
        try:
            return options.url(address)
        except ValueError as exc:
            return f"refused: {exc}"

    fast = [outcome(address) for address in ADDRESSES]
    monkeypatch.setattr(options, "plain_host", lambda address: None)
    assert fast == [outcome(address) for address in ADDRESSES]


def test_url_host_is_httpx_host_for_every_address_httpx_reads():
    for address in ADDRESSES:
        try:
            expected = httpx.URL(address).host
        except (httpx.InvalidURL, UnicodeError):
            continue
        options.url_host.cache_clear()
        assert options.url_host(address) == expected, address


def test_too_long_an_address_is_left_to_the_parsers():
    address = "http://example.org/" + "a" * plainurl.MAX_LENGTH
    assert plain_host(address) is None
    with pytest.raises(ValueError, match="URL too long"):
        options.url(address)
