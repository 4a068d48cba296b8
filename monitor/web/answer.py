"""One answer of the web side (status, type, body, headers), built by pages that know no server."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
