"""The depositary kinds end to end: the CLI against a local server, a silent baseline, then one
denunciation as exactly one alert with its state, treaty, date, effective date and official link."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from helpers.config import monitor_config, source_table
from helpers.depositaries import FIXTURES, cli_check, cli_events
from helpers.http import Reply
from monitor.config import load_config
from monitor.pipeline.link import load_catalogue
from monitor.store import open_state
from monitor.web import Endpoint, Metrics


def treaty_page(path: Path, source: str, treaty: str) -> str:
    """The dashboard's page of one treaty, served from the checks' database."""
    config = load_config(path)
    endpoint = Endpoint("127.0.0.1:0", config.state_path, Metrics(), lambda: [], lambda: config)
    endpoint.start()
    try:
        with urllib.request.urlopen(f"http://{endpoint.address}/treaties/{source}/{treaty}", timeout=10) as answer:
            return answer.read().decode()
    finally:
        endpoint.stop()


def catalogue(path: Path) -> dict[str, tuple[str, str, str | None]]:
    state = open_state(load_config(path).state_path)
    try:
        return {e.id: (e.catalogue, e.title_en, e.url) for e in load_catalogue(state)}
    finally:
        state.close()


def source_config(tmp_path: Path, name: str, kind: str, *keys: str) -> Path:
    """A config of one source of `kind`, its keys given as TOML lines, checked without retries or delays."""
    return monitor_config(tmp_path, source_table(name, kind, *keys, retries=0, host_delay="0s"))


def denunciation_alert(report: dict) -> dict:
    assert [e["type"] for e in report["events"]] == ["denunciation"], report
    return report["events"][0]


def three_checks(path: Path, publish) -> dict:
    """A silent first check, `publish()`, a check with the one alert, an unchanged check; the alert."""
    code, [report], stderr = cli_check(path)
    assert (code, report["outcome"], report["events"]) == (0, "baseline", []), stderr
    assert report["added"] > 0
    publish()
    code, [report], stderr = cli_check(path)
    assert code == 0, stderr
    event = denunciation_alert(report)
    code, [report], _ = cli_check(path)
    assert (code, report["events"]) == (0, [])
    assert [e["id"] for e in cli_events(path) if e["type"] == "denunciation"] == [event["id"]]
    return event


def test_nl_treaties_cli(tmp_path, server):
    here = FIXTURES / "nl_treaties"
    listing = {"body": (here / "sru_page.xml").read_text(encoding="utf-8")}
    items = {"007234": (here / "item_007234_before.xml").read_text(encoding="utf-8"),
             "001642": (here / "item_001642.xml").read_text(encoding="utf-8")}
    xml = {"Content-Type": "text/xml; charset=utf-8"}
    server.routes["/sru"] = lambda seen: Reply(200, listing["body"], xml)
    for number in items:
        server.routes[f"/frbr/vd/{number}/1/xml-en/{number}.xml"] = \
            (lambda n: lambda seen: Reply(200, items[n], xml))(number)
    path = source_config(tmp_path, "nl", "nl_treaties", f'base_url = "{server.base}/sru"')

    def publish():
        items["007234"] = (here / "item_007234_denounced.xml").read_text(encoding="utf-8")
        listing["body"] = listing["body"].replace("2024-05-02", "2026-10-05")

    event = three_checks(path, publish)
    assert (event["subject"], event["date"], event["effective_date"]) == ("Russian Federation", "2026-10-01",
                                                                          "2027-10-01")
    assert event["treaty"] == {"id": "NL 007234",
                               "title": "Statute of the Hague Conference on Private International Law",
                               "url": "https://treatydatabase.overheid.nl/en/Treaty/Details/007234"}
    assert event["url"] == "https://treatydatabase.overheid.nl/en/Treaty/Details/007234"
    assert catalogue(path)["NL 007234"][0] == "nl" and "NL 001642" in catalogue(path)


def test_unoda_cli(tmp_path, server):
    here = FIXTURES / "unoda"
    answers = {"npt": (here / "npt_before.json").read_text(encoding="utf-8")}
    server.routes["/graphql"] = lambda seen: Reply(
        200, answers[json.loads(seen.body)["variables"]["input"]["short_name"]], {"Content-Type": "application/json"})
    path = source_config(tmp_path, "unoda", "unoda", f'url = "{server.base}/graphql"', 'treaties = ["npt"]')

    def publish():
        answers["npt"] = (here / "npt_withdrawal.json").read_text(encoding="utf-8")

    event = three_checks(path, publish)
    assert (event["subject"], event["date"], event["effective_date"]) == ("Iran (Islamic Republic of)", "2026-06-12",
                                                                          "2026-09-12")
    assert event["treaty"] == {"id": "UNODA npt", "title": "Treaty on the Non-Proliferation of Nuclear Weapons",
                               "url": "https://treaties.unoda.org/t/npt"}
    assert event["url"] == "https://treaties.unoda.org/t/npt"
    assert catalogue(path)["UNODA npt"] == ("unoda", event["treaty"]["title"], event["url"])


def test_hcch_cli(tmp_path, server):
    here = FIXTURES / "hcch"
    page = {"body": (here / "cid31_before.html").read_text(encoding="utf-8")}
    server.routes["/en/instruments/conventions/status-table/print/"] = lambda seen: Reply(
        200, page["body"], {"Content-Type": "text/html; charset=utf-8"}) if seen.query.get("cid") == ["31"] else None
    path = source_config(tmp_path, "hcch", "hcch", f'base_url = "{server.base}"', 'conventions = [31]')

    def publish():
        page["body"] = (here / "cid31_denounced.html").read_text(encoding="utf-8")

    event = three_checks(path, publish)
    assert (event["subject"], event["date"], event["effective_date"]) == ("Finland", "2026-03-02", "2026-09-01")
    link = f"{server.base}/en/instruments/conventions/status-table/?cid=31"
    assert event["treaty"]["id"] == "HCCH cid 31" and event["treaty"]["url"] == link and event["url"] == link
    assert event["treaty"]["title"].startswith("31: Convention of 15 June 1955 relating to the settlement")
    # The treaty is in the catalogue, and its dashboard page shows the party table with the denunciation.
    assert catalogue(path)["HCCH cid 31"] == ("hcch", event["treaty"]["title"], link)
    page = treaty_page(path, "hcch", "31")
    assert "31: Convention of 15 June 1955" in page and f'href="{link}"' in page
    finland = page.split('id="status-heading"', 1)[1].split(">Finland<", 1)[1].split("</tr>", 1)[0]
    assert "2 Mar 2026" in finland and "1 Sep 2026" in finland


def test_ilo_cli(tmp_path, server):
    here = FIXTURES / "ilo"
    page = {"body": (here / "c158_before.html").read_text(encoding="utf-8")}
    html = {"Content-Type": "text/html; charset=utf-8"}

    def start(seen):
        assert seen.query["p"] == ["NORMLEXPUB:1:0::NO:::"]
        cookie = {"Set-Cookie": "ORA_WWV_APP_1000=s3ss10n; Path=/"}
        return Reply(200, page["body"].replace("<table", "<div"), {**html, **cookie})

    def ratifications(seen):
        if "ORA_WWV_APP_1000=s3ss10n" not in seen.headers.get("Cookie", ""):
            return Reply(302, "", {"Location": f"/dyn/nrmlx_en/f?p={seen.query['p'][0]}"})
        assert seen.query["p"] == ["NORMLEXPUB:11300:0::NO::P11300_INSTRUMENT_ID:312303"]
        assert seen.headers["Referer"] == f"{server.base}/"
        return Reply(200, page["body"], html)
    server.routes["/dyn/normlex/en/f"] = start
    server.routes["/dyn/nrmlx_en/f"] = ratifications
    path = source_config(tmp_path, "ilo", "ilo", f'base_url = "{server.base}"', 'conventions = ["C158"]',
                         'user_agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0"')

    def publish():
        page["body"] = (here / "c158_denounced.html").read_text(encoding="utf-8")

    event = three_checks(path, publish)
    assert (event["subject"], event["date"], event["effective_date"]) == ("Venezuela (Bolivarian Republic of)",
                                                                          "2026-10-14", "2027-10-14")
    link = f"{server.base}/dyn/nrmlx_en/f?p=NORMLEXPUB:11300:0::NO::P11300_INSTRUMENT_ID:312303"
    assert event["treaty"] == {"id": "ILO C158", "title": "C158 - Termination of Employment Convention, 1982 (No. 158)",
                               "url": link}
    assert event["url"] == link
    assert catalogue(path)["ILO C158"] == ("ilo", event["treaty"]["title"], link)
    assert "Venezuela (Bolivarian Republic of)" in treaty_page(path, "ilo", "C158")
    assert {r.headers.get("User-Agent") for r in server.requests} == {"Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0"}
