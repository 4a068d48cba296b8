"""The Council of Europe's Treaty Office for the `coe` kind: its captured answers, a local web
service serving them, configs watching it, and sources and parts for the event rules."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import checks
from helpers.cli import run_cli
from helpers.config import monitor_config, source_table
from helpers.http import Reply, Seen
from helpers.paths import FIXTURES
from monitor.config import parse_config
from monitor.diff import Stored, diff_part
from monitor.sources import Part
from monitor.sources.coe import CoeSource, parse_treaty_list, treaty_context

COE_FIXTURES = FIXTURES / "coe"
PUBLIC_KEY = "hfghhgp2q5vgwg1hbn532kw71zgtww7e"
TREATY_LIST_FILE = COE_FIXTURES / "treaties_search_all_2026-05.json"
"""The Treaty Office's list of every treaty (captured in May 2026)."""
TORTURE = ("European Convention for the Prevention of Torture and Inhuman or Degrading Treatment or "
           "Punishment (ETS No. 126)")


def load(name: str):
    """A captured Treaty Office answer, by file name."""
    return json.loads((COE_FIXTURES / name).read_text(encoding="utf-8"))


TREATY_LIST = load(TREATY_LIST_FILE.name)
TREATIES = parse_treaty_list(TREATY_LIST, "list")


class TreatyOffice:
    """The web service for three treaties (126, 148, 210), checking the `token` header."""

    def __init__(self, server, key: str = PUBLIC_KEY, page_key: str = PUBLIC_KEY):
        self.key = key
        self.page_key = page_key
        everything = load(TREATY_LIST_FILE.name)
        self.treaties = [t for t in everything if t["Numero_traite"] in ("126", "148", "210")]
        self.charts = {"126": load("signatures_126_before.json"), "148": load("signatures_148.json"),
                       "210": load("signatures_210_before.json")}
        self.failing: set[str] = set()
        server.routes["/api/traites/search"] = self.search
        server.routes["/api/signatures"] = self.signatures
        server.routes["/en/web/conventions/full-list"] = self.page

    def refused(self, seen: Seen) -> Reply | None:
        if seen.headers.get("token") != self.key:
            return Reply(403, '{"Message":"Authorization has been denied for this request."}',
                         {"Content-Type": "application/json"})
        return None

    def search(self, seen: Seen) -> Reply:
        if seen.method != "POST" or json.loads(seen.body).get("NumsSte") != []:
            return Reply(400, "bad search")
        return self.refused(seen) or Reply(200, json.dumps(self.treaties), {"Content-Type": "application/json"})

    def signatures(self, seen: Seen) -> Reply:
        number = seen.query["numSTE"][0]
        if number in self.failing:
            return Reply(500, "<html>Server Error</html>", {"Content-Type": "text/html"})
        return self.refused(seen) or Reply(200, json.dumps(self.charts[number]), {"Content-Type": "application/json"})

    def page(self, seen: Seen) -> Reply:
        return Reply(200, f"<html><script>window.conventions_api_url='x';window.conventions_api_key="
                          f"'{self.page_key}';</script></html>", {"Content-Type": "text/html"})


def config(tmp_path: Path, server, extra: str = 'sweep_period = "5m"') -> Path:
    """The source on the local service; by default every chart in every check."""
    return monitor_config(tmp_path, source_table("coe", "coe", extra, base_url=f"{server.base}/",
                                            page_url=f"{server.base}/en/web/conventions/full-list",
                                            retries=0, host_delay="0s"))


def check(path: Path) -> tuple[int, list[dict], str]:
    """`check --json` as a subprocess: exit code, reports, stderr."""
    result = run_cli("--config", str(path), "check", "--json")
    reports = json.loads(result.stdout) if result.stdout.strip() else []
    return result.returncode, reports, result.stderr


def check_here(path: Path) -> dict:
    """One check of the config at `path` in this process: its report as a dict."""
    [report] = checks.check_here(path)
    return {"outcome": report.outcome, "added": report.added, "error": report.error,
            "events": [e.to_dict() for e in report.events]}


def make_source(**options) -> CoeSource:
    """A `coe` source with `options`, as the config gives it."""
    raw = {"sources": [{"name": "coe", "kind": "coe", **options}]}
    config = parse_config(raw, Path("/tmp/monitor.toml"))
    return CoeSource(config.sources[0])


def treaty_part(records: list, treaties: dict | None = None, memo: dict | None = None) -> Part:
    """The part holding `records`, with the context `collect` gives it: the treaty from the real
    list (or `treaties`), and the source's memo (`memo`, or a fresh one)."""
    number = records[0].fields["treaty"]
    treaties = TREATIES if treaties is None else treaties
    return Part(number, records, context=treaty_context(number, treaties, {} if memo is None else memo))


def events_between(source: CoeSource, before: list, after: list, *, treaties: dict | None = None,
                   memo: dict | None = None) -> list:
    """The events `source` raises for the records going from `before` to `after`."""
    stored = {r.key: Stored(r) for r in before}
    diff = diff_part(stored, after)
    part = treaty_part(after or before, treaties, memo)
    return [e for change in diff.changes for e in source.events(change, part, "2026-05-01T00:00:00+00:00")]
