"""The dashboard's pictures: each SVG parses, names every state it colours and agrees with the table beside it."""

from __future__ import annotations

import html
import re
import urllib.request
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any
from urllib.error import HTTPError

from monitor.treaties import StatusRow, TreatyStatus
from monitor.web.pictures import parties_curve, standings, treaty_map

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def picture(base: str, path: str) -> tuple[ET.Element, dict[str, str]]:
    status, headers, body = get(base, path)
    assert status == 200, body[:300]
    assert headers["Content-Type"] == "image/svg+xml" and headers["ETag"]
    root = ET.fromstring(body)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    assert not list(root.iter(f"{SVG}script")), "a picture carries no script"
    return root, headers


def coloured(root: ET.Element) -> dict[str, list[str]]:
    """Series index -> the label of each map area coloured in it ("State: standing")."""
    found: dict[str, list[str]] = {}
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "map-element" in classes and "series" in classes:
            serie = next(c for c in classes if c.startswith("serie-"))
            label = next(d.text for d in group.iter(f"{SVG}desc") if "label" in (d.get("class") or ""))
            found.setdefault(serie, []).append(label)
    return found


def legend(root: ET.Element) -> list[str]:
    return [text.text for g in root.iter(f"{SVG}g") if "legend" in (g.get("class") or "").split()
            for text in g.iter(f"{SVG}text")]


def table(body: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of the table with this id."""
    part = body.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", part, re.S):
        cells = re.split(r"</t[hd]>", row)[:-1]
        rows.append([html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c))).strip() for c in cells])
    return rows


def test_the_treaty_map_colours_each_state_by_its_standing_as_the_table_says(site):
    root, headers = picture(site, "/treaties/coe/126/map.svg")
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    _, _, page = get(site, "/treaties/coe/126")
    body = page.decode()
    assert 'src="/treaties/coe/126/map.svg"' in body
    rows = {row[0]: row for row in table(body, "standing-table")}
    series = coloured(root)
    parties, signed, left, never = (series.get(f"serie-{i}", []) for i in range(4))
    assert [label for label in left] == ["Russian Federation: Denounced or withdrawn (effective 2026-04-22)"]
    assert rows["Denounced or withdrawn"][1:] == ["1", "Russian Federation (effective 22 Apr 2026)"]
    # every state the table counts as a party is coloured as one, and none more
    table_parties = rows["Party"][2].split(", ")
    assert int(rows["Party"][1]) == len(table_parties) == len(parties) == 3
    assert sorted(label.split(":")[0] for label in parties) == sorted(table_parties) == ["Albania", "France", "Ukraine"]
    assert "France: Party (1989-01-09)" in parties and signed == []
    assert legend(root) == ["Party (3)", "Signed only (0)", "Denounced or withdrawn (1)", "Never joined"]
    assert "China: never joined" in never and not any(label.startswith("France") for label in never)


def test_states_and_organisations_the_map_cannot_place_are_listed_under_it(site):
    root, _ = picture(site, "/treaties/un/XXVII-7-d/map.svg")
    _, _, page = get(site, "/treaties/un/XXVII-7-d")
    body = page.decode()
    listed_apart = body.split('<ul id="unplaced"', 1)[1].split("</ul>", 1)[0]
    apart = [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<li[^>]*>(.*?)</li>", listed_apart)]
    assert "European Union (party)" in apart and "Tuvalu (party)" in apart and "South Sudan (signed only)" in apart
    labels = [label for labels in coloured(root).values() for label in labels]
    assert not any(label.startswith("European Union") for label in labels)
    rows = {row[0]: row for row in table(body, "standing-table")}
    listed = sum(int(rows[name][1]) for name in ("Party", "Signed only", "Denounced or withdrawn"))
    placed = sum(len(coloured(root).get(f"serie-{i}", [])) for i in range(3))
    assert listed == placed + len(apart)
    assert rows["Denounced or withdrawn"][2] == "United States of America (effective 4 Nov 2020)"


def test_the_parties_curve_steps_through_the_table_and_marks_the_denunciation(site):
    root, _ = picture(site, "/treaties/coe/126/parties.svg")
    _, _, page = get(site, "/treaties/coe/126")
    steps = table(page.decode(), "curve-table")
    assert steps[-1] == ["22 Apr 2026", "3", "", "Russian Federation"]
    assert steps[-2] == ["5 May 1998", "4", "Russian Federation", ""]
    labels = [t.text for t in root.iter(f"{SVG}text") if "label" in (t.get("class") or "")]
    assert labels == ["Russian Federation left"]


def test_a_picture_is_drawn_once_then_answered_304_by_its_etag(site):
    _, headers = picture(site, "/treaties/coe/126/map.svg")
    status, again, body = get(site, "/treaties/coe/126/map.svg", {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
    status, _, _ = get(site, "/treaties/coe/999/map.svg")
    assert status == 404


def test_a_states_timeline_links_each_mark_to_its_event_page(site):
    root, _ = picture(site, "/subjects/Russian%20Federation/timeline.svg")
    _, _, page = get(site, "/subjects/Russian%20Federation")
    body = page.decode()
    assert 'data="/subjects/Russian%20Federation/timeline.svg"' in body
    links = [a.get(f"{XLINK}href") or a.get("href") for a in root.iter(f"{SVG}a")]
    hrefs = re.findall(r'<tr data-type="[^"]+"><td>.*?<a href="([^"]+)">', body.split('id="timeline-table"')[1])
    assert links == hrefs and len(links) == 1
    status, _, event = get(site, links[0])
    text = event.decode()
    assert status == 200 and "Denunciation" in text and "Russian Federation" in text and "Prevention of Torture" in text
    assert [t.text for t in root.iter(f"{SVG}text") if t.text == "Denunciation"]


def test_the_home_chart_counts_the_months_as_the_table_does(site):
    root, _ = picture(site, "/pictures/actions-per-month.svg")
    _, _, page = get(site, "/")
    rows = table(page.decode(), "months-table")
    assert len(rows) == 24 and rows[-1][0] == date.today().strftime("%Y-%m")
    # the two denunciations (Russia at the CoE, the US at the UN), a ratification and a signature this month
    assert rows[-1][1:] == ["1", "1", "0", "0", "0", "0", "2", "4"]
    bars: dict[int, list[float]] = {}
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "series" in classes:
            serie = int(next(c for c in classes if c.startswith("serie-")).removeprefix("serie-"))
            heights = [float(rect.get("height", "0")) for rect in group.iter(f"{SVG}rect")]
            if heights:  # the plot's bars (the text overlay has groups of the same classes)
                bars[serie] = heights
    unit = None
    assert sorted(bars) == list(range(7))
    for serie, heights in bars.items():  # each bar is as tall as its cell of the table says, in one unit
        assert len(heights) == 24
        for row, height in zip(rows, heights, strict=False):
            count = int(row[1 + serie])
            assert (height > 0) == (count > 0), (row[0], serie)
            if count:
                unit = unit or height / count
                assert abs(height - unit * count) < 1e-6


def test_standings_and_curve_from_rows_alone():
    rows = [StatusRow("France", signature="1987-11-26", consent="1988-01-09"),
            StatusRow("Russian Federation", consent="1998-05-05", denunciation="2025-09-29",
                      denunciation_effective="2026-03-31"),
            StatusRow("United States of America", signature="1990-01-01"),
            StatusRow("European Union", consent="2010-01-01"),
            StatusRow("Ruritania", consent="in 2011")]
    table = standings(TreatyStatus("126", "ETS 126", None, rows))
    assert [(r.participant, r.code, r.standing) for r in table.rows] == [
        ("France", "fr", "party"), ("Russian Federation", "ru", "left"), ("United States of America", "us", "signed"),
        ("European Union", None, "party"), ("Ruritania", None, "party")]
    assert [(s.day, s.parties) for s in table.steps] == [("1988-01-09", 1), ("1998-05-05", 2), ("2010-01-01", 3),
                                                          ("2026-03-31", 2)]
    assert table.undated == ["Ruritania"]
    drawn = ET.fromstring(treaty_map("ETS 126", table))
    assert "Russian Federation: Denounced or withdrawn (effective 2026-03-31)" in \
        [d.text for d in drawn.iter(f"{SVG}desc")]
    curve = ET.fromstring(parties_curve("ETS 126", table.steps, date(2026, 12, 1)))
    assert "2 parties" not in curve.find(f"{SVG}desc").text and "now 2" in curve.find(f"{SVG}desc").text


def test_the_month_counts_follow_new_and_released_events(tmp_path):
    from monitor.clock import utcnow
    from monitor.events import Event, event_id
    from monitor.store import SuccessfulCheck, open_state
    from monitor.web.dashboard import Dashboard

    state = open_state(tmp_path / "state.db")
    dashboard = Dashboard(lambda work: work(state.conn), lambda: None)

    def add(number: int, kind: str, detected_at: str, hold: str | None = None) -> None:
        event = Event(id=event_id("src", str(number), kind), type=kind, source="src", key=str(number),
                      subject="France", date="2026-01-01", detected_at=detected_at, hold=hold)
        state.record_success(SuccessfulCheck(source="src", kind="feed", started_at=detected_at, duration=0.1,
                                             outcome="changed", bytes=1, requests=1, not_modified=0, documents=[],
                                             memo={}, events=[event]))

    def this_month(kind: str) -> int:
        months, counts = dashboard._actions_by_month(state.conn)
        return counts[months[-1]].get(kind, 0), counts[months[-2]].get(kind, 0)

    now = utcnow()
    year, month = int(now[:4]), int(now[5:7])
    last_month = f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}-15T12:00:00.000+00:00"
    add(1, "ratification", now)
    add(2, "denunciation", last_month, hold="held")
    assert this_month("ratification") == (1, 0) and this_month("denunciation") == (0, 0)
    add(3, "ratification", now)
    assert this_month("ratification") == (2, 0)  # a new event: this month counted again
    state.conn.execute("update events set hold = 'released' where key = '2'")
    assert this_month("denunciation") == (0, 1)  # a released event: every month counted again
    state.close()
