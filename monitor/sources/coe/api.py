"""The Treaty Office web service: its key (read again from the public page when refused) and the cached treaty list."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...clock import utcnow
from ...errors import SourceError, StructureChanged
from .parse import TreatyInfo, parse_treaty_list
from .tls import get_lowering_seclevel

if TYPE_CHECKING:
    from ...context import Document, SourceContext

log = logging.getLogger("monitor.sources.coe")

DEFAULT_BASE_URL = "https://conventions-ws.coe.int/WS_LFRConventions/"
DEFAULT_PAGE_URL = "https://www.coe.int/en/web/conventions/full-list"
PUBLIC_TOKEN = "hfghhgp2q5vgwg1hbn532kw71zgtww7e"
"""The key the Treaty Office page publishes as ``window.conventions_api_key``."""
TREATY_LIST_MAX_AGE = 86400.0
"""The cached treaty list (numbers and titles) is fetched again after a day."""
# The Treaty Office page's empty search form: every treaty. The field names come from
# working clients; the answer carries every language's title whatever `langue` says.
SEARCH_ALL: dict[str, Any] = {"CodePays": None, "NumsSte": [], "AnneeOuverture": None, "AnneeVigueur": None,
                              "CodeLieuSTE": None, "CodeMatieres": [], "TitleKeywords": [], "langue": "ENG"}

_KEY_IN_PAGE = re.compile(r"""conventions_api_key\s*=\s*["']([^"']+)["']""")


@dataclass
class Api:
    """One check's access to the web service: the source's options and memo, and the hosts
    whose TLS handshake needed security level 0 (kept by the source across checks)."""

    source: str
    options: Any
    """The source's typed options (`token`, `base_url`, `page_url`)."""
    memo: dict[str, Any]
    lowered: set[str]
    key_reread: bool = False
    new_treaties: set[str] = field(default_factory=set)
    """Treaties new to the list since the last one fetched: their charts are news."""

    def token(self) -> str:
        """The configured key, or the one read from the page since it was refused."""
        configured = self.options.token
        if self.memo.get("token_for") == configured and self.memo.get("token"):
            return self.memo["token"]
        return configured

    async def get(self, ctx: SourceContext, path: str, *, params: dict[str, Any] | None = None,
                  method: str = "GET", json: Any = None, need_body: bool = False) -> Document:
        """One request with the current key; a refused key is read again from the page, once per check."""
        url = self.options.base_url + path
        for attempt in range(2):
            document = await get_lowering_seclevel(ctx, url, self.lowered, params=params, method=method, json=json,
                                                   need_body=need_body, accept=(401, 403),
                                                   headers={"token": self.token(), "Accept": "application/json"})
            if document.status not in (401, 403):
                return document
            if attempt or self.key_reread:
                break
            await self.reread_key(ctx, document)
        raise SourceError(f"{document.url} refused the key (HTTP {document.status}), also after reading it "
                          f"again from {self.options.page_url}; set `token` to the current "
                          "window.conventions_api_key of the Treaty Office page")

    async def reread_key(self, ctx: SourceContext, refused: Document) -> None:
        """Read `window.conventions_api_key` from the Treaty Office page, once per check."""
        self.key_reread = True
        page_url = self.options.page_url
        try:
            page = await ctx.get(page_url, need_body=True, conditional=False)
        except SourceError as exc:
            raise SourceError(f"{refused.url} refused the key (HTTP {refused.status}) and the page "
                              f"{page_url} could not be read for a new one: {exc}") from None
        match = _KEY_IN_PAGE.search(page.text or "")
        if not match:
            raise SourceError(f"{refused.url} refused the key (HTTP {refused.status}) and {page_url} names no "
                              "window.conventions_api_key (bot challenge or new page?)")
        key = match.group(1).strip()
        if key == self.token():
            raise SourceError(f"{refused.url} refused the key (HTTP {refused.status}), and {page_url} still "
                              "publishes the same key")
        log.info("%s: the Treaty Office key was refused; using the key now published on %s", self.source, page_url)
        self.memo["token"] = key
        self.memo["token_for"] = self.options.token

    async def treaty_list(self, ctx: SourceContext, wanted: list[str] | None) -> dict[str, TreatyInfo]:
        """The treaty list from the memo, fetched again when a day old or missing a wanted treaty."""
        cached = {n: TreatyInfo.from_memo(n, t) for n, t in (self.memo.get("treaties") or {}).items()}
        fetched_at = self.memo.get("treaties_fetched_at")
        age = (datetime.now(timezone.utc) - datetime.fromisoformat(fetched_at)).total_seconds() if fetched_at else None
        missing = [n for n in wanted or [] if n not in cached]
        if cached and age is not None and 0 <= age < TREATY_LIST_MAX_AGE and not missing:
            return cached
        try:
            document = await self.get(ctx, "api/traites/search", method="POST", json=SEARCH_ALL, need_body=True)
            fresh = parse_treaty_list(document.json(), document.url)
        except SourceError as exc:
            if cached and not missing:
                log.warning("%s: keeping the cached treaty list: %s", self.source, exc)
                return cached
            raise
        if cached and len(fresh) * 2 < len(cached):
            raise StructureChanged(f"{document.url}: the treaty list has {len(fresh)} treaties where the last "
                                   f"one had {len(cached)} (structure changed?)")
        if cached:
            self.new_treaties = set(fresh) - set(cached)
        self.memo["treaties"] = {n: t.memo() for n, t in fresh.items()}
        self.memo["treaties_fetched_at"] = utcnow()
        return fresh
