"""What a source sees during one check: conditional GETs, the body-hash short-cut, memo."""

from __future__ import annotations

import hashlib
import json as jsonlib
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import httpx

from monitor.documents import DocState, DocUpdate
from monitor.durations import format_duration
from monitor.errors import SourceError, Unresolvable
from monitor.net.decoding import decode_body
from monitor.net.fetch import Fetcher
from monitor.options import url_host
from monitor.settings import SourceConfig
from monitor.text import mask_url

UNSEEN = DocState()
"""What is known of a document not fetched before: nothing (never changed)."""


@dataclass
class Document:
    """One fetched document. `changed` is False on a 304 or when the body's hash is the
    stored one; then `text` is None unless the caller asked for the body."""

    url: str
    status: int
    changed: bool
    text: str | None = None
    content: bytes | None = None
    headers: httpx.Headers | None = None

    def json(self) -> Any:
        """Parse the body as JSON, or fail the check with a clear message."""
        if self.text is None:
            raise SourceError(f"no body to parse from {self.url}")
        try:
            return jsonlib.loads(self.text)
        except ValueError:
            snippet = " ".join(self.text[:120].split())
            raise SourceError(f"{self.url} did not answer JSON (starts with {snippet!r})") from None


@dataclass
class SourceContext:
    """Per-check view of the network for one source. Nothing here touches the database:
    what the check learns is collected in `updates` and `memo` and committed at the end."""

    fetcher: Fetcher
    config: SourceConfig
    documents: dict[str, DocState]
    memo: dict[str, Any]
    load_body: Callable[[str], bytes | None]
    error_markers: tuple[str, ...] = ()
    updates: list[DocUpdate] = field(default_factory=list)
    bytes: int = 0
    requests: int = 0
    not_modified: int = 0
    part: str | None = None
    """The part being collected now (set by `part_or_error`)."""
    unresolved: dict[str, Unresolvable] = field(default_factory=dict)
    """Hosts whose name did not resolve in this check: their other documents fail at once."""
    ends_at: float = 0.0
    """When the check's `check_deadline` runs out (monotonic clock); set on creation."""
    renote_before: str = ""
    """A document that answers 304 and was last noted before this (ISO text, compared as
    text; the check sets the hour it started) is noted again, so that pruning, which forgets
    documents not noted for `keep_checks`, keeps one that is still fetched."""

    def __post_init__(self) -> None:
        self.ends_at = time.monotonic() + self.config.check_deadline

    async def get(self, url: str, *, params: Any = None, headers: dict[str, str] | None = None,
                  method: str = "GET", json: Any = None, need_body: bool = False,
                  conditional: bool = True, accept: Iterable[int] = (),
                  encoding: str | None = None) -> Document:
        """Fetch `url`. Unchanged documents (304, or same body hash) come back with
        ``changed=False`` and no text, unless `need_body` is set."""
        key = document_key(method, url, params, json, set(self.config.params))
        known = self.documents.get(key) or UNSEEN
        extra = dict(headers or {})
        if conditional and not need_body and known.hash:
            if known.etag:
                extra["If-None-Match"] = known.etag
            if known.last_modified:
                extra["If-Modified-Since"] = known.last_modified
        host = url_host(url)
        if host in self.unresolved:
            raise Unresolvable(str(self.unresolved[host]))
        try:
            raw = await self._request(method, url, params=params, headers=extra, json=json, accept=accept)
        except Unresolvable as exc:
            self.unresolved[host] = exc
            raise
        self.requests += 1
        self.bytes += len(raw.content)
        if raw.status == 304:
            self.not_modified += 1
            if known.hash and known.checked_at is not None and known.checked_at < self.renote_before:
                self.updates.append(DocUpdate(key, self._shown(raw.url), raw.headers.get("ETag") or known.etag,
                                              raw.headers.get("Last-Modified") or known.last_modified, known.hash,
                                              None, self.part))
            content = self.load_body(key) if need_body else None
            if need_body and content is None:
                raise SourceError(f"{self._shown(raw.url)} answered 304 but no earlier copy is stored")
            text = self._decode(content, raw.headers, encoding, raw.url) if content is not None else None
            return Document(raw.url, raw.status, False, text, content, raw.headers)
        if not 200 <= raw.status < 300:
            return Document(raw.url, raw.status, True, decode_body(raw.content, raw.headers.get("Content-Type")),
                            raw.content, raw.headers)
        digest = hashlib.sha256(raw.content).hexdigest()
        changed = digest != known.hash
        self.updates.append(DocUpdate(
            key, self._shown(raw.url), raw.headers.get("ETag"), raw.headers.get("Last-Modified"), digest,
            raw.content if changed else None, self.part))
        if not changed and not need_body:
            return Document(raw.url, raw.status, False, None, None, raw.headers)
        text = self._decode(raw.content, raw.headers, encoding, raw.url)
        return Document(raw.url, raw.status, changed, text, raw.content, raw.headers)

    async def _request(self, method: str, url: str, **kw: Any) -> Any:
        """One request, cut short when the check's deadline runs out (its host slot is freed)."""
        try:
            if self.ends_at <= time.monotonic():
                raise TimeoutError
            return await self.fetcher.request(self.config, method, url, ends_at=self.ends_at, **kw)
        except TimeoutError:
            limit = format_duration(self.config.check_deadline)
            raise SourceError(f"the check ran out of its {limit} check_deadline while fetching "
                              f"{self._shown(url)}") from None

    def _shown(self, url: str) -> str:
        return mask_url(url, set(self.config.params))

    def forget_parts(self, names: set[str]) -> None:
        """Drop what was fetched for parts that failed, so their documents count as
        unseen next time and are parsed (and judged) again."""
        def failed(part: str | None) -> bool:  # "126" also covers its "126:declarations"
            if part is None:  # fetched outside any part: the document of a one-part source
                return "" in names
            return any(n == part or n.startswith(part + ":") for n in names)
        self.updates = [u for u in self.updates if not failed(u.part)]

    def _decode(self, content: bytes, headers: httpx.Headers, encoding: str | None, url: str) -> str:
        text = decode_body(content, headers.get("Content-Type"), encoding)
        lowered = text.lower()
        for marker in (*self.config.error_if_contains, *self.error_markers):
            if marker.lower() in lowered:
                raise SourceError(f"{self._shown(url)} is an error or maintenance page (contains {marker!r})")
        return text


def document_key(method: str, url: str, params: Any = None, json: Any = None,
                 secret_params: set[str] | frozenset[str] = frozenset()) -> str:
    """The identity of a document: method, full URL with query (credentials masked), and any JSON body."""
    full = mask_url(str(httpx.URL(url, params=params)) if params else url, secret_params)
    key = full if method == "GET" else f"{method} {full}"
    if json is not None:
        key += " " + jsonlib.dumps(json, sort_keys=True, separators=(",", ":"))
    return key
