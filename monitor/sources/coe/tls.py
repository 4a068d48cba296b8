"""A fetch retried once at OpenSSL security level 0 for a host whose TLS handshake fails at the configured level."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from monitor.errors import FetchError

if TYPE_CHECKING:
    from monitor.net import Document, SourceContext

log = logging.getLogger("monitor.sources.tls")

HANDSHAKE_FAILED = re.compile(r"\[SSL: (?!CERTIFICATE_VERIFY_FAILED)|handshake failure|dh key too small", re.I)
"""A TLS handshake refused for its key exchange or ciphers (not a certificate that fails to verify)."""


async def get_lowering_seclevel(ctx: SourceContext, url: str, lowered: set[str], **kwargs: Any) -> Document:
    """`ctx.get(url)`; when the TLS handshake fails at the source's security level, log it, remember
    the host in `lowered` and retry once at level 0 for that host only. Certificate verification
    stays on; other hosts of the source keep the configured level."""
    host = urlsplit(url).hostname or ""
    if host not in lowered:
        try:
            return await ctx.get(url, **kwargs)
        except FetchError as exc:
            if ctx.config.tls_seclevel == 0 or not HANDSHAKE_FAILED.search(str(exc)):
                raise
            log.warning("%s: the TLS handshake with %s failed at security level %s (%s); retrying at level 0 "
                        "for this host", ctx.config.name, host, ctx.config.tls_seclevel, exc)
            lowered.add(host)
    configured = ctx.config
    ctx.config = replace(configured, tls_seclevel=0)
    try:
        return await ctx.get(url, **kwargs)
    finally:
        ctx.config = configured
