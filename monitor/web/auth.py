"""Optional access control of the HTTP pages: a bearer token or HTTP basic auth."""

from __future__ import annotations

import base64
import binascii
import hmac


def authorised(header: str | None, token: str | None, username: str | None, password: str | None) -> bool:
    """Whether an Authorization header passes; with neither secret configured everything passes."""
    if not token and not password:
        return True
    scheme, _, value = (header or "").strip().partition(" ")
    value = value.strip()
    if token and scheme.lower() == "bearer":
        return hmac.compare_digest(value.encode(), token.encode())
    if password and username and scheme.lower() == "basic":
        try:
            user, sep, given = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return bool(sep) and hmac.compare_digest(user.encode(), username.encode()) \
            and hmac.compare_digest(given.encode(), password.encode())
    return False


def challenge(token: str | None, password: str | None) -> str:
    """The WWW-Authenticate header of a 401: basic auth when configured (browsers ask for it)."""
    return 'Basic realm="legal-monitor", charset="UTF-8"' if password else 'Bearer realm="legal-monitor"'
