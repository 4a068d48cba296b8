"""The `nl_treaties` kind against a mocked SRU service (respx): listing by key, item XML fetched only
when its stamp changed, the party table as events, and the shapes that must fail loudly."""

from __future__ import annotations

import httpx
import pytest
import respx

from depositaries import FIXTURES, Monitor, alerts
from monitor.errors import StructureChanged
from monitor.sources.nl_treaties import parse_item, parse_listing, treaties_option
from monitor.sources.nl_treaties import source as nl_source
from monitor.treaties.stories import state_id

BASE = "https://sru.nl.test/sru"
ITEM = "https://sru.nl.test/frbr/vd/{id}/1/xml-en/{id}.xml"
HERE = FIXTURES / "nl_treaties"
STATUTE = "Statute of the Hague Conference on Private International Law"


def text(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


class Service:
    """The SRU service and the repository's item XMLs, as respx routes."""

    def __init__(self, router: respx.Router):
        self.listing = text("sru_page.xml")
        self.items = {"007234": text("item_007234_before.xml"), "001642": text("item_001642.xml")}
        self.queries: list[dict] = []
        self.diagnose_depositary = False
        self.router = router
        router.get(BASE).mock(side_effect=self.sru)
        items = r"https://sru\.nl\.test/frbr/vd/(?P<id>\d+)/1/xml-en/\d+\.xml"
        router.get(url__regex=items).mock(side_effect=self.item)

    def sru(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        self.queries.append(params)
        if self.diagnose_depositary and "isNLDepositair" in params["query"]:
            return httpx.Response(200, text=text("sru_diagnostic.xml"))
        return httpx.Response(200, text=self.listing, headers={"Content-Type": "text/xml"})

    def item(self, request: httpx.Request, id: str) -> httpx.Response:
        return httpx.Response(200, text=self.items[id], headers={"Content-Type": "text/xml"})

    def items_fetched(self) -> list[str]:
        return [str(call.request.url).split("/")[-1] for call in self.router.calls if "/frbr/" in str(call.request.url)]


@pytest.fixture
def service():
    with respx.mock(assert_all_called=False) as router:
        yield Service(router)


def nl(tmp_path, **options) -> Monitor:
    return Monitor(tmp_path, "nl_treaties", base_url=BASE, **options)


# --- parsers ---------------------------------------------------------------------------------

def test_the_listing_gives_each_treaty_with_its_stamp_item_and_page():
    listing = parse_listing(text("sru_page.xml"), "sru")
    assert listing.total == 2 and listing.diagnostic is None
    statute = listing.treaties[1]
    assert (statute.id, statute.title, statute.depositary) == ("007234", STATUTE, True)
    assert statute.stamp == "2024-05-02|2024-05-02T10:00:00+01:00"
    assert statute.item_path == "/frbr/vd/007234/1/xml-en/007234.xml"
    assert statute.page_url == "https://treatydatabase.overheid.nl/en/Treaty/Details/007234"


def test_the_party_table_reads_consent_kinds_denunciations_and_reservations():
    records = {r.key: r.fields for r in parse_item(text("item_001642.xml"), "001642", "T", "https://x.test", "item")}
    assert records["001642:party:Finland"]["denunciation"] == "2014-01-09"
    france = records["001642:party:France"]
    assert (france["signature"], france["consent"], france["reservation"]) == ("1976-06-30", "1978-05-03",
                                                                              "reservation")
    assert france["action"] == "ratification, acceptance, approval or notification"
    statute = {r.key: r.fields for r in parse_item(text("item_007234_before.xml"), "007234", STATUTE, "u", "item")}
    assert statute["007234:party:Albania"]["action"] == "accession"
    # The names join other depositaries' stories (ISO 3166 through pycountry).
    assert {state_id(f["state"]) for f in statute.values()} == {"ALB", "AUT", "BRA", "RUS", "VNM"}


@pytest.mark.parametrize("body, message", [
    ("", "not XML"),
    (text("item_007234_before.xml")[:700], "not XML"),
    ("<html><body><h1>Onderhoud</h1><p>De site is tijdelijk niet beschikbaar.</p></body></html>", "no Partijen"),
    (text("item_unknown_field.xml"), "unknown party fields DatumSchorsing"),
])
def test_an_item_of_another_shape_fails_loudly(body, message):
    with pytest.raises(StructureChanged, match=message):
        parse_item(body, "001642", "T", "u", "item 001642")


@pytest.mark.parametrize("body, message", [
    ("", "not XML"), ("<html><body>Maintenance</body></html>", "not an SRU"),
    (text("sru_page.xml").replace("numberOfRecords", "recordCount"), "no numberOfRecords"),
])
def test_a_listing_of_another_shape_fails_loudly(body, message):
    with pytest.raises(StructureChanged, match=message):
        parse_listing(body, "sru")


def test_treaties_option_reads_identifiers_and_refuses_others():
    assert treaties_option(["6967", "007234", 7234]) == ["006967", "007234"]
    assert treaties_option("all") == "all"
    with pytest.raises(ValueError, match="six digits"):
        treaties_option(["C158"])


# --- checks ------------------------------------------------------------------------------------

def test_baseline_then_one_denunciation_then_nothing_while_the_stamp_stands(service, tmp_path):
    monitor = nl(tmp_path)
    first = monitor.check()
    assert (first.outcome, first.events, first.error) == ("baseline", [], None)
    assert sorted(service.items_fetched()) == ["001642.xml", "007234.xml"]
    # Asked by key, depositary treaties only, never past the first position.
    query = service.queries[0]
    assert (query["startRecord"], query["recordSchema"], query["maximumRecords"]) == ("1", "gzd", "250")
    assert "w.isNLDepositair==true" in query["query"] and query["query"].endswith("sortBy dt.identifier/sort.ascending")

    service.items["007234"] = text("item_007234_denounced.xml")
    service.router.calls.clear()
    assert monitor.check().events == []  # the stamp did not move: the item XML is not asked for
    assert service.items_fetched() == []

    service.listing = service.listing.replace("2024-05-02", "2026-10-05")
    second = monitor.check()
    assert alerts(second) == [("denunciation", "Russian Federation", "2026-10-01", "2027-10-01")]
    event = second.events[0]
    assert (event.treaty.id, event.treaty.title) == ("NL 007234", STATUTE)
    assert event.url == "https://treatydatabase.overheid.nl/en/Treaty/Details/007234"
    assert service.items_fetched() == ["007234.xml"]
    assert monitor.check().events == []


def test_identifiers_are_asked_for_by_name_and_a_missing_one_fails_alone(service, tmp_path):
    monitor = nl(tmp_path, treaties=["007234", "000001"])
    report = monitor.check()
    assert report.outcome == "partial" and "treaty 000001 is not in the database's listing" in report.error
    assert "(dt.identifier==007234 OR dt.identifier==000001)" in service.queries[0]["query"]
    assert "007234:party:Albania" in monitor.records()


def test_listing_pages_by_identifier_never_by_position(service, tmp_path, monkeypatch):
    monkeypatch.setattr(nl_source, "PAGE_SIZE", 1)
    first, second = parse_listing(text("sru_page.xml"), "x").treaties
    pages = {"": text("sru_page_truncated_count.xml"),
             f'"{first.id}"': text("sru_page_truncated_count.xml").replace(first.id, second.id).replace(
                 first.title, second.title), f'"{second.id}"': text("sru_page.xml").replace(
                 "<sru:numberOfRecords>2", "<sru:numberOfRecords>0").split("<sru:record>")[0] + "</sru:records>"
                 "</sru:searchRetrieveResponse>"}

    def sru(request: httpx.Request) -> httpx.Response:
        query = request.url.params["query"]
        service.queries.append(dict(request.url.params))
        after = query.split("dt.identifier>")[1].split(" ")[0] if "dt.identifier>" in query else ""
        return httpx.Response(200, text=pages[after])
    service.router.routes[0].side_effect = sru
    monitor = nl(tmp_path, treaties="all")
    report = monitor.check()
    assert report.outcome == "baseline", report.error
    # Each page asks for the identifiers after the last one it got; the position stays 1.
    assert [q["query"].split("dt.language==en")[1] for q in service.queries] == [
        " sortBy dt.identifier/sort.ascending",
        f' AND dt.identifier>"{first.id}" sortBy dt.identifier/sort.ascending',
        f' AND dt.identifier>"{second.id}" sortBy dt.identifier/sort.ascending']
    assert {q["startRecord"] for q in service.queries} == {"1"}
    assert sorted(service.items_fetched()) == ["001642.xml", "007234.xml"]


def test_a_listing_shorter_than_it_announces_fails_the_check(service, tmp_path):
    service.listing = text("sru_page_truncated_count.xml")
    report = nl(tmp_path).check()
    assert report.outcome == "failed" and "announced 2 treaties but gave 1" in report.error


def test_a_service_without_the_depositary_index_is_read_in_full_and_filtered(service, tmp_path):
    service.diagnose_depositary = True
    flag = "<overheidwetgeving:isNLDepositair>"
    service.listing = service.listing.replace(flag + "true", flag + "false", 1)
    monitor = nl(tmp_path)
    report = monitor.check()
    assert report.outcome == "baseline"
    assert service.items_fetched() == ["007234.xml"]  # 001642 is not held by the Netherlands
    assert monitor.memo()["depositary_index"] is False
    assert all("isNLDepositair" not in q["query"] for q in service.queries[1:])


def test_a_maintenance_page_instead_of_the_listing_fails_and_keeps_the_records(service, tmp_path):
    monitor = nl(tmp_path)
    assert monitor.check().outcome == "baseline"
    service.listing = "<html><body><h1>Maintenance</h1></body></html>"
    report = monitor.check()
    assert report.outcome == "failed" and "not an SRU searchRetrieveResponse" in report.error
    assert len(monitor.records()) == 8
    assert [e.type for e in report.events] == ["structure_changed"]  # the failure, never "every party left"


def test_a_treaty_new_to_the_listing_is_news_and_one_newly_named_is_history(service, tmp_path):
    one = parse_listing(text("sru_page.xml"), "x").treaties[0]
    service.listing = text("sru_page.xml").replace("<sru:numberOfRecords>2", "<sru:numberOfRecords>1")
    service.listing = service.listing.split("<sru:record>")[0] + "<sru:record>" + \
        service.listing.split("<sru:record>")[2]  # only 007234 is listed at first
    monitor = nl(tmp_path)
    assert monitor.check().outcome == "baseline"
    service.listing = text("sru_page.xml")  # 001642 is deposited with the Netherlands
    report = monitor.check()
    assert {(e.type, e.subject) for e in report.events} >= {("denunciation", "Finland"), ("ratification", "Brazil")}
    assert {e.treaty.id for e in report.events} == {f"NL {one.id}"}
    # Named in `treaties` instead, a treaty's table is history.
    other = tmp_path / "other"
    other.mkdir()
    assert nl(other, treaties=["007234"]).check().outcome == "baseline"
    report = nl(other, treaties=["007234", "001642"]).check()
    assert (report.outcome, report.events) == ("changed", [])
