"""The generic kinds' parsers: html (both selector engines), json paths, feeds, keywords."""

from __future__ import annotations

import pytest

from monitor.config import SourceConfig, load_config
from monitor.errors import ConfigError, StructureChanged
from monitor.options import typed_options
from monitor.sources.document import keep_matching
from monitor.sources.feed import FeedSource
from monitor.sources.html import HtmlSource
from monitor.sources.json import JsonSource

PAGE = """<html><body><table id="chart">
<tr><th>State</th><th>Signature</th><th>Ratification</th></tr>
<tr class="member"><td class="state"><a href="/states/fr">France</a> <sup>1</sup></td>
    <td>01/01/2000</td><td>02/02/2001<!-- corrected --></td></tr>
<tr class="member"><td class="state"><a href="/states/ru">Russian
    Federation</a></td><td>28/02/1996</td><td></td></tr>
<tr class="observer"><td class="state"><a href="/states/va">Holy See</a></td><td></td><td></td></tr>
</table></body></html>"""


def html_source(items, key="td.state a", **fields):
    spec = fields or {"subject": "td.state a", "signature": "td:nth-of-type(2)",
                      "ratification": "td:nth-of-type(3)", "url": "td.state a@href"}
    return HtmlSource(SourceConfig(name="s", kind="html", options=typed_options(
        HtmlSource, url="https://x.example/chart", items=items, key=key, fields=spec)))


def test_html_fast_and_soup_engines_give_the_same_records():
    fast = html_source("#chart tr.member, #chart tr.observer").parse(PAGE, "https://x.example/chart")
    soup = html_source("#chart tr:has(td)").parse(PAGE, "https://x.example/chart")  # :has() needs soupsieve
    assert fast == soup
    assert [r.key for r in fast] == ["France", "Russian Federation", "Holy See"]
    france = fast[0]
    assert france.fields == {"subject": "France", "signature": "01/01/2000", "ratification": "02/02/2001"}
    assert france.url == "https://x.example/states/fr"
    assert fast[1].key == "Russian Federation"  # whitespace inside the name is folded


def test_html_scope_and_item_attributes():
    source = html_source("#chart tr.member", key="@class", title=":scope")
    records = source.parse(PAGE, "https://x.example/chart")
    assert records[0].key == "member" and records[0].title.startswith("France 1 01/01/2000")


def test_html_items_without_keys_are_a_structure_change():
    with pytest.raises(StructureChanged, match="none has a key"):
        html_source("#chart tr.member", key="td.nothing").parse(PAGE, "https://x.example/chart")


def test_html_empty_document_has_no_items():
    assert html_source("tr").parse("", "https://x.example/chart") == []


def test_json_dotted_paths_and_list_indices():
    source = JsonSource(SourceConfig(name="j", kind="json", options=typed_options(
        JsonSource, url="https://x.example/api", items="0", key="CodePays",
        fields={"title": "LibPaysOrga", "ratification": "DateConsentement", "first": "Notes.0"})))
    text = ('[[{"CodePays": "RUS", "LibPaysOrga": "Russian Federation", "DateConsentement": null, '
            '"Notes": ["a", "b"]}, {"LibPaysOrga": "no code"}], [], []]')
    [record] = source.parse(text, "https://x.example/api")
    assert (record.key, record.title, record.fields) == ("RUS", "Russian Federation",
                                                         {"ratification": None, "first": "a"})
    with pytest.raises(StructureChanged, match="did not answer JSON"):
        source.parse("<html>maintenance</html>", "https://x.example/api")
    with pytest.raises(StructureChanged, match="no list at '0'"):
        source.parse('{"items": []}', "https://x.example/api")


def test_feed_entries_and_a_non_feed():
    source = FeedSource(SourceConfig(name="f", kind="feed", options=typed_options(
        FeedSource, url="https://x.example/feed")))
    atom = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
      <title>t</title><id>urn:t</id><updated>2026-01-01T00:00:00Z</updated>
      <entry><id>urn:e1</id><title>Ratification by Chile</title><link href="https://x.example/1"/>
      <updated>2026-01-02T00:00:00Z</updated><summary>Chile ratified.</summary></entry></feed>"""
    [record] = source.parse(atom, "https://x.example/feed")
    assert (record.key, record.title, record.url) == ("urn:e1", "Ratification by Chile", "https://x.example/1")
    with pytest.raises(StructureChanged, match="not an RSS or Atom feed"):
        source.parse("<html><body><p>Service unavailable", "https://x.example/feed")


def test_keywords_keep_only_matching_records():
    records = html_source("#chart tr.member, #chart tr.observer").parse(PAGE, "https://x.example/chart")
    assert [r.fields["subject"] for r in keep_matching(records, ["russian", "SEE"])] == \
        ["Russian Federation", "Holy See"]
    assert keep_matching(records, []) == records


def test_a_pseudo_element_selector_is_a_config_error_not_a_crash(tmp_path):
    path = tmp_path / "monitor.toml"
    path.write_text('[[sources]]\nname = "x"\nkind = "html"\nurl = "http://127.0.0.1:9/"\nitems = "li"\n'
                    'key = "@id"\nfields = { text = "a::text" }\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [f"{path}: sources[0] (\"x\").fields: text: invalid CSS selector 'a::text': "
                                     "Pseudo-element found at position 1"]
