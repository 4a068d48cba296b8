"""Mask credentials in URLs (a password in the userinfo, key-like query values) before they are shown."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, quote, urlsplit

MASK = "***"

_SECRET_NAME = (
    r"(?i)(^|[_.-])(api[_-]?key|apikey|key|token|access[_-]?token|auth|authorization|secret|client[_-]?secret|"
    r"password|passwd|pwd|pass|sig|signature|session|sessionid|sid|credential|credentials)$")
"""Query parameter names whose values are treated as credentials (`api_key`, `token`, `x-api-key`…).
This and `_URL` are compiled (and cached by `re`) on first use: most runs mask nothing."""

_URL = r"""(?i)https?://[^\s<>"'`]+"""


def secret_name(name: str) -> bool:
    """Whether a query parameter of this name carries a credential."""
    return bool(re.search(_SECRET_NAME, name))


def mask_url(url: str, names: frozenset[str] | set[str] = frozenset()) -> str:
    """`url` with the userinfo and key-like query values (and those in `names`) replaced by ***."""
    if "@" not in url and "=" not in url:  # no userinfo and no name=value pair: nothing to mask
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return _mask_query_text(url, names)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{hostport}" if ":" in userinfo else f"{MASK}@{hostport}"
    query = parts.query
    if query:
        query = _mask_query_text(query, names)
    if netloc == parts.netloc and query == parts.query:
        return url
    return SplitResult(parts.scheme, netloc, parts.path, query, parts.fragment).geturl()


def _mask_query_text(query: str, names: frozenset[str] | set[str]) -> str:
    def one(pair: str) -> str:
        name, sep, value = pair.partition("=")
        if sep and value and (secret_name(_unquote(name)) or _unquote(name) in names):
            return f"{name}={MASK}"
        return pair
    return "&".join(one(pair) for pair in query.split("&"))


def _unquote(name: str) -> str:
    pairs = parse_qsl(name + "=x", keep_blank_values=True)
    return pairs[0][0] if pairs else name


def mask_text(text: str, names: frozenset[str] | set[str] = frozenset()) -> str:
    """`text` with every http(s) URL in it masked by `mask_url`."""
    if "://" not in text:
        return text
    return re.sub(_URL, lambda match: mask_url(match.group(0), names), text)


def drop_params(url: str, params: dict[str, str]) -> str:
    """`url` without the query pairs `params` added (name and value both match): the address
    a page's links resolve against, as the source is configured, not as it was requested."""
    if not params or "?" not in url:
        return url
    parts = urlsplit(url)
    kept = [pair for pair in parts.query.split("&") if pair and not _added(pair, params)]
    return SplitResult(parts.scheme, parts.netloc, parts.path, "&".join(kept), parts.fragment).geturl()


def _added(pair: str, params: dict[str, str]) -> bool:
    pairs = parse_qsl(pair, keep_blank_values=True)
    return len(pairs) == 1 and params.get(pairs[0][0]) == pairs[0][1]


def add_params(url: str, params: dict[str, str]) -> str:
    """`url` with `params` appended to its query string (values percent-encoded)."""
    if not params:
        return url
    extra = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items())
    parts = urlsplit(url)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return SplitResult(parts.scheme, parts.netloc, parts.path, query, parts.fragment).geturl()
