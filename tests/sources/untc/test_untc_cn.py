"""The UN depositary notification (C.N.) fast path: C.N. PDFs read (built by `cn_pdf`, a minimal
PDF writer, and read back with pypdf), their vocabulary, and the probe run by the daemon against
a local UN site, with the status sweep from the CLI adding no second event."""

from __future__ import annotations

import json
import sqlite3

import pytest

from helpers.cli import Daemon, run_cli
from helpers.cn_pdf import notification
from helpers.config import monitor_config, source_table
from helpers.http import Reply
from monitor.clock import NOW_ENV
from monitor.errors import SourceError
from monitor.sources.untc.cn import classify_heading, parse_notification, pdf_text

STATUS_PATH = "/doc/Publication/MTDSG/Volume%20II/Chapter%20XXVII/XXVII-17.en.xml"
ACCESSION = ["The above action was effected on 15 May 2026.",
             "The Convention will enter into force for Trinidad and Tobago on 13 August 2026."]


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv(NOW_ENV, "2026-06-01T12:00:00+00:00")


# --- reading a C.N. ------------------------------------------------------------------------

@pytest.mark.parametrize("heading, expected", [
    ("WITHDRAWAL OF NOTIFICATION OF WITHDRAWAL", ("notification", "withdrawal_of_notification_of_withdrawal")),
    ("WITHDRAWAL OF RESERVATION", ("reservation", "withdrawal_of_reservation")),
    ("WITHDRAWAL OF RESERVATIONS MADE UPON RATIFICATION", ("reservation", "withdrawal_of_reservation")),
    ("WITHDRAWAL OF OBJECTION", ("reservation", "withdrawal_of_objection")),
    ("PROPOSAL OF AMENDMENTS", ("notification", "proposal_of_amendments")),
    ("DENUNCIATION", ("denunciation", "denunciation")),
    ("WITHDRAWAL", ("denunciation", "withdrawal")),
    ("NOTIFICATION OF WITHDRAWAL", ("denunciation", "withdrawal")),
    ("RATIFICATION", ("ratification", "ratification")),
    ("ACCESSION", ("ratification", "accession")),
    ("ACCEPTANCE", ("ratification", "acceptance")),
    ("APPROVAL", ("ratification", "approval")),
    ("SUCCESSION", ("ratification", "succession")),
    ("SIGNATURE", ("signature", "signature")),
    ("ADHÉSION", ("ratification", "accession")),
    ("RETRAIT DE LA NOTIFICATION DE RETRAIT", ("notification", "withdrawal_of_notification_of_withdrawal")),
    ("DÉNONCIATION", ("denunciation", "denunciation")),
    ("COMMUNICATION", ("notification", "notification")),
    ("CORRECTION OF THE ORIGINAL TEXT", ("notification", "notification")),
])
def test_the_vocabulary_never_takes_a_state_staying_in_for_a_denunciation(heading, expected):
    assert classify_heading(heading) == expected


def test_a_cn_pdf_names_its_treaty_participant_action_and_dates():
    content = notification(9, 2026, "XXVII.7.d", "UNITED STATES OF AMERICA: WITHDRAWAL",
                           ["On 20 January 2026, the Government of the United States of America notified the "
                            "Secretary-General of its decision to withdraw from the Agreement, which will take "
                            "effect on 20 January 2027."], title=("PARIS AGREEMENT", "PARIS, 12 DECEMBER 2015"))
    note = parse_notification(pdf_text(content, "CN.9"), "CN.9")
    assert (note.reference, note.treaty, note.participant) == ("C.N.9.2026.TREATIES-XXVII.7.d", "XXVII-7-d",
                                                               "UNITED STATES OF AMERICA")
    assert (note.event_type, note.action, note.date, note.effective_date) == ("denunciation", "withdrawal",
                                                                              "2026-01-20", "2027-01-20")
    assert note.treaty_title == "PARIS AGREEMENT"


def test_a_heading_over_two_lines_and_a_french_only_cn_are_read():
    wrapped = notification(180, 2026, "XVIII.10", "HUNGARY: WITHDRAWAL OF NOTIFICATION OF\nWITHDRAWAL",
                           ["The above action was effected on 2 June 2025."])
    note = parse_notification(pdf_text(wrapped, "CN.180"), "CN.180")
    assert (note.participant, note.event_type, note.date) == ("HUNGARY", "notification", "2025-06-02")
    french = notification(162, 2025, "XVIII.10", "TRINITÉ-ET-TOBAGO : ADHÉSION",
                          ["L'action susmentionnée a été effectuée le 15 mai 2025."])
    note = parse_notification(pdf_text(french, "CN.162"), "CN.162")
    assert (note.participant, note.event_type, note.action, note.date) == (
        "TRINITÉ-ET-TOBAGO", "ratification", "accession", "2025-05-15")


def test_a_page_that_is_no_pdf_is_a_failure():
    with pytest.raises(SourceError, match="not a PDF"):
        pdf_text(b"<html><body>Service Unavailable</body></html>", "CN.1")


# --- the probe, through the daemon and the CLI ---------------------------------------------

def status_xml(rows: list[tuple[str, str, str]]) -> bytes:
    """A constructed MTDSG status file (the shape of the captured ones under fixtures/un) of the
    Minamata Convention: (participant, signature, consent) per row."""
    body = "".join(f"<Row><Entry>{who}</Entry><Entry>{signed}</Entry><Entry>{consent}</Entry></Row>"
                   for who, signed, consent in rows)
    return ('<?xml version="1.0" encoding="ISO-8859-1"?><Document><Treaty><Header><ExternalData>'
            "<Titlesect>Minamata Convention on Mercury</Titlesect><Conclusion>Kumamoto, 10 October 2013</Conclusion>"
            "<Chapter><Name>XXVII</Name></Chapter></ExternalData></Header><Participants><Table><TGroup cols=\"3\">"
            "<Thead><Row><Entry>Participant</Entry><Entry>Signature</Entry>"
            "<Entry>Ratification, Acceptance(A), Approval(AA), Accession(a)</Entry></Row></Thead>"
            f"<Tbody><Rows>{body}</Rows></Tbody></TGroup></Table></Participants></Treaty></Document>").encode("latin-1")


class UnSite:
    """The UN site: one status file and numbered C.N. PDFs (404 until issued)."""

    def __init__(self, server) -> None:
        self.rows = [("Albania", "10 Oct\t 2013", "15 Mar\t 2017"), ("Hungary", "10 Oct\t 2013", "18 May\t 2017")]
        self.cns: dict[int, bytes] = {n: notification(n, 2026, "XXVII.17", "ALBANIA: DECLARATION",
                                                      ["The above action was effected on 2 January 2026."])
                                      for n in range(1, 6)}
        self.failing: set[int] = set()
        server.routes[STATUS_PATH] = lambda seen: Reply(200, status_xml(self.rows), {"Content-Type": "text/xml"})
        for n in range(1, 40):
            server.routes[f"/doc/Publication/CN/2026/CN.{n}.2026-Eng.pdf"] = self.cn(n)

    def cn(self, n: int):
        def reply(seen) -> Reply:
            if n in self.failing:
                return Reply(503, "<html><body>Service Unavailable</body></html>", {"Content-Type": "text/html"})
            if n in self.cns:
                return Reply(200, self.cns[n], {"Content-Type": "application/pdf"})
            return None
        return reply


def un_config(tmp_path, base):
    return monitor_config(tmp_path, source_table("un", "untc", base_url=base, treaties=["XXVII-17"], interval="1h",
                                                 cn_interval="1s", jitter="0s", retries=0, host_delay="0s"),
                          daemon={"shutdown_timeout": "3s"})


def events(config) -> list[dict]:
    return json.loads(run_cli("--config", str(config), "events", "--json").stdout)


def test_a_new_cn_raises_one_event_linked_to_the_pdf_and_the_later_status_change_adds_none(server, tmp_path):
    site = UnSite(server)
    config = un_config(tmp_path, server.base)
    first = json.loads(run_cli("--config", str(config), "check", "--json").stdout)[0]
    assert first["outcome"] == "baseline"
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("C.N. numbering of 2026 stands at 5"), what="the first probe")
        assert events(config) == []  # C.N.s older than the first probe are the status sweep's business
        # A probe answered 503 fails the check, and the number is tried again, never skipped.
        site.failing.add(6)
        site.cns[6] = notification(6, 2026, "XXVII.17", "TRINIDAD AND TOBAGO: ACCESSION", ACCESSION)
        site.cns[7] = notification(7, 2026, "XXVII.17", "HUNGARY: WITHDRAWAL OF NOTIFICATION OF\nWITHDRAWAL",
                                   ["The above action was effected on 20 May 2026."])
        daemon.wait_for(lambda: daemon.logged("HTTP 503"), what="the failed probe")
        assert events(config) == [] or {e["type"] for e in events(config)} <= {"source_failing"}
        site.failing.clear()
        daemon.wait_for(lambda: daemon.logged("event notification"), what="the C.N. events")
        # A C.N. whose action the status file already shows: the status change is the one event.
        site.rows.append(("Zambia", "", "1 May\t 2026"))
        site.cns[8] = notification(8, 2026, "XXVII.17", "ZAMBIA: RATIFICATION",
                                   ["The above action was effected on 1 May 2026."])
        daemon.wait_for(lambda: daemon.logged("C.N.8.2026.TREATIES-XXVII.17"), what="the third C.N.")
        daemon.wait_for(lambda: daemon.logged("event ratification Zambia"), what="Zambia's ratification")
    finally:
        assert daemon.stop() == 0
    treaty_events = [e for e in events(config) if e["type"] not in ("source_failing", "source_recovered")]
    by_subject = {e["subject"]: e for e in treaty_events}
    assert sorted(by_subject) == ["Hungary", "Trinidad and Tobago", "Zambia"] and len(treaty_events) == 3
    trinidad, hungary, zambia = by_subject["Trinidad and Tobago"], by_subject["Hungary"], by_subject["Zambia"]
    assert trinidad["type"] == "ratification" and trinidad["date"] == "2026-05-15"
    assert trinidad["url"] == f"{server.base}/doc/Publication/CN/2026/CN.6.2026-Eng.pdf"
    assert trinidad["details"]["action"] == "accession"
    assert trinidad["treaty"]["id"] == "XXVII-17"
    assert hungary["type"] == "notification"  # a state staying in: no denunciation
    assert hungary["details"]["action"] == "withdrawal_of_notification_of_withdrawal"
    assert zambia["type"] == "ratification" and "ViewDetails" in zambia["url"]

    # The status file catches up: the sweep sees the change, and it is the C.N.'s event.
    site.rows.append(("Trinidad and Tobago", "", "15 May\t 2026 a"))
    swept = json.loads(run_cli("--config", str(config), "check", "--json").stdout)[0]
    assert swept["outcome"] == "changed" and swept["added"] == 1
    assert swept["events"] == []
    assert sorted(e["id"] for e in events(config) if e["type"] == "ratification") == sorted(
        [trinidad["id"], zambia["id"]])
    with sqlite3.connect(tmp_path / "state.db") as db:
        probed = {row[0] for row in db.execute("select url from documents")}
    assert not any("CN.9.2026" in url for url in probed)  # 404s leave nothing behind


def test_numbers_out_of_order_and_a_french_only_cn_are_found_and_none_skipped(server, tmp_path):
    import asyncio

    from monitor.config import load_config
    from monitor.net import Fetcher
    from monitor.pipeline import check_source
    from monitor.sources import create
    from monitor.store import open_state

    site = UnSite(server)
    config = load_config(un_config(tmp_path, server.base))
    state = open_state(config.state_path)

    def run(path=None):
        async def go():
            async with Fetcher(config.sources) as fetcher:
                return await check_source(create(config.sources[0]), state, fetcher, path=path)
        return asyncio.run(go())

    try:
        assert run().outcome == "baseline"
        assert run("cn").events == []  # the first probe: where the numbering stands
        site.cns[7] = notification(7, 2026, "XXVII.17", "ALBANIA: WITHDRAWAL OF RESERVATION",
                                   ["The above action was effected on 20 May 2026."])
        found = run("cn")
        assert [(e.type, e.details["action"]) for e in found.events] == [("reservation", "withdrawal_of_reservation")]
        asked = len(server.requests)
        # 6 was skipped over: it is probed again, in English then in French, until it appears.
        french = notification(6, 2026, "XXVII.17", "HONGRIE : DÉCLARATION",
                              ["L'action susmentionnée a été effectuée le 19 mai 2026."])
        server.routes["/doc/Publication/CN/2026/CN.6.2026-Frn.pdf"] = lambda seen: Reply(
            200, french, {"Content-Type": "application/pdf"})
        found = run("cn")
        assert [(e.type, e.subject, e.url.rsplit("/", 1)[-1]) for e in found.events] == [
            ("reservation", "Hongrie", "CN.6.2026-Frn.pdf")]
        assert [s.path.rsplit("/", 1)[-1] for s in server.requests[asked:]] == [
            "CN.6.2026-Eng.pdf", "CN.6.2026-Frn.pdf", "XXVII-17.en.xml", "CN.8.2026-Eng.pdf", "CN.9.2026-Eng.pdf",
            "CN.10.2026-Eng.pdf"]
        assert run("cn").events == []  # each C.N. raises its event once
    finally:
        state.close()
