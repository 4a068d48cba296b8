"""Detection latency and politeness of the shipped config: the daemon against simulated portals, time sped up.

    python -m benchmarks.detection [--factor 120] [--hours 12.25] [--actions 6] [--seed 1]

Serves, on 127.0.0.1, a simulated Russian portal (`/api/Documents` by day, `/api/rss` by
block), UN Treaty Collection (a status XML for every treaty of the chapter index, numbered C.N.
PDFs) and Council of Europe web service (the 232-treaty list of the May 2026 capture, one chart
per treaty, its page shell), all answering conditional GETs. It runs the real daemon
(`legal-monitor run`) with config/monitor.toml, every base URL pointed at the simulation and
every duration (intervals, fast-path intervals, sweep period, jitter, host delays, retry waits)
divided by `--factor`. A first run does the sources' first checks (baselines, the first C.N.
probe, the first RSS poll) and stops; the measured run restarts on that state, as a daemon in
service would be, for `--hours` of simulated time, during which `--actions` treaty actions per
portal are published at random moments: a ratification law (listed by the API and its RSS), a
C.N. (its status file unchanged), a signature on a CoE chart. Latency = the event's
`detected_at` - the moment of publication, times the factor; requests per day = the portal's
requests in the measured run, scaled to a real day (the UN status sweep, every 12 h, falls in it once).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import tomli_w

from monitor.config import load_config
from monitor.sources import create

from .common import PYTHON, ROOT, median, stop_process, table

sys.path.insert(0, str(ROOT / "tests"))
from helpers.cn_pdf import notification  # noqa: E402  (the tests' minimal PDF writer: one for both)

MOSCOW = timezone(timedelta(hours=3))
TARGETS = {"pravo": 10.0, "untc": 15.0, "coe": 60.0}
"""Detection targets in minutes of real time."""
TREATY_LIST = ROOT / "tests" / "fixtures" / "coe" / "treaties_search_all_2026-05.json"


class Portals:
    """The simulated portals' content, changed by the benchmark while the daemon polls it."""

    def __init__(self, base: str) -> None:
        self.lock = threading.Lock()
        self.base = base
        self.today = datetime.now(MOSCOW).date()
        self.year = datetime.now(timezone.utc).year
        self.acts: list[dict[str, Any]] = [self.act(n, "О внесении изменений в Налоговый кодекс Российской Федерации")
                                           for n in range(1, 8)]
        self.cns: dict[int, bytes] = {n: notification(n, self.year, "XXVII.17", "ALBANIA: DECLARATION",
                                                      ["The above action was effected on 2 January 2026."])
                                      for n in range(1, 121)}
        self.treaties = json.loads(TREATY_LIST.read_text(encoding="utf-8"))
        self.signed: dict[str, str] = {}
        self.lettered: set[str] = set()
        """Lettered instruments the config names: served; the others answer 404 (the end of a probe)."""
        self.requests: list[tuple[float, str]] = []

    def act(self, n: int, title: str) -> dict[str, Any]:
        day = self.today
        eo = f"0001{day:%Y%m%d}{n:04d}"
        head = f"Федеральный закон от {day:%d.%m.%Y} № {n}-ФЗ"
        return {"eoNumber": eo, "complexName": f'{head}\n "{title}"', "name": title, "number": f"{n}-ФЗ",
                "documentDate": f"{day}T00:00:00", "publishDateShort": f"{day}T00:00:00", "viewDate": f"{day:%d.%m.%Y}",
                "documentTypeId": "82a8bf1c-3bc7-47ed-827f-7affd43a7f27",
                "signatoryAuthorityId": "225698f1-cfbc-4e42-9caa-32f9f7403211", "title": f"{head}<br /> {title}",
                "id": f"id-{eo}", "pagesCount": 1}

    # -- answers --

    def answer(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        one = {k: v[0] for k, v in query.items()}
        with self.lock:
            if path == "/pravo/api/Documents":
                items = [a for a in self.acts if a["viewDate"] == one.get("Date")] if one.get("Block") == "president" else []
                body = {"items": items, "itemsTotalCount": len(items), "itemsPerPage": 200, "currentPage": 1,
                        "pagesTotalCount": 1 if items else 0}
                return 200, json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8"
            if path == "/pravo/api/rss":
                return 200, self.rss(), "application/rss+xml; charset=utf-8"
            if path.startswith("/un/doc/Publication/CN/"):
                found = re.search(r"/CN\.(\d+)\.(\d{4})-Eng\.pdf$", path)
                if found and int(found.group(2)) == self.year and int(found.group(1)) in self.cns:
                    return 200, self.cns[int(found.group(1))], "application/pdf"
                return 404, b"<html><body>Not found</body></html>", "text/html"
            if path.startswith("/un/doc/Publication/MTDSG/"):
                ref = path.rsplit("/", 1)[-1].removesuffix(".en.xml")
                if re.search(r"-[a-z]$", ref) and ref not in self.lettered:
                    return 404, b"<html><body>Not found</body></html>", "text/html"
                return 200, status_xml(ref), "text/xml"
            if path == "/coe/ws/api/traites/search" and method == "POST":
                return 200, json.dumps(self.treaties).encode(), "application/json"
            if path == "/coe/ws/api/signatures":
                return 200, json.dumps(self.chart(one.get("numSTE", ""))).encode(), "application/json"
            if path == "/coe/page":
                shell = (f"<script>window.conventions_api_url='{self.base}/coe/ws/';"
                         "window.conventions_api_key='hfghhgp2q5vgwg1hbn532kw71zgtww7e';</script>")
                return 200, shell.encode(), "text/html"
        return 404, b"not found", "text/plain"

    def rss(self) -> bytes:
        pub = format_datetime(datetime(self.today.year, self.today.month, self.today.day, tzinfo=MOSCOW))
        items = "".join(f"<item><title>{escape(a['complexName'])}</title><link>http://x/document/{a['eoNumber']}</link>"
                        f"<pubDate>{pub}</pubDate></item>" for a in reversed(self.acts[-10:]))
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()

    def chart(self, number: str) -> list[list[dict[str, Any]]]:
        rows = [{"CodePays": code, "LibPaysOrga": name, "NumSTE": number, "DateSignature": "2001-05-11T00:00:00",
                 "DateConsentement": "2002-01-25T00:00:00", "DateEntreeVigueur": "2002-05-01T00:00:00"}
                for code, name in (("ARM", "Armenia"), ("NOR", "Norway"), ("FRA", "France"))]
        rows.append({"CodePays": "TST", "LibPaysOrga": "Testland", "NumSTE": number,
                     "DateSignature": self.signed.get(number), "DateConsentement": None, "DateEntreeVigueur": None})
        return [rows, [], []]

    # -- actions --

    def publish(self, portal: str, k: int) -> str:
        """Publish action `k` on `portal`; returns the key its event will carry."""
        with self.lock:
            if portal == "pravo":
                act = self.act(9000 + k, f"О ратификации Соглашения между Российской Федерацией и Республикой {k} "
                                         "о сотрудничестве")
                self.acts.append(act)
                return act["eoNumber"]
            if portal == "untc":
                number = max(self.cns) + 1
                self.cns[number] = notification(number, self.year, "XXVII.17", f"ATLANTIS {k}: ACCESSION",
                                                [f"The above action was effected on {self.today:%d %B %Y}."])
                return f"CN.{number}.{self.year}"
            number = self.treaties[k * 7 % len(self.treaties)]["Numero_traite"]
            self.signed[number] = f"{self.today}T00:00:00"
            return f"{number}:TST"


def status_xml(ref: str) -> bytes:
    return ('<?xml version="1.0" encoding="ISO-8859-1"?><Document><Treaty><Header><ExternalData>'
            f"<Titlesect>Treaty {ref}</Titlesect></ExternalData></Header><Participants><Table><TGroup cols=\"3\">"
            "<Thead><Row><Entry>Participant</Entry><Entry>Signature</Entry><Entry>Ratification, Accession(a)</Entry>"
            "</Row></Thead><Tbody><Rows><Row><Entry>Albania</Entry><Entry>10 Oct\t 2013</Entry>"
            "<Entry>15 Mar\t 2017</Entry></Row><Row><Entry>Hungary</Entry><Entry>10 Oct\t 2013</Entry>"
            "<Entry>18 May\t 2017 a</Entry></Row></Rows></Tbody></TGroup></Table></Participants></Treaty>"
            "</Document>").encode("latin-1")


def serve(portals: Portals) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            portals.requests.append((time.time(), parts.path.split("/")[1]))
            status, body, kind = portals.answer(self.command, parts.path, parse_qs(parts.query))
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            if status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if status == 200:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def seconds(value: float) -> str:
    return f"{value:.4f}s"


def scaled_config(folder: Path, base: str, factor: float, lettered: set[str]) -> Path:
    """config/monitor.toml with the simulation's addresses and every duration divided by `factor`."""
    shipped = ROOT / "config" / "monitor.toml"
    raw = tomllib.loads(shipped.read_text(encoding="utf-8"))
    effective = {s.name: s for s in load_config(shipped).sources}
    addresses = {"pravo": {"base_url": f"{base}/pravo"}, "untc": {"base_url": f"{base}/un"},
                 "coe": {"base_url": f"{base}/coe/ws/", "page_url": f"{base}/coe/page"}}
    tables = []
    for table_ in raw.get("sources", []):
        source = effective[table_["name"]]
        if source.kind not in addresses:  # the depositaries this benchmark does not simulate
            continue
        if source.kind == "untc":
            lettered.update(ref for ref in create(source).refs() if re.search(r"-[a-z]$", ref))
        options = source.options
        table_ = {**table_, **addresses[source.kind], "interval": seconds(source.interval / factor),
                  "jitter": seconds(source.jitter / factor), "host_delay": seconds(source.host_delay / factor),
                  "retry_base": seconds(source.retry_base / factor)}
        for key in ("rss_interval", "cn_interval", "sweep_period"):
            value = getattr(options, key, None)
            if value:
                table_[key] = seconds(value / factor)
        tables.append(table_)
    body = {"state": {"path": str(folder / "state.db")}, "daemon": {"shutdown_timeout": "5s"},
            "sources": tables}
    path = folder / "monitor.toml"
    path.write_text(tomli_w.dumps(body), encoding="utf-8")
    return path


def daemon(config: Path) -> subprocess.Popen:
    """`legal-monitor run`, its log appended to daemon.log beside the config."""
    with open(config.parent / "daemon.log", "ab") as log:
        return subprocess.Popen([PYTHON, "-m", "monitor", "--config", str(config), "run"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=log)


def memo_ready(state: Path) -> bool:
    """Every source checked once, the C.N. numbering found and the RSS noted."""
    if not state.exists():
        return False
    try:
        with sqlite3.connect(state) as db:
            rows = dict(db.execute("select name, memo from sources where last_success is not null").fetchall())
    except sqlite3.Error:
        return False
    return len(rows) == 3 and '"cn"' in (rows.get("untc") or "") and '"rss_seen"' in (rows.get("pravo") or "")


def detected(state: Path) -> dict[str, float]:
    """The first detection time of each event key (and of each C.N. link)."""
    found: dict[str, float] = {}
    with sqlite3.connect(state) as db:
        for key, url, at in db.execute("select key, url, detected_at from events where key != ''"):
            stamp = datetime.fromisoformat(at).timestamp()
            for name in (key, (re.search(r"(CN\.\d+\.\d{4})", url or "") or [None])[0]):
                if name and (name not in found or stamp < found[name]):
                    found[name] = stamp
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, default=120.0, help="time runs this many times faster")
    parser.add_argument("--hours", type=float, default=12.25, help="simulated hours measured")
    parser.add_argument("--actions", type=int, default=6, help="treaty actions published per portal")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="detection-"))
    portals = Portals("")
    server = serve(portals)
    portals.base = base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        config = scaled_config(folder, base, args.factor, portals.lettered)
        state = folder / "state.db"
        warm = daemon(config)
        started = time.time()
        while not memo_ready(state):
            if warm.poll() is not None or time.time() - started > 300:
                stop_process(warm)
                print(f"the first checks did not finish: see {folder / 'daemon.log'}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        stop_process(warm)
        print(f"first checks done in {time.time() - started:.1f}s (not measured)", flush=True)
        del portals.requests[:]
        span = args.hours * 3600 / args.factor
        plan = sorted((rng.uniform(0.25, args.hours - 1.25) * 3600 / args.factor, portal, k)
                      for portal in ("pravo", "untc", "coe") for k in range(1, args.actions + 1))
        run = daemon(config)
        start = time.time()
        published: list[tuple[str, str, float]] = []
        for offset, portal, k in plan:
            time.sleep(max(0.0, start + offset - time.time()))
            published.append((portal, portals.publish(portal, k), time.time()))
        time.sleep(max(0.0, start + span - time.time()))
        stop_process(run)
        elapsed = time.time() - start
        found = detected(state)
    finally:
        server.shutdown()
    rows = []
    for portal, prefix in (("pravo", "pravo"), ("untc", "un"), ("coe", "coe")):
        latencies = [(found[key] - at) * args.factor / 60 for p, key, at in published if p == portal and key in found]
        missed = sum(1 for p, key, _ in published if p == portal and key not in found)
        count = sum(1 for at, where in portals.requests if where == prefix and at >= start)
        per_day = count / (elapsed * args.factor) * 86400
        rows.append([portal, len(latencies), missed, median(latencies), max(latencies, default=float("nan")),
                     TARGETS[portal], per_day, per_day / 1440])
    print(f"time factor {args.factor:g}, {args.hours:g} simulated hours ({elapsed:.0f}s), "
          f"{args.actions} actions per portal, seed {args.seed}, config/monitor.toml")
    print(table(["portal", "detected", "missed", "median min", "worst min", "target min", "requests/day",
                 "requests/min"], rows))
    shutil.rmtree(folder, ignore_errors=True)
    return 0 if all(r[2] == 0 and r[4] <= r[5] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
