"""HTTP validators of a generated answer (ETag, Last-Modified) and If-Modified-Since (RFC 9110)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime


def validators(body: bytes, modified: str) -> dict[str, str]:
    """A strong ETag of the body and Last-Modified of the ISO time `modified`."""
    moment = datetime.fromisoformat(modified).astimezone(timezone.utc)
    return {"ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            "Last-Modified": format_datetime(moment, usegmt=True)}


def modified_since(since: str | None, last_modified: str | None) -> bool:
    """Whether a client's If-Modified-Since is no older than the answer's Last-Modified (so it
    has the current answer); False when either is missing or unreadable."""
    if not since or not last_modified:
        return False
    try:
        client = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return client.tzinfo is not None and parsedate_to_datetime(last_modified) <= client
