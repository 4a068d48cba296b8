"""The feeds as feed readers see them: Atom per RFC 4287 (feedparser), JSON Feed 1.1 (a validator
and a parser), paging through next links, and ETag/Last-Modified with 304 answers."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

import feedparser
import jsonfeed
import pytest
from jsonfeedvalidator import validate_feed

from helpers.config import monitor_config
from helpers.dashboard import get, serve
from helpers.schema import assert_valid
from monitor.events import Event, Treaty
from monitor.store import Filters, SuccessfulCheck, open_state
from monitor.web.feeds import FeedPage, atom_feed, json_feed, last_modified

ATOM = "{http://www.w3.org/2005/Atom}"
URN = re.compile(r"^urn:[a-zA-Z0-9][a-zA-Z0-9-]{1,31}:([a-zA-Z0-9()+,.:=@;$_!*'-]|%[0-9A-Fa-f]{2})+$")
"""RFC 2141's URN syntax, as the W3C feed validator checks an atom:id."""
FEEDS = ("/events.atom", "/feed.json", "/events.json")


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """A database of 120 ratifications, so that the feeds need three pages."""
    folder = tmp_path_factory.mktemp("many")
    monitor_config(folder)
    state = open_state(folder / "state.db")
    events = [Event(id=f"ev-{n:03d}", type="ratification", source="coe", key=f"k{n}", subject=f"State {n}",
                    title=f"Treaty {n}", url=f"https://www.coe.int/t/{n}", date="2026-01-02",
                    detected_at=f"2026-02-01T10:{n // 60:02d}:{n % 60:02d}.000+00:00") for n in range(120)]
    state.record_success(SuccessfulCheck(source="coe", kind="coe", started_at=events[-1].detected_at, duration=0.1,
                                         outcome="changed", bytes=0, requests=0, not_modified=0, documents=[],
                                         memo={}, events=events))
    state.close()
    endpoint = serve(folder / "monitor.toml")
    yield f"http://{endpoint.address}"
    endpoint.stop()


def parsed_atom(base: str, query: str = ""):
    status, headers, body = get(base, "/events.atom" + query)
    assert status == 200 and headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(body.encode())
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed, ET.fromstring(body.encode())


def test_each_filter_has_its_own_atom_id_title_and_links(site):
    seen = {}
    for query in ("", "?type=denunciation", "?subject=Russian+Federation", "?type=signature&source=coe"):
        feed, root = parsed_atom(site, query)
        seen[feed.feed.id] = feed.feed.title
        links = {(link.rel, link.type): link.href for link in feed.feed.links}
        assert links[("self", "application/atom+xml")] == f"{site}/events.atom{query}"
        assert links[("alternate", "text/html")] == f"{site}/events{query}"
        assert links[("alternate", "application/feed+json")] == f"{site}/feed.json{query}"
        assert feed.entries, query
        for entry in feed.entries:
            assert entry.published and entry.updated and entry.content[0].type == "text/html"
            assert entry.id.startswith("urn:legal-monitor:event:")
        # One `updated` per feed, the newest entry's (the W3C validator's DuplicateUpdated).
        assert len(root.findall(f"{ATOM}updated")) == 1
        assert root.findtext(f"{ATOM}updated") == max(e.findtext(f"{ATOM}updated") for e in root.iter(f"{ATOM}entry"))
    assert seen["urn:legal-monitor:events"] == "legal-monitor: treaty actions"  # unchanged for old subscriptions
    assert seen["urn:legal-monitor:events:type=denunciation"] == "legal-monitor: Denunciation events"
    assert seen["urn:legal-monitor:events:subject=Russian%20Federation"] == \
        "legal-monitor: treaty actions — Russian Federation"
    assert seen["urn:legal-monitor:events:source=coe;type=signature"] == \
        "legal-monitor: Signature events — source coe"


def test_ids_are_urns_and_self_is_where_the_feed_was_fetched(site):
    for query in ("?since=1d&source=feedsrc", "?source=feedsrc&since=1d", "?subject=C%C3%B4te+d%27Ivoire~x"):
        feed, root = parsed_atom(site, query)
        assert URN.match(feed.feed.id), feed.feed.id
        assert all(URN.match(entry.id) for entry in feed.entries)
        assert [link.href for link in feed.feed.links if link.rel == "self"] == [f"{site}/events.atom{query}"]
    assert parsed_atom(site, "?since=1d&source=feedsrc")[0].feed.id == \
        parsed_atom(site, "?source=feedsrc&since=1d")[0].feed.id == "urn:legal-monitor:events:since=1d;source=feedsrc"


def test_an_empty_feed_keeps_its_updated_and_validators(site):
    query = "?since=1d&source=feedsrc"
    first = get(site, "/events.atom" + query)
    second = get(site, "/events.atom" + query)
    assert first[2] == second[2] and first[1]["ETag"] == second[1]["ETag"]
    assert not feedparser.parse(first[2].encode()).entries
    updated = ET.fromstring(first[2].encode()).findtext(f"{ATOM}updated")
    newest = max(e.findtext(f"{ATOM}updated") for e in ET.fromstring(get(site, "/events.atom?type=")[2].encode())
                 .iter(f"{ATOM}entry"))
    assert updated[:23] == newest[:23]  # the database's newest event, never the time of the request


@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_answers_304_to_a_current_copy(site, path):
    status, headers, body = get(site, path + "?type=denunciation")
    assert status == 200 and body
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert etag.startswith('"') and parsedate_to_datetime(modified).tzinfo is not None
    status, again, body = get(site, path + "?type=denunciation", {"If-None-Match": etag})
    assert (status, body, again["ETag"]) == (304, "", etag)
    assert get(site, path + "?type=denunciation", {"If-Modified-Since": modified})[0] == 304
    earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2000), usegmt=True)
    assert get(site, path + "?type=denunciation", {"If-Modified-Since": earlier})[0] == 200
    # A stale ETag wins over a current date: the body is sent.
    assert get(site, path + "?type=denunciation", {"If-None-Match": '"old"', "If-Modified-Since": modified})[0] == 200
    # Another filter is another document.
    assert get(site, path + "?type=ratification")[1]["ETag"] != etag


def test_json_feed_validates_and_links_like_the_atom_feed(site):
    status, headers, body = get(site, "/feed.json?type=denunciation")
    assert status == 200 and headers["Content-Type"] == "application/feed+json; charset=utf-8"
    document = json.loads(body)
    assert validate_feed(document) == []
    feed = jsonfeed.Feed.parse(document)
    assert feed.version == "https://jsonfeed.org/version/1.1"
    assert feed.feed_url == f"{site}/feed.json?type=denunciation"
    assert feed.home_page_url == f"{site}/events?type=denunciation"
    assert feed.title == "legal-monitor: Denunciation events"
    atom, _ = parsed_atom(site, "?type=denunciation")
    assert [item.id for item in feed.items] == [entry.id.rsplit(":", 1)[1] for entry in atom.entries]
    assert {item.title for item in feed.items} == {entry.title for entry in atom.entries}
    assert_valid(*(item["_legal_monitor"] for item in document["items"]))
    # The dashboard offers it beside the Atom feed.
    page = get(site, "/events?type=denunciation")[2]
    assert 'type="application/feed+json"' in page and 'href="/feed.json?type=denunciation"' in page


def test_all_three_feeds_page_through_every_event(many):
    def follow(url, read):
        ids, pages = [], 0
        while url:
            status, headers, body = get("", url)
            assert status == 200
            batch, url = read(headers, body)
            ids += batch
            pages += 1
        return ids, pages

    def json_feed_page(headers, body):
        document = json.loads(body)
        assert validate_feed(document) == []
        return [item["id"] for item in document["items"]], document.get("next_url")

    def atom_page(headers, body):
        feed = feedparser.parse(body.encode())
        assert feed.bozo == 0
        following = [link.href for link in feed.feed.links if link.rel == "next"]
        return [entry.id.rsplit(":", 1)[1] for entry in feed.entries], (following or [None])[0]

    def events_page(headers, body):
        link = headers.get("Link")
        assert link is None or link.endswith('>; rel="next"')
        return [event["id"] for event in json.loads(body)], link and link[1:link.index(">")]

    expected = [f"ev-{n:03d}" for n in reversed(range(120))]
    for path, read in (("/feed.json", json_feed_page), ("/events.atom", atom_page), ("/events.json", events_page)):
        assert follow(f"{many}{path}", read) == (expected, 3), path


def related(source: str, **fields) -> dict:
    return {"id": f"ev-{source}", "source": source, "source_label": f"{source} portal", "type": "denunciation",
            "date": None, "effective_date": None, "reference": None, "summary": None, "url": None, **fields}


def test_also_reported_once_and_no_invented_dates():
    event = Event(id="ev-1", type="denunciation", source="coe", key="126:RUS", subject="Russian Federation",
                  summary="Russian Federation denounced ETS No. 126", url="https://www.coe.int/126",
                  treaty=Treaty("ETS No. 126", "Convention (ETS No. 126)", None),
                  detected_at="2026-03-01T08:00:00.000+00:00", story="st-1",
                  related=[related("pravo", date="2026-02-27", reference="federal law No. 1-ФЗ",
                                   detected_at="2026-03-01T09:00:00.000+00:00"),
                           related("un", detected_at="2026-03-02T07:00:00.000+00:00")])
    page = FeedPage([event], Filters(), "http://127.0.0.1:1")
    feed = feedparser.parse(atom_feed(page))
    (entry,) = feed.entries
    assert entry.summary.count("Also reported") == 2
    assert "Also reported: pravo portal, 2026-02-27, federal law No. 1-ФЗ" in entry.summary
    # The UN report has no date of its own: it says when it was detected, not "2026-03-02" as if it were one.
    assert "Also reported: un portal, detected 2026-03-02, denunciation" in entry.summary
    assert entry.content[0].value.count("Also reported") == 2
    # Published and updated when detected; a later report by another source changes the HTTP validators.
    assert entry.published == "2026-03-01T08:00:00.000+00:00"
    assert entry.updated == "2026-03-01T08:00:00.000000+00:00" == feed.feed.updated
    assert last_modified(page) == "2026-03-02T07:00:00.000+00:00"
    item = json.loads(json_feed(page))["items"][0]
    assert item["content_text"].count("Also reported") == 2
    assert (item["date_published"], item["date_modified"]) == (entry.published, entry.updated)


def test_no_two_entries_share_updated_yet_each_keeps_its_detection_time(site):
    """The W3C validator's DuplicateUpdated: one check's events share their millisecond; the
    n-th written is n µs later, the same in every feed that lists it."""
    by_id = {}
    for query in ("", "?source=coe", "?subject=Russian+Federation"):
        entries = parsed_atom(site, query)[0].entries
        assert len({e.updated for e in entries}) == len(entries)
        for entry in entries:
            assert by_id.setdefault(entry.id, entry.updated) == entry.updated
            assert entry.updated[:23] == entry.published[:23]  # the same moment, to the millisecond
    events = {e["id"]: e for e in json.loads(get(site, "/events.json")[2])}
    assert len({e["detected_at"] for e in events.values()}) < len(events)  # some do share one: the case holds


def test_a_filter_value_is_escaped_in_ids_links_and_titles(site):
    subject = "Evil<script>alert('x')</script>"
    feed, _ = parsed_atom(site, "?subject=" + quote(subject))
    assert feed.feed.id == "urn:legal-monitor:events:subject=" + quote(subject, safe="")
    assert feed.feed.title == f"legal-monitor: treaty actions — {subject}"  # text, escaped in the XML
