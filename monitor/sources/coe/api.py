"""The Treaty Office web service: its key (read again from the public page when refused) and the cached treaty list."""

from __future__ import annotations

import json as jsonlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from monitor.clock import utcnow
from monitor.errors import SourceError, StructureChanged
from monitor.sources.coe.parse import TreatyInfo, parse_treaty_list
from monitor.sources.coe.tls import get_lowering_seclevel

if TYPE_CHECKING:
    from monitor.net import Document, SourceContext

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
_URL_IN_PAGE = re.compile(r"""conventions_api_url\s*=\s*["'](https?://[^"'\s]+)["']""")
SHELL_MAX_AGE = 86400.0
"""Without a failure, the page's address and key are read again after a day."""


def shell_values(page: str) -> tuple[str | None, str | None]:
    """`window.conventions_api_url` (with a final slash) and `window.conventions_api_key` of a page's HTML shell."""
    url, key = _URL_IN_PAGE.search(page), _KEY_IN_PAGE.search(page)
    address = url.group(1).strip() if url else None
    if address and not address.endswith("/"):
        address += "/"
    return address, key.group(1).strip() if key else None


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

    def base(self) -> str:
        """The configured service address, or the one read from the page since it moved."""
        configured = self.options.base_url
        if self.memo.get("service_for") == configured and self.memo.get("service_url"):
            return self.memo["service_url"]
        return configured

    async def get(self, ctx: SourceContext, path: str, *, params: dict[str, Any] | None = None,
                  method: str = "GET", json: Any = None, need_body: bool = False) -> Document:
        """One request with the current address and key. A refused key (401, 403), a redirect
        (the service moved, or is down and sends to the portal) or a body that is not JSON
        has the address and key read again from the page, once per check; failing again, the
        check fails: never "no rows"."""
        await self.refresh_daily(ctx)
        for attempt in range(2):
            url = self.base() + path
            document = await get_lowering_seclevel(ctx, url, self.lowered, params=params, method=method, json=json,
                                                   need_body=need_body, accept=(401, 403),
                                                   headers={"token": self.token(), "Accept": "application/json"})
            problem = self.problem(document, url)
            if problem is None:
                return document
            if attempt or self.key_reread:
                break
            await self.reread_key(ctx, document, problem)
        if document.status in (401, 403):
            raise SourceError(f"{problem}, also after reading it again from {self.options.page_url}; set `token` "
                              "to the current window.conventions_api_key of the Treaty Office page")
        raise SourceError(f"{problem}, also after reading the address and key again from {self.options.page_url}")

    def problem(self, document: Document, url: str) -> str | None:
        """What makes an answer to `url` no answer of the service, or None."""
        if document.status in (401, 403):
            return f"{document.url} refused the key (HTTP {document.status})"
        if urlsplit(document.url)[:3] != urlsplit(url)[:3]:
            return f"{url} redirected to {document.url}: the service moved or is down (a redirect is no data)"
        if document.text is not None:
            try:
                jsonlib.loads(document.text)
            except ValueError:
                snippet = " ".join(document.text[:80].split())
                return f"{document.url} did not answer JSON (starts with {snippet!r})"
        return None

    async def refresh_daily(self, ctx: SourceContext) -> None:
        """Once a day, read the address and key the page publishes, and use them if they changed
        (the first check only notes the time: the configured ones are used until then)."""
        read_at = self.memo.get("shell_read_at")
        if read_at is None:
            self.memo["shell_read_at"] = utcnow()
            return
        if self.key_reread or (datetime.now(timezone.utc) - datetime.fromisoformat(read_at)).total_seconds() \
                < SHELL_MAX_AGE:
            return
        self.key_reread = True
        self.memo["shell_read_at"] = utcnow()
        try:
            page = await ctx.get(self.options.page_url, need_body=True, conditional=False)
        except SourceError as exc:
            log.warning("%s: the daily reading of %s failed: %s", self.source, self.options.page_url, exc)
            return
        self.adopt(*shell_values(page.text or ""), refused=False)

    def adopt(self, url: str | None, key: str | None, refused: bool) -> bool:
        """Use the address and key read from the page when they differ from the current ones."""
        page_url, changed = self.options.page_url, False
        if key and key != self.token():
            if refused:
                log.info("%s: the Treaty Office key was refused; using the key now published on %s", self.source,
                         page_url)
            else:
                log.info("%s: %s publishes a new Treaty Office key; using it", self.source, page_url)
            self.memo["token"], self.memo["token_for"] = key, self.options.token
            changed = True
        if url and url != self.base():
            log.info("%s: the Treaty Office service moved from %s to %s (read on %s); using it", self.source,
                     self.base(), url, page_url)
            self.memo["service_url"], self.memo["service_for"] = url, self.options.base_url
            changed = True
        return changed

    async def reread_key(self, ctx: SourceContext, refused: Document, problem: str) -> None:
        """Read `window.conventions_api_url` and `window.conventions_api_key` from the Treaty
        Office page, once per check."""
        self.key_reread = True
        page_url = self.options.page_url
        try:
            page = await ctx.get(page_url, need_body=True, conditional=False)
        except SourceError as exc:
            raise SourceError(f"{problem} and the page {page_url} could not be read for a new one: {exc}") from None
        url, key = shell_values(page.text or "")
        if not key:
            raise SourceError(f"{problem} and {page_url} names no window.conventions_api_key "
                              "(bot challenge or new page?)")
        self.memo["shell_read_at"] = utcnow()
        if not self.adopt(url, key, refused=refused.status in (401, 403)):
            raise SourceError(f"{problem}, and {page_url} still publishes the same "
                              f"{'key' if refused.status in (401, 403) else 'address and key'}")

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
