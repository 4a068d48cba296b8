"""The status table a UN treaty's dashboard page shows: one row per participant, withdrawals and notes."""

from __future__ import annotations

from monitor.records import Record
from monitor.sources.untc.status import status_table
from monitor.treaties import StatusRow, TreatyStatus

REF = "XVIII-10"
TITLE = "Rome Statute of the International Criminal Court"
URL = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-10&chapter=18&clang=_en"


def row(name: str, **fields) -> Record:
    return Record(f"{REF}:participant:{name}", {"participant": name, "signature": None, "consent": None,
                                                 "consent_action": None, "history": None} | fields, TITLE, URL)


def note(owner: str | None, text: str, kind: str = "footnote", key: str = "a") -> Record:
    return Record(f"{REF}:note:{owner or '-'}:{key}", {"participant": owner, "text": text, "kind": kind}, TITLE, URL)


def table(records: list[Record], treaty: str = REF) -> TreatyStatus | None:
    return status_table(treaty, lambda ref: records if ref == REF else [], {})


def test_rows_carry_dates_actions_and_earlier_actions_sorted_by_name():
    status = table([
        row("burkina Faso", consent="2004-04-16"),
        row("United States of America", signature="2016-04-22", consent="2021-01-20", consent_action="acceptance",
            history="consent 2016-09-03 acceptance; signature 2015-01-01"),
        row("Burundi", signature="1999-01-13", consent="2004-09-21", consent_action="ratification"),
    ])
    assert status.rows == [
        StatusRow("burkina Faso", consent="2004-04-16"),
        StatusRow("Burundi", signature="1999-01-13", consent="2004-09-21", action="ratification"),
        StatusRow("United States of America", signature="2016-04-22", consent="2021-01-20", action="acceptance",
                  notes=["earlier consent 3 Sep 2016 (acceptance)", "earlier signature 1 Jan 2015"]),
    ]
    assert (status.treaty, status.title, status.url) == (REF, TITLE, URL)


def test_the_latest_withdrawal_of_a_participant_is_on_its_row_and_other_notes_are_counted():
    first = ("On 1 March 2000, the Government of Burundi notified the Secretary-General of its decision to withdraw "
             "from the Statute, which took effect on 1 March 2001.")
    latest = ("On 27 October 2016, the Government of Burundi notified the Secretary-General of its decision to "
              "withdraw from the Statute, which took effect on 27 October 2017.")
    undated = "The Government of Burundi notified the Secretary-General of its decision to withdraw from the Statute."
    status = table([
        note("Utopia", "Not a participant's note.", key="g"), note(None, "A note on the treaty.", key="h"),
        row("Burundi", consent="2004-09-21", history="consent 2003-01-01 ratification"),
        row("Germany", consent="2000-12-11"),
        note("Burundi", latest, key="b"), note("Burundi", first, key="a"), note("Burundi", undated, key="c"),
        note("Burundi", "A declaration.", "declaration", key="d"), note("Burundi", "Another.", "declaration", key="e"),
        note("Burundi", "A plain note.", None, key="f"),
        note("Germany", "An objection.", "objection"),
    ])
    burundi, germany = status.rows
    assert (burundi.denunciation, burundi.denunciation_effective) == ("2016-10-27", "2017-10-27")
    assert burundi.notes == ["earlier consent 1 Jan 2003 (ratification)", "2 × declaration", "1 × note"]
    assert (germany.denunciation, germany.notes) == (None, ["1 × objection"])


def test_an_earlier_withdrawal_read_after_a_later_one_does_not_replace_it():
    later = ("On 27 October 2016, the Government of Burundi notified the Secretary-General of its decision to "
             "withdraw from the Statute, which took effect on 27 October 2017.")
    earlier = ("On 1 March 2000, the Government of Burundi notified the Secretary-General of its withdrawal from "
               "the Statute.")
    [burundi] = table([row("Burundi"), note("Burundi", later, key="a"), note("Burundi", earlier, key="b")]).rows
    assert (burundi.denunciation, burundi.denunciation_effective) == ("2016-10-27", "2017-10-27")


def test_facts_title_and_link_come_from_the_treaty_record():
    treaty = Record(f"{REF}:treaty", {"title": "Rome Statute", "entry_into_force": "1 July 2002",
                                      "signatories": "137", "parties": "125"}, TITLE, "https://example/rome")
    status = table([row("Burundi"), treaty])
    assert (status.title, status.url) == ("Rome Statute", "https://example/rome")
    assert status.facts == [("Entry into force", "1 July 2002"), ("Signatories", "137"), ("Parties", "125")]
    treaty.fields.update(entry_into_force=None, parties="")
    assert table([row("Burundi"), treaty]).facts == [("Signatories", "137")]


def test_without_a_treaty_record_the_rows_give_the_title_and_link():
    untitled = Record(f"{REF}:participant:Burundi", {"participant": None}, None, None)
    status = table([untitled, row("Germany")])
    assert (status.title, status.url, status.facts) == (TITLE, URL, [])
    assert [r.participant for r in status.rows] == ["Burundi", "Germany"]
    bare = table([Record(f"{REF}:participant:Burundi", {"participant": "Burundi"}, None, None)])
    assert (bare.title, bare.url) == (REF, None)


def test_a_treaty_this_source_does_not_hold_has_no_table():
    assert table([row("Burundi")], treaty="IV-4") is None
