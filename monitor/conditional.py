"""HTTP validators of a generated answer (ETag, Last-Modified) and the 304 they allow (RFC 9110)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Callable

Header = Callable[[str], "str | None"]
"""A request header by its lower-case name (a dict's or Starlette's `headers.get`)."""


def validators(body: bytes, modified: str) -> dict[str, str]:
    """A strong ETag of the body and Last-Modified of the ISO time `modified`."""
    moment = datetime.fromisoformat(modified).astimezone(timezone.utc)
    return {"ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            "Last-Modified": format_datetime(moment, usegmt=True)}


def not_modified(header: Header, tags: dict[str, str]) -> bool:
    """Whether the client's copy is current: If-None-Match when sent (it wins), else If-Modified-Since."""
    match = header("if-none-match")
    if match is not None:
        sent = [tag.strip().removeprefix("W/") for tag in match.split(",")]
        return "*" in sent or tags["ETag"] in sent
    since = header("if-modified-since")
    if not since:
        return False
    try:
        client = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if client.tzinfo is None:
        return False
    return parsedate_to_datetime(tags["Last-Modified"]) <= client


def conditional(header: Header, body: bytes, modified: str,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET: 200 with validators, or 304 with them and no body."""
    tags = {**validators(body, modified), **(headers or {})}
    if not_modified(header, tags):
        return 304, tags, b""
    return 200, tags, body
