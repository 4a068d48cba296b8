"""Webhook signatures: Standard Webhooks headers, and the deprecated X-Legal-Monitor-Signature."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from urllib.parse import quote

SECRET_PREFIX = "whsec_"


def secret_key(secret: str) -> bytes:
    """The HMAC key: a `whsec_<base64>` secret is decoded as Standard Webhooks says; any other
    secret is its UTF-8 bytes. Raises ValueError for a `whsec_` secret that is not base64."""
    if not secret.startswith(SECRET_PREFIX):
        return secret.encode("utf-8")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("starts with whsec_ but what follows is not base64") from None
    if not key:
        raise ValueError("starts with whsec_ but holds no key")
    return key


def standard_signature(key: bytes, message_id: str, timestamp: str, body: bytes) -> str:
    """`webhook-signature`: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">."""
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode("ascii")


def legacy_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Deprecated `X-Legal-Monitor-Signature`: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">,
    keyed with the secret's text as configured."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, message_id: str, timestamp: str, body: bytes) -> dict[str, str]:
    """The signature headers of one request: the Standard Webhooks pair and the deprecated pair."""
    return {"webhook-signature": standard_signature(secret_key(secret), message_id, timestamp, body),
            "X-Legal-Monitor-Timestamp": timestamp,
            "X-Legal-Monitor-Signature": legacy_signature(secret, timestamp, body)}


def sf_string(value: str) -> str:
    """`value` as an RFC 8941 sf-string (quoted; backslash and quote escaped;
    anything but printable ASCII percent-encoded)."""
    text = "".join(c if " " <= c <= "~" else quote(c, safe="") for c in value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
