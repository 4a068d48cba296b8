"""The seed story end to end: Russia's law denouncing ETS No. 126 on the Russian portal, then the
Russian Federation row of the Treaty Office chart; one story, linked, alerted once where asked."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

from helpers.cli import run_cli
from helpers.coe import TreatyOffice, load
from helpers.config import email_channel, hook, monitor_config, source_table, write_config
from helpers.http import Reply, free_port
from helpers.pravo import Portal, law, pravo_source
from helpers.untc import PATHS, XML_TYPE, fixture
from helpers.untc import config_for as untc_config
from monitor.events import event_id
from monitor.sources.pravo import moscow_today
from monitor.web import Endpoint, Metrics

DENUNCIATION = ("О денонсации Российской Федерацией Европейской конвенции по предупреждению пыток и бесчеловечного "
                "или унижающего достоинство обращения или наказания и протоколов № 1 и № 2 к ней")
HUNGARY = "О ратификации Договора между Российской Федерацией и Венгрией о социальном обеспечении"
COCOA = "О ратификации Международного соглашения по какао 2010 года"
ENV = {"LM_SMTP_PASSWORD": "pw-from-env"}
CHART = "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum="


def setup(tmp_path: Path, server, extra: str = "") -> tuple[Path, Portal, TreatyOffice]:
    portal = Portal()
    server.routes["/api/Documents"] = portal
    office = TreatyOffice(server)
    office.treaties = load("treaties_search_all_2026-05.json")  # the whole list: 232 treaties
    server.routes["/hook-first"] = Reply(200, "ok")
    server.routes["/hook-each"] = Reply(200, "ok")
    path = monitor_config(tmp_path, pravo_source(server.base, 3),
                          source_table("coe", "coe", base_url=f"{server.base}/",
                                       page_url=f"{server.base}/en/web/conventions/full-list", treaties=[126],
                                       retries=0, host_delay="0s"),
                          hook(f"{server.base}/hook-first", "first", stories="first"),
                          hook(f"{server.base}/hook-each", "each", extra))
    return path, portal, office


def check(path: Path, *sources: str) -> list[dict]:
    args = [a for name in sources for a in ("--source", name)]
    result = run_cli("--config", str(path), "check", "--json", *args, env=ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def cli_json(path: Path, *args: str) -> list[dict]:
    result = run_cli("--config", str(path), "events", "--json", *args, env=ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def hooks(server, name: str) -> list[dict]:
    return [json.loads(hit.body) for hit in server.hits(f"/hook-{name}")]


def test_the_law_and_the_chart_change_are_one_story_alerted_once_where_asked(tmp_path, server, smtp_server):
    path, portal, office = setup(tmp_path, server, email_channel(smtp_server.port))
    assert [r["outcome"] for r in check(path)] == ["baseline", "baseline"]

    day = moscow_today() - timedelta(days=1)
    eo = f"0001{day:%Y%m%d}0001"
    portal.days[f"{day:%d.%m.%Y}"] = [law(eo, "400-ФЗ", DENUNCIATION, day),
                                      law(f"0001{day:%Y%m%d}0002", "401-ФЗ", HUNGARY, day),
                                      law(f"0001{day:%Y%m%d}0003", "402-ФЗ", COCOA, day)]
    [pravo] = check(path, "pravo-ru")
    by_number = {e["details"]["number"]: e for e in pravo["events"]}
    assert sorted(by_number) == ["400-ФЗ", "401-ФЗ", "402-ФЗ"]
    law_event = by_number["400-ФЗ"]
    assert law_event["id"] == event_id("pravo-ru", eo, "denunciation")  # the id an unlinked event has
    assert law_event["treaty"] == {
        "id": "ETS No. 126", "url": CHART + "126",
        "title": "European Convention for the Prevention of Torture and Inhuman or Degrading Treatment or "
                 "Punishment (ETS No. 126)"}
    assert law_event["summary"].startswith(
        "Russia: federal law on denunciation of the European Convention for the Prevention of Torture and Inhuman "
        "or Degrading Treatment or Punishment (ETS No. 126) and ETS No. 151 and ETS No. 152 (№ 400-ФЗ")
    assert [t["id"] for t in law_event["details"]["treaty_links"]] == ["ETS No. 126", "ETS No. 151", "ETS No. 152"]
    assert law_event["details"]["treaty"].startswith("Европейской конвенции по предупреждению пыток")
    assert law_event["story"]
    for unlinked in (by_number["401-ФЗ"], by_number["402-ФЗ"]):  # bilateral, and not a CoE treaty
        assert unlinked["treaty"]["id"] is None and unlinked["story"] is None
        assert "treaty_links" not in unlinked["details"]
    assert [p["id"] for p in hooks(server, "first")] == [e["id"] for e in pravo["events"]]

    office.charts["126"] = load("signatures_126_after.json")
    [coe] = check(path, "coe")
    [chart_event] = coe["events"]
    assert (chart_event["type"], chart_event["subject"]) == ("denunciation", "Russian Federation")
    assert chart_event["story"] == law_event["story"]

    # "first": the chart change is not sent again; "each": it is, naming the law it follows.
    assert len(hooks(server, "first")) == 3
    each = hooks(server, "each")
    assert [p["id"] for p in each] == [e["id"] for e in pravo["events"]] + [chart_event["id"]]
    assert each[-1]["schema"] == "legal-monitor/event@1" and each[-1]["story"] == law_event["story"]
    [related] = each[-1]["related"]
    assert (related["id"], related["source"], related["source_label"], related["reference"], related["date"]) == \
        (law_event["id"], "pravo-ru", "Russian portal", "federal law No. 400-ФЗ", day.isoformat())

    story = cli_json(path, "--story", law_event["story"])
    assert [e["id"] for e in story] == [law_event["id"], chart_event["id"]]
    assert [r["id"] for r in story[1]["related"]] == [law_event["id"]]
    assert [r["id"] for r in story[0]["related"]] == [chart_event["id"]]
    listed = {e["id"]: e for e in cli_json(path)}
    assert listed[law_event["id"]]["id"] == law_event["id"]  # the event kept its id
    assert [r["id"] for r in listed[chart_event["id"]]["related"]] == [law_event["id"]]

    mails = smtp_server.messages()
    assert len(mails) == 4 and "Russian Federation" in mails[-1]["Subject"]
    text = mails[-1].get_body(preferencelist=("plain",)).get_content()
    assert f"Also reported: Russian portal, {day.isoformat()}, federal law No. 400-ФЗ" in text
    html = mails[-1].get_body(preferencelist=("html",)).get_content()
    assert f"Also reported</th><td>Russian portal, {day.isoformat()}, federal law No. 400-ФЗ</td>" in html

    # The Atom feed, as the daemon's HTTP endpoint serves it.
    endpoint = Endpoint(f"127.0.0.1:{free_port()}", tmp_path / "state.db", Metrics(), lambda: [])
    endpoint.start()
    try:
        body = urllib.request.urlopen(f"http://{endpoint.address}/events.atom", timeout=30).read()
    finally:
        endpoint.stop()
    atom = "{http://www.w3.org/2005/Atom}"
    entries = {e.find(f"{atom}id").text.rsplit(":", 1)[1]: e for e in ET.fromstring(body).iter(f"{atom}entry")}
    chart_entry = entries[chart_event["id"]]
    assert f"story:{law_event['story']}" in {c.get("term") for c in chart_entry.iter(f"{atom}category")}
    assert [l.get("href") for l in chart_entry.iter(f"{atom}link") if l.get("rel") == "related"] == [law_event["url"]]
    assert "Also reported: Russian portal" in chart_entry.find(f"{atom}summary").text


def test_a_law_seen_before_the_catalogue_is_linked_later_without_a_second_alert(tmp_path, server):
    path, portal, office = setup(tmp_path, server)
    day = moscow_today()
    assert check(path, "pravo-ru")[0]["outcome"] == "baseline"
    portal.days[f"{day:%d.%m.%Y}"] = [law(f"0001{day:%Y%m%d}0001", "400-ФЗ", DENUNCIATION, day)]
    [first] = check(path, "pravo-ru")[0]["events"]
    assert first["treaty"]["id"] is None and first["story"] is None  # no catalogue yet

    assert check(path, "coe")[0]["outcome"] == "baseline"  # fetches the treaty list
    [linked] = cli_json(path)
    assert linked["id"] == first["id"]
    assert linked["treaty"]["id"] == "ETS No. 126" and linked["treaty"]["url"] == CHART + "126"
    assert linked["story"]
    assert check(path, "pravo-ru")[0]["events"] == []
    assert [p["id"] for p in hooks(server, "each")] == [first["id"]]


def test_an_unknown_stories_value_is_a_clear_config_error(tmp_path):
    path = write_config(tmp_path, """
        [[channels]]
        name = "hook"
        kind = "webhook"
        url = "http://127.0.0.1:9/hook"
        stories = "last"
        """)
    result = run_cli("--config", str(path), "validate")
    assert result.returncode == 2
    assert "channels[0] (\"hook\").stories: must be one of 'each', 'first', not 'last'" in result.stderr
    assert str(path) in result.stderr and "Traceback" not in result.stderr


def test_an_empty_catalogue_is_filled_from_the_stored_treaty_list_without_fetching_it(tmp_path, server):
    path, _, _ = setup(tmp_path, server)
    assert check(path, "coe")[0]["outcome"] == "baseline"
    with sqlite3.connect(tmp_path / "state.db") as db:  # as a database from before the catalogue
        assert db.execute("select count(*) from treaties").fetchone() == (232,)
        db.execute("delete from treaties")
    assert check(path, "coe")[0]["outcome"] == "unchanged"
    assert len(server.hits("/api/traites/search")) == 1  # the list is a day old at most: not fetched again
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("select title_ru from treaties where id = 'ETS No. 126'").fetchone()[0].startswith(
            "Европейская конвенция по предупреждению пыток")


def test_a_un_treaty_watched_by_untc_enters_the_catalogue_with_its_english_title(tmp_path, server):
    server.routes[PATHS["IV-4"]] = Reply(200, fixture("iccpr_iv-4_2015.en.xml"), XML_TYPE)
    path = untc_config(tmp_path, server.base, ["IV-4"])
    assert check(path)[0]["outcome"] == "baseline"
    with sqlite3.connect(tmp_path / "state.db") as db:
        rows = db.execute("select id, catalogue, title_en, title_ru, url from treaties").fetchall()
    [(ref, catalogue, title, russian, url)] = rows
    assert (ref, catalogue, russian) == ("IV-4", "un", None)
    assert title.startswith("International Covenant on Civil and Political Rights")
    assert url.endswith("mtdsg_no=IV-4&chapter=4&clang=_en")
