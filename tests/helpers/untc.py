"""The UN Treaty Collection for the `untc` kind: its captured documents, configs and a local
server serving the Paris Agreement's snapshots, sources and parts for the rules, document readers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from helpers.config import QUICK, monitor_config, source_table
from helpers.http import Reply
from helpers.paths import FIXTURES
from monitor.config import load_config, parse_config
from monitor.pipeline import check_all
from monitor.records import Record
from monitor.sources import Part
from monitor.sources.untc import Parsed, UntcSource, build_records
from monitor.store import open_state

UN_FIXTURES = FIXTURES / "un"
XML_TYPE = {"Content-Type": "text/xml"}
HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}
PATHS = {
    "XXVII-7-d": "/doc/Publication/MTDSG/Volume%20II/Chapter%20XXVII/XXVII-7-d.en.xml",
    "IV-4": "/doc/Publication/MTDSG/Volume%20I/Chapter%20IV/IV-4.en.xml",
    "IV-5": "/doc/Publication/MTDSG/Volume%20I/Chapter%20IV/IV-5.en.xml",
    "XVIII-10": "/doc/Publication/MTDSG/Volume%20II/Chapter%20XVIII/XVIII-10.en.xml",
}


def fixture(name: str) -> bytes:
    """A captured UN document, by file name."""
    return (UN_FIXTURES / name).read_bytes()


def config_for(tmp_path: Path, base: str, treaties: list[str]):
    """A config watching the UN `treaties` at `base`, no retries or host delay."""
    return monitor_config(tmp_path, source_table("un", "untc", base_url=base, treaties=treaties, host_delay="0s"),
                          defaults=QUICK)


class Paris:
    """The Paris Agreement XML, served as successive snapshots."""

    def __init__(self, server, tmp_path: Path):
        self.current = b""
        server.routes[PATHS["XXVII-7-d"]] = lambda seen: Reply(200, self.current, XML_TYPE)
        self.config = load_config(config_for(tmp_path, server.base, ["XXVII-7-d"]))
        self.state = open_state(self.config.state_path)

    def check(self, body: bytes):
        self.current = body
        [report] = asyncio.run(check_all(self.config, self.state))
        assert report.ok, report.error
        return report

    def stored(self, key: str):
        return {r.record.key: r for r in self.state.records("un")}.get(key)


def source(**options) -> UntcSource:
    """A `untc` source with `options`, as the config gives it."""
    table = {"name": "un", "kind": "untc", **options}
    return UntcSource(parse_config({"sources": [table]}, Path("monitor.toml")).sources[0])


def treaty_part(src: UntcSource, ref: str, *, upgrading: bool = False) -> Part:
    """Treaty `ref`'s part with the context `collect` gives it (`upgrading`: its first check since
    participant names lose their footnote markers)."""
    part = Part(ref)
    part.context = src.treaty_context(part, upgrading=upgrading)
    return part


def reader(parse: Callable[[str, str], Parsed], ref: str) -> Callable[[str], dict[str, Record]]:
    """Document text -> its records by key, as the source builds them (`where` is "REF (x)")."""
    def read(text: str) -> dict[str, Record]:
        parsed = parse(text, f"{ref} (x)")
        return {r.key: r for r in build_records(ref, parsed, f"{ref} (x)", "https://example/view", None)}
    return read


def note_fields(records: dict[str, Record]) -> list[tuple[str | None, str, str]]:
    """Each note as (participant, kind, text)."""
    return [(r.fields["participant"], r.fields["kind"], r.fields["text"]) for k, r in records.items()
            if ":note:" in k]
