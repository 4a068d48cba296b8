"""A local document server for the benchmarks: chart pages, CoE-shaped JSON and MTDSG-shaped XML.

Run it as its own process (``python -m benchmarks.docserver --docs N``); it binds 127.0.0.1
on an ephemeral port and prints ``PORT <n>`` on its first line of output. Documents are
rendered once per version and served from memory by a small asyncio HTTP/1.1 server with
keep-alive, so the server costs little CPU next to the client it serves.

Documents: ``/html/<i>``, ``/json/<i>``, ``/xml/<i>`` (which one exists for index i is
`doc_kind(i, mix)`). Every document has 47 rows; version v of document i differs from
version v-1 in exactly one row's ratification date.

Control endpoints (not counted in the statistics):
- ``POST /_control/change?fraction=F`` or ``?docs=1,5,9``: new version of those documents;
- ``POST /_control/conditional?on=0|1``: honour If-None-Match / If-Modified-Since or not;
- ``GET /_control/stats``: JSON counts since the last ``POST /_control/reset``.
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

ROWS = 47
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STATES = [
    "Albania", "Andorra", "Armenia", "Austria", "Azerbaijan", "Belgium", "Bosnia and Herzegovina", "Bulgaria",
    "Croatia", "Cyprus", "Czech Republic", "Denmark", "Estonia", "Finland", "France", "Georgia", "Germany",
    "Greece", "Hungary", "Iceland", "Ireland", "Italy", "Latvia", "Liechtenstein", "Lithuania", "Luxembourg",
    "Malta", "Republic of Moldova", "Monaco", "Montenegro", "Netherlands", "North Macedonia", "Norway", "Poland",
    "Portugal", "Romania", "Russian Federation", "San Marino", "Serbia", "Slovak Republic", "Slovenia", "Spain",
    "Sweden", "Switzerland", "Türkiye", "Ukraine", "United Kingdom",
]
CODES = [s[:3].upper() for s in STATES]
CODES = [f"{c}{n}" if CODES.count(c) > 1 else c for n, c in enumerate(CODES)]
MIXES = ("mixed", "html", "json")


def doc_kind(index: int, mix: str) -> str:
    """Which document kind index `index` serves: all html, all json, or 8 html : 1 json : 1 xml."""
    if mix in ("html", "json"):
        return mix
    return {8: "json", 9: "xml"}.get(index % 10, "html")


def doc_path(index: int, mix: str) -> str:
    return f"/{doc_kind(index, mix)}/{index}"


def _date(day: int, month: int, year: int, style: str) -> str:
    if style == "iso":
        return f"{year:04d}-{month + 1:02d}-{day:02d}T00:00:00"
    return f"{day} {MONTHS[month]} {year}"


def _row_dates(index: int, version: int, row: int, style: str) -> tuple[str, str | None, str | None]:
    """(signature, ratification, entry into force) of one row at one version."""
    seed = index * 31 + row * 7
    signature = _date(1 + seed % 28, seed % 12, 1990 + seed % 25, style)
    # How many versions up to `version` touched this row (version k touches row (index+k-1) % ROWS).
    touched = version // ROWS + (1 if (row - index) % ROWS < version % ROWS else 0)
    if touched:
        ratification = _date(1 + (seed + touched) % 28, (seed + touched) % 12, 2020 + touched, style)
    elif seed % 3:
        ratification = _date(1 + (seed * 3) % 28, (seed + 5) % 12, 1995 + seed % 25, style)
    else:
        ratification = None
    force = _date(1, (seed + 8) % 12, 1996 + seed % 25, style) if ratification and not touched else None
    return signature, ratification, force


def render_html(index: int, version: int) -> bytes:
    """A ~20 KB treaty chart page: navigation, prose, a 47-row table, notes and a footer."""
    rows = []
    for row in range(ROWS):
        signature, ratification, force = _row_dates(index, version, row, "text")
        rows.append(
            f'<tr class="row-{row % 2}"><td class="state"><a href="/states/{CODES[row].lower()}">{STATES[row]}</a></td>'
            f'<td class="date">{signature}</td><td class="date">{ratification or ""}</td>'
            f'<td class="date">{force or ""}</td><td class="notes"><span title="Reservations">R</span> '
            f'<span title="Declarations">D</span></td></tr>')
    nav = "".join(f'<li><a href="/treaties/{n}">Treaty {n:03d}</a></li>' for n in range(index % 7, index % 7 + 40))
    prose = ("<p>The table shows the signatures and ratifications of this treaty by member and non-member "
             "States, with the dates of entry into force and the reservations, declarations, authorities, "
             "territorial applications, communications and objections made by each Party.</p>") * 6
    notes = "".join(f"<li id='n{n}'>Note {n}: a declaration contained in a note verbale from the Permanent "
                    f"Representation, registered at the Secretariat General on {1 + n % 28} "
                    f"{MONTHS[n % 12]} {2001 + n}.</li>" for n in range(22))
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Chart of signatures and ratifications '
        f'of Treaty {index}</title><link rel="stylesheet" href="/static/site.css"></head><body>'
        f'<header><nav><ul class="menu">{nav}</ul></nav></header><main><h1>Chart of signatures and ratifications '
        f'of Treaty {index}</h1>{prose}<table class="chart"><thead><tr><th>State</th><th>Signature</th>'
        f'<th>Ratification</th><th>Entry into force</th><th>Notes</th></tr></thead><tbody>{"".join(rows)}</tbody>'
        f'</table><h2>Notes</h2><ol class="notes">{notes}</ol></main><footer><p>Treaty Office, version '
        f'{version}</p></footer></body></html>')
    return page.encode()


def render_json(index: int, version: int) -> bytes:
    """A CoE-shaped signatures answer: three lists (members, non-members, organisations)."""
    members = []
    for row in range(ROWS):
        signature, ratification, force = _row_dates(index, version, row, "iso")
        members.append({
            "CodePays": CODES[row], "LibPaysOrga": STATES[row], "NumSTE": str(index), "DateSignature": signature,
            "DateConsentement": ratification, "DateEntreeVigueur": force, "DateDenonciation": None,
            "DateEffetDenonciation": None, "DateSuspension": None, "Reserves": row % 5 == 0,
            "Declarations": row % 4 == 0, "Objections": False, "Territoires": False, "Communications": False})
    return json.dumps([members, [], []], ensure_ascii=False, indent=1).encode()


def render_xml(index: int, version: int) -> bytes:
    """An MTDSG-shaped status document: header, title, participants table, footnotes."""
    rows = []
    for row in range(ROWS):
        signature, ratification, _ = _row_dates(index, version, row, "text")
        rows.append(f"<Row><Entry>{STATES[row]}</Entry><Entry>{signature}</Entry>"
                    f"<Entry>{ratification or ''}</Entry></Row>\n")
    footnotes = "".join(f"<Footnote><Number>{n}</Number><Text>On {1 + n % 28} {MONTHS[n % 12]} {2002 + n}, the "
                        f"Secretary-General received a communication concerning the territorial application of "
                        f"the Convention, with a declaration made upon ratification.</Text></Footnote>\n"
                        for n in range(1, 60))
    doc = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document>\n<Treaty>\n<Header><StatusAsAt>01-01-2026 '
           f'05:00:01 EST</StatusAsAt><Chapter>IV</Chapter></Header>\n<Title>Convention {index}</Title>\n'
           f'<Participants>\n<Table><TGroup cols="3"><Thead><Row><Entry>Participant</Entry><Entry>Signature'
           f'</Entry><Entry>Ratification, Accession(a), Succession(d)</Entry></Row></Thead>\n<Tbody><Rows>\n'
           f'{"".join(rows)}</Rows></Tbody></TGroup></Table>\n</Participants>\n<Footnotes>\n{footnotes}'
           f'</Footnotes>\n</Treaty>\n</Document>\n')
    return doc.encode()


RENDER: dict[str, tuple[Callable[[int, int], bytes], str]] = {
    "html": (render_html, "text/html; charset=utf-8"),
    "json": (render_json, "application/json; charset=utf-8"),
    "xml": (render_xml, "text/xml; charset=utf-8"),
}


@dataclass
class Doc:
    version: int
    body: bytes
    etag: str
    last_modified: str
    modified_at: float
    content_type: str


@dataclass
class Store:
    """The documents and the request counters."""

    count: int
    mix: str
    conditional: bool = True
    docs: dict[int, Doc] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)
    changed_at: dict[int, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("requests", "ok", "not_modified", "not_found", "bytes", "conditional_requests"), 0))

    def doc(self, kind: str, index: int) -> Doc | None:
        if not 0 <= index < self.count or doc_kind(index, self.mix) != kind:
            return None
        doc = self.docs.get(index)
        if doc is None:
            render, ctype = RENDER[kind]
            version = self.versions.get(index, 0)
            now = self.changed_at.get(index, START)
            doc = self.docs[index] = Doc(version, render(index, version), f'"d{index}-v{version}"',
                                         email.utils.formatdate(now, usegmt=True), now, ctype)
        return doc

    def change(self, indexes: list[int]) -> int:
        now = time.time()
        for index in indexes:
            self.versions[index] = self.versions.get(index, 0) + 1
            self.changed_at[index] = now
            self.docs.pop(index, None)
        return len(indexes)


START = time.time() - 86400.0


def spread(count: int, fraction: float) -> list[int]:
    """`fraction` of `count` indexes, evenly spread."""
    chosen = round(count * fraction)
    return sorted({int(j * count / chosen) for j in range(chosen)}) if chosen else []


class HttpProtocol(asyncio.Protocol):
    """A minimal HTTP/1.1 server protocol with keep-alive; `handler(method, target, headers, body)`
    returns (status, headers, body)."""

    def __init__(self, handler: Callable[[str, str, dict[str, str], bytes], tuple[int, list[tuple[str, str]], bytes]]):
        self.handler = handler
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode("latin-1")
            lines = head.split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if len(self.buffer) < end + 4 + length:
                return
            body = bytes(self.buffer[end + 4:end + 4 + length])
            del self.buffer[:end + 4 + length]
            status, extra, payload = self.handler(method, target, headers, body)
            close = headers.get("connection", "").lower() == "close"
            reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}.get(status, "OK")
            out = [f"HTTP/1.1 {status} {reason}"]
            out += [f"{k}: {v}" for k, v in extra]
            if status != 304:
                out.append(f"Content-Length: {len(payload) if method != 'HEAD' else 0}")
            if close:
                out.append("Connection: close")
            assert self.transport is not None
            self.transport.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
                                 + (payload if status != 304 and method != "HEAD" else b""))
            if close:
                self.transport.close()
                return


def make_handler(store: Store) -> Callable[[str, str, dict[str, str], bytes], tuple[int, list[tuple[str, str]], bytes]]:
    def handle(method: str, target: str, headers: dict[str, str], body: bytes):
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/_control/"):
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            answer: dict = {}
            if path == "/_control/stats":
                answer = dict(store.stats)
            elif path == "/_control/reset":
                for key in store.stats:
                    store.stats[key] = 0
            elif path == "/_control/conditional":
                store.conditional = query.get("on", "1") == "1"
                answer = {"conditional": store.conditional}
            elif path == "/_control/change":
                if "docs" in query:
                    indexes = [int(x) for x in query["docs"].split(",") if x]
                else:
                    indexes = spread(store.count, float(query.get("fraction", "1")))
                answer = {"changed": store.change(indexes)}
            return 200, [("Content-Type", "application/json")], json.dumps(answer).encode()
        stats = store.stats
        stats["requests"] += 1
        kind, _, number = path.strip("/").partition("/")
        doc = store.doc(kind, int(number)) if number.isdigit() and kind in RENDER else None
        if doc is None:
            stats["not_found"] += 1
            return 404, [("Content-Type", "text/plain")], b"not found"
        validators = [("ETag", doc.etag), ("Last-Modified", doc.last_modified)]
        inm, ims = headers.get("if-none-match"), headers.get("if-modified-since")
        if inm or ims:
            stats["conditional_requests"] += 1
        if store.conditional and (inm or ims):
            if inm is not None:  # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
                fresh = doc.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
            else:
                try:
                    fresh = int(doc.modified_at) <= email.utils.parsedate_to_datetime(ims).timestamp()
                except (TypeError, ValueError):
                    fresh = False
            if fresh:
                stats["not_modified"] += 1
                return 304, validators, b""
        stats["ok"] += 1
        stats["bytes"] += len(doc.body)
        return 200, [("Content-Type", doc.content_type), *validators], doc.body
    return handle


async def serve(store: Store, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: HttpProtocol(make_handler(store)), "127.0.0.1", port, backlog=1024)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.docserver", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="number of documents (default 1000)")
    parser.add_argument("--mix", choices=MIXES, default="mixed", help="mixed: 8 html : 1 json : 1 xml; html or json: only that kind")
    parser.add_argument("--port", type=int, default=0, help="port (default: an ephemeral one)")
    parser.add_argument("--no-conditional", action="store_true", help="ignore If-None-Match / If-Modified-Since")
    args = parser.parse_args(argv)
    store = Store(args.docs, args.mix, conditional=not args.no_conditional)
    try:
        asyncio.run(serve(store, args.port))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
