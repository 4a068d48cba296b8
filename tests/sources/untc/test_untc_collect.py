"""How the `untc` source fetches its treaties (respx): the XML file, the page when it is missing,
lettered instruments probed up to the first 404, and one failing treaty holding back no other."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import respx

from helpers.untc import UN_FIXTURES as FIXTURES
from helpers.untc import source
from monitor.errors import ConfigError
from monitor.net import Fetcher, SourceContext
from monitor.sources import Part
from monitor.sources.untc import UntcSource
from monitor.sources.untc.index import index_refs, lettered_due, lettered_known

BASE = "https://un.example"
VOLUME_I = f"{BASE}/doc/Publication/MTDSG/Volume%20I"


def xml_url(ref: str, chapter: str = "II", volume: str = VOLUME_I) -> str:
    return f"{volume}/Chapter%20{chapter}/{ref}.en.xml"


def page_url(ref: str, chapter: int = 2) -> str:
    return f"{BASE}/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={ref}&chapter={chapter}&clang=_en"


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def untc(**options) -> UntcSource:
    return source(base_url=BASE, retries=0, host_delay="0s", **options)


def collect(src: UntcSource, memo: dict | None = None) -> tuple[list[Part], dict, list[str]]:
    """The parts of one check, the memo it leaves, and the URLs it asked for, in order."""
    memo = {} if memo is None else memo

    async def go():
        async with Fetcher([src.config], backoff_base=0.001) as fetcher:
            ctx = SourceContext(fetcher, src.config, {}, memo, lambda key: None, error_markers=src.error_markers)
            return await src.collect(ctx)

    parts = asyncio.run(go())
    return parts, memo, [str(call.request.url) for call in respx.calls]


def serve(url: str, content: bytes | None, content_type: str = "text/xml") -> None:
    respx.get(url).mock(return_value=httpx.Response(404) if content is None else
                        httpx.Response(200, content=content, headers={"Content-Type": content_type}))


@respx.mock
def test_a_treaty_is_read_from_its_xml_file_and_starts_silently():
    serve(xml_url("IV-4", "IV"), body("iccpr_iv-4_2018-fiji.en.xml"))
    [part], memo, asked = collect(untc(treaties=["IV-4"]))
    assert asked == [xml_url("IV-4", "IV")]
    assert (part.name, part.error, part.baseline_if_new) == ("IV-4", None, True)
    fiji = next(r for r in part.records if r.key == "IV-4:participant:Fiji")
    assert (fiji.fields["consent"], fiji.title, fiji.url) == (
        "2018-08-16", "International Covenant on Civil and Political Rights", page_url("IV-4", 4))
    # Latin-1, as the UN serves it: the names keep their accents.
    assert any(r.key == "IV-4:participant:Côte d'Ivoire" for r in part.records)
    assert memo["marker_free_keys"] == ["IV-4"]


@respx.mock
def test_a_treaty_without_an_xml_file_is_read_from_its_page():
    serve(xml_url("XVIII-10", "XVIII", f"{BASE}/doc/Publication/MTDSG/Volume%20II"), None)
    serve(page_url("XVIII-10", 18), body("rome_xviii-10_2025.html"), "text/html; charset=utf-8")
    [part], _, asked = collect(untc(treaties=["XVIII-10"]))
    assert asked[-1] == page_url("XVIII-10", 18)
    assert part.error is None
    assert {r.fields["participant"] for r in part.records if ":note:" in r.key} == {"Burundi", "Philippines", "Hungary"}


@respx.mock
def test_one_failing_treaty_holds_back_no_other_and_is_not_remembered_as_read():
    serve(xml_url("IV-4", "IV"), b"<Document><Treaty><Title>x</Title></Treaty></Document>")
    respx.get(xml_url("IV-5", "IV")).mock(return_value=httpx.Response(500))
    serve(xml_url("IV-3", "IV"), body("iccpr_iv-4_2015.en.xml"))
    parts, memo, _ = collect(untc(treaties=["IV-4", "IV-5", "IV-3"]), {"marker_free_keys": ["IV-9"]})
    assert [(p.name, bool(p.error), p.structural) for p in parts] == [
        ("IV-4", True, True), ("IV-5", True, False), ("IV-3", False, False)]
    assert parts[0].error.startswith(f"IV-4 ({xml_url('IV-4', 'IV')}): neither a Participants table nor SpecialTables")
    assert memo["marker_free_keys"] == ["IV-3", "IV-9"]


@respx.mock
def test_a_maintenance_page_is_a_failed_treaty_not_an_empty_one():
    serve(xml_url("IV-4", "IV"), body("maintenance.html"), "text/html")
    [part], _, _ = collect(untc(treaties=["IV-4"]))
    assert part.records is None and "maintenance" in part.error


@respx.mock
def test_lettered_instruments_are_probed_up_to_the_first_404_and_remembered():
    serve(xml_url("II-1"), body("iccpr_op1_iv-5_2015.en.xml"))
    serve(xml_url("II-1-a"), body("paris_1_2019-10-30.en.xml"))
    serve(xml_url("II-1-b"), body("paris_2_2019-11-05.en.xml"))
    serve(xml_url("II-1-c"), None)
    before = datetime.now(timezone.utc)
    parts, memo, asked = collect(untc(treaties=["II-1-a"], chapters=[2]))
    # II-1-a, named in `treaties`, is fetched once; a probe that meets a 404 asks for no page.
    assert asked == [xml_url("II-1-a"), xml_url("II-1"), xml_url("II-1-b"), xml_url("II-1-c")]
    assert [p.name for p in parts] == ["II-1-a", "II-1", "II-1-b"]
    assert all(p.error is None and p.baseline_if_new for p in parts)
    entry = memo["lettered"]["II-1"]
    assert entry["found"] == ["II-1-a", "II-1-b"]
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(entry["checked_at"]) <= datetime.now(timezone.utc)
    assert memo["marker_free_keys"] == ["II-1", "II-1-a", "II-1-b"]


@respx.mock
def test_within_the_week_only_the_known_lettered_instruments_are_fetched():
    serve(xml_url("II-1"), body("iccpr_op1_iv-5_2015.en.xml"))
    respx.get(xml_url("II-1-a")).mock(return_value=httpx.Response(500))
    serve(xml_url("II-1-b"), body("paris_2_2019-11-05.en.xml"))
    checked = (datetime.now(timezone.utc) - timedelta(days=6)).isoformat()
    memo = {"lettered": {"II-1": {"found": ["II-1-a", "II-1-b"], "checked_at": checked}}}
    parts, memo, asked = collect(untc(treaties=[], chapters=[2]), memo)
    assert asked == [xml_url("II-1"), xml_url("II-1-a"), xml_url("II-1-b")]
    assert [(p.name, bool(p.error)) for p in parts] == [("II-1", False), ("II-1-a", True), ("II-1-b", False)]
    assert memo["lettered"]["II-1"] == {"found": ["II-1-a", "II-1-b"], "checked_at": checked}


@respx.mock
def test_a_week_later_the_probe_asks_for_each_instrument_once(caplog):
    serve(xml_url("II-1"), body("iccpr_op1_iv-5_2015.en.xml"))
    serve(xml_url("II-1-a"), body("paris_1_2019-10-30.en.xml"))
    serve(xml_url("II-1-b"), body("paris_2_2019-11-05.en.xml"))
    serve(xml_url("II-1-c"), None)
    checked = (datetime.now(timezone.utc) - timedelta(days=8)).isoformat()
    memo = {"lettered": {"II-1": {"found": ["II-1-a"], "checked_at": checked}}}
    with caplog.at_level("DEBUG", logger="monitor.sources.untc"):
        parts, memo, asked = collect(untc(treaties=[], chapters=[2]), memo)
    assert asked == [xml_url("II-1"), xml_url("II-1-a"), xml_url("II-1-b"), xml_url("II-1-c")]
    assert [p.name for p in parts] == ["II-1", "II-1-a", "II-1-b"]
    assert memo["lettered"]["II-1"]["found"] == ["II-1-a", "II-1-b"]
    assert "un: II-1 has 2 lettered instruments (II-1-a, II-1-b)" in caplog.messages


@respx.mock
def test_a_probe_that_fails_stops_probing_and_probes_again_next_check():
    serve(xml_url("II-1"), body("iccpr_op1_iv-5_2015.en.xml"))
    respx.get(xml_url("II-1-a")).mock(return_value=httpx.Response(503))
    parts, memo, asked = collect(untc(treaties=[], chapters=[2]))
    assert asked == [xml_url("II-1"), xml_url("II-1-a")]
    assert [(p.name, bool(p.error)) for p in parts] == [("II-1", False), ("II-1-a", True)]
    assert "lettered" not in memo


@respx.mock
def test_a_treaty_without_lettered_instruments_is_remembered_with_none(caplog):
    serve(xml_url("II-1"), body("iccpr_op1_iv-5_2015.en.xml"))
    serve(xml_url("II-1-a"), None)
    with caplog.at_level("DEBUG", logger="monitor.sources.untc"):
        _, memo, asked = collect(untc(treaties=[], chapters=[2]))
    assert asked == [xml_url("II-1"), xml_url("II-1-a")]
    assert memo["lettered"]["II-1"]["found"] == []
    assert "un: II-1 has 0 lettered instruments" in caplog.messages


def test_the_description_names_the_first_treaties_and_counts_the_rest():
    assert untc(treaties=["IV-4", "XXVII-7-d"]).describe() == f"IV-4, XXVII-7-d at {BASE}"
    six = "IV-1, IV-2, IV-3, IV-4, IV-5, IV-6"
    assert untc(treaties=[], chapters=[4]).describe() == f"{six} and {16 - 6} more at {BASE}"
    assert untc(treaties=[f"IV-{n}" for n in range(1, 7)]).describe() == f"{six} at {BASE}"
    assert untc(treaties=[f"IV-{n}" for n in range(1, 8)]).describe() == f"{six} and 1 more at {BASE}"


def test_all_chapters_watch_every_indexed_treaty_with_its_lettered_instruments():
    assert untc(chapters="all").roots() == untc(treaties="all").roots()
    assert len(untc(chapters="all").roots()) == 244
    assert untc(treaties=["IV-4"]).roots() == []
    assert untc(treaties=["IV-4", "IV-4"], chapters=[4]).refs()[:2] == ["IV-4", "IV-1"]


@pytest.mark.parametrize("ref, url", [
    ("XII-1", f"{VOLUME_I}/Chapter%20XII/XII-1.en.xml"),
    ("XIII-1", f"{BASE}/doc/Publication/MTDSG/Volume%20II/Chapter%20XIII/XIII-1.en.xml"),
    ("XI-A-16", f"{VOLUME_I}/Chapter%20XI/XI-A-16.en.xml"),
])
def test_chapters_one_to_twelve_are_volume_one(ref, url):
    assert untc(treaties=[ref]).xml_url(ref) == url


def test_a_probe_is_due_when_never_made_a_week_old_or_dated_in_the_future():
    now = datetime(2026, 8, 5, 12, 0, tzinfo=timezone.utc)

    def due(checked_at: datetime | None, root: str = "II-1") -> bool:
        entry = {"found": ["II-1-a"], "checked_at": checked_at.isoformat() if checked_at else None}
        return lettered_due({"lettered": {"II-1": entry}}, root, now)

    assert due(now - timedelta(days=7) + timedelta(seconds=1)) is False
    assert due(now) is False
    assert due(now - timedelta(days=7)) is True
    assert due(now + timedelta(seconds=1)) is True  # a clock set back: probe rather than trust it
    assert due(None) is True
    assert due(now, root="II-2") is True
    assert lettered_due({}, "II-1", now) is True
    assert lettered_known({"lettered": {"II-1": {"found": ["II-1-a"]}}}, "II-1") == ["II-1-a"]
    assert lettered_known({"lettered": {"II-1": {}}}, "II-1") == lettered_known({}, "II-1") == []


def test_a_single_chapter_number_is_a_list_of_one():
    assert untc(treaties=[], chapters=2).refs() == ["II-1"]
    assert untc(treaties=[], chapters=[4, 2]).refs()[-1] == "II-1"


def test_chapter_one_is_watched_and_chapters_outside_the_index_are_explained():
    assert untc(treaties=[], chapters=[1]).refs() == ["I-1", "I-2", "I-3", "I-4", "I-5"]
    assert untc(treaties=["I-1"]).xml_url("I-1") == f"{VOLUME_I}/Chapter%20I/I-1.en.xml"
    assert index_refs([11]) == []
    with pytest.raises(ConfigError) as caught:
        untc(chapters=[11])
    assert str(caught.value).endswith("chapter 11 is not in the shipped chapter index (2026-05); name its treaties in "
                                      "`treaties`")
    with pytest.raises(ConfigError, match="at least 1"):
        untc(chapters=[0])
    with pytest.raises(ConfigError) as caught:
        untc(treaties=[])
    assert str(caught.value) == ('monitor.toml: sources[0] ("un").treaties: name at least one treaty '
                                 '(e.g. ["IV-4"]), or set chapters')


@respx.mock
def test_a_page_of_an_unknown_shape_fails_naming_the_treaty_and_its_link():
    serve(xml_url("XVIII-10", "XVIII", f"{BASE}/doc/Publication/MTDSG/Volume%20II"), None)
    page = body("rome_xviii-10_2025.html").replace(b"<td>Signature</td>", b"<td>Provisional application</td>")
    serve(page_url("XVIII-10", 18), page, "text/html; charset=utf-8")
    [part], _, _ = collect(untc(treaties=["XVIII-10"]))
    assert part.structural
    assert part.error.startswith(f"XVIII-10 ({page_url('XVIII-10', 18)}): unknown participants-table column "
                                 "'Provisional application'")
