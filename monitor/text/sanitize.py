"""Portal text made safe to show and link: no control characters, and links only to http(s)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from monitor.text.redact import mask_text, mask_url

_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
# C0 controls (except tab and newline), DEL and the C1 controls: ESC, BEL, NUL and the like
# rewrite terminals and logs and make XML invalid. Those that separate words (CR, form feed,
# next line, …) become a space; the rest go.
_TABLE = {code: (" " if chr(code).isspace() else None) for code in _CONTROLS if chr(code) not in "\t\n"}
# Unicode noncharacters (U+FDD0–U+FDEF and the last two of every plane) make XML invalid;
# the bidi embedding, override and isolate controls (LRE … RLO, LRI … PDI) reverse the text
# that follows them, past the end of the field. Both go.
_NONCHARACTERS = [*range(0xFDD0, 0xFDF0), *(plane + end for plane in range(0, 0x110000, 0x10000)
                                          for end in (0xFFFE, 0xFFFF))]
_TABLE.update(dict.fromkeys([*_NONCHARACTERS, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
_WEB_SCHEMES = ("http", "https")


def strip_controls(text: str) -> str:
    """`text` without control characters other than tab and newline, noncharacters and bidi
    embedding/override/isolate controls (none of them is printable, so printable text is
    returned at once)."""
    return text.translate(_TABLE) if not text.isprintable() else text


def shown_error(text: str, secret_params: set[str] | frozenset[str] = frozenset()) -> str:
    """An error as `check` stores it and `preview` prints it: no control characters, every URL
    masked (key-like query values and the source's `params_env` names)."""
    return mask_text(strip_controls(text), secret_params)


def strip_controls_in(value: Any) -> Any:
    """`strip_controls` on every string inside a JSON-like value (dicts, lists, strings)."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {strip_controls_in(k): strip_controls_in(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strip_controls_in(v) for v in value]
    return value


def web_link(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL with a plausible host and no user name, else
    None. Inner spaces (a portal's unencoded file name) are percent-encoded; any other blank
    or control character refuses the URL.

    Anything else (javascript:, data:, file:, mailto:, relative paths) must never become a
    link a reader can click in an alert, a feed or a webhook payload."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip().replace(" ", "%20")
    if not url.isprintable() or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not host or not all(c.isalnum() or c in ".-_:" for c in host):
        return None
    if "@" in parts.netloc:  # https://www.coe.int@elsewhere.example/ reads like one site, goes to another
        return None
    return mask_url(url)  # a key-like query value (api_key=…) never goes out
