"""A treaty chart page for the generic kinds, served on the local server, and a config watching it."""

from __future__ import annotations

import json

from helpers.cli import run_cli
from helpers.config import QUICK, hook, monitor_config, source_table
from helpers.http import Reply

HTML = {"Content-Type": "text/html; charset=utf-8"}
TREATY = ('{ id = "ETS 126", title = "European Convention for the Prevention of Torture (ETS No. 126)", '
          'url = "https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=126" }')


def chart(rows: list[tuple[str, str, str]]) -> str:
    """A treaty chart: state, ratification date, note; no column is called `subject`."""
    body = "".join(f"<tr><td class='state'>{s}</td><td class='rat'>{r}</td><td class='note'>{n}</td></tr>"
                   for s, r, n in rows)
    return f"<html><body><table id='chart'><tr><th>State</th><th>Ratification</th><th>Note</th></tr>{body}" \
           f"</table></body></html>"


ROWS = [("Spain", "02/05/1989", ""), ("France", "09/01/1989", ""), ("Ukraine", "05/05/1997", "")]


class Chart:
    """A chart page on the local server and a config watching it."""

    def __init__(self, server, tmp_path, rows=ROWS, *, fields='{ note = "td.note" }', extra="", channels="",
                 name="chart"):
        self.server, self.tmp_path, self.rows = server, tmp_path, list(rows)
        server.routes["/chart.html"] = lambda seen: Reply(200, chart(self.rows), HTML)
        self.write(fields=fields, extra=extra, channels=channels, name=name)

    def write(self, *, fields='{ note = "td.note" }', extra="", channels="", name="chart",
              key="td.state") -> None:
        self.path = monitor_config(self.tmp_path, source_table(name, "html", f"fields = {fields}", extra,
                                                               url=f"{self.server.base}/chart.html",
                                                               items="#chart tr:has(td)", key=key),
                                   channels, defaults=QUICK)

    def check(self, *options: str, env: dict[str, str] | None = None):
        result = run_cli("--config", str(self.path), *options, "check", "--json", env=env)
        assert "Traceback" not in result.stderr, result.stderr
        return result, (json.loads(result.stdout) if result.stdout.strip() else [])

    def events(self) -> list[dict]:
        return json.loads(run_cli("--config", str(self.path), "events", "--json").stdout)


def hook_table(url: str) -> str:
    """A webhook channel for the treaty actions and the generic record events."""
    return hook(url, events=["denunciation", "ratification", "record_changed", "record_added"])
