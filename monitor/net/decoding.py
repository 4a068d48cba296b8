"""Turn response bytes into text: declared charset, then meta/XML charset, then detection."""

from __future__ import annotations

import codecs
import re

# Patterns, compiled (and cached by `re`) when a body is first decoded: an unchanged check decodes none.
_META = rb"""(?i)<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
_XML = rb"""(?i)^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)"""
_CT = r"(?i)charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)"


def declared_charset(content_type: str | None) -> str | None:
    """The charset named in a Content-Type header, if it names one Python knows."""
    if content_type:
        match = re.search(_CT, content_type)
        if match and _known(match.group(1)):
            return match.group(1)
    return None


def sniff_charset(body: bytes) -> str | None:
    """The charset a document names for itself: BOM, XML declaration or HTML meta tag."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return name
    head = body[:4096]
    for pattern in (_XML, _META):
        match = re.search(pattern, head)
        if match:
            name = match.group(1).decode("ascii", "replace")
            if _known(name):
                return name
    return None


def decode_body(body: bytes, content_type: str | None = None, default: str | None = None) -> str:
    """Decode `body` using, in order: the header's charset, the document's own declaration,
    `default` (a format's documented encoding), strict UTF-8, then statistical detection."""
    for name in (declared_charset(content_type), sniff_charset(body), default):
        if name:
            try:
                return body.decode(name)
            except (UnicodeDecodeError, LookupError):
                continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # loaded only when a body declares nothing usable

    best = from_bytes(body).best()
    if best is not None:
        return str(best)
    return body.decode("cp1252", errors="replace")


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
        return True
    except LookupError:
        return False
