"""Diff, event ids and keyword classification (EN/RU/FR)."""

from __future__ import annotations

import pytest

from monitor.diff import Stored, diff_part
from monitor.events import event_id
from monitor.records import Record
from monitor.sources.base import generic_events
from monitor.sources.classify import classify


def rec(key, **fields):
    return Record(key=key, fields=fields)


def test_whitespace_and_order_noise_is_not_a_change():
    stored = {"fr": Stored(rec("fr", signature="1 Jan 2000", ratification="2 Feb 2001"))}
    fresh = [Record(key=" fr ", fields={"ratification": "2  Feb\t2001", "signature": "1 Jan\u00a02000"})]
    diff = diff_part(stored, fresh)
    assert diff.changes == [] and diff.upserts == []


def test_added_changed_and_field_old_new():
    stored = {"ru": Stored(rec("ru", ratification=None))}
    diff = diff_part(stored, [rec("ru", ratification="5 May 2026"), rec("de", ratification=None)])
    kinds = {(c.kind, c.key) for c in diff.changes}
    assert kinds == {("changed", "ru"), ("added", "de")}
    changed = next(c for c in diff.changes if c.kind == "changed")
    assert changed.fields == {"ratification": (None, "5 May 2026")}


def test_removal_needs_two_consecutive_misses():
    stored = {"a": Stored(rec("a")), "b": Stored(rec("b"))}
    first = diff_part(stored, [rec("a")])
    assert first.changes == [] and first.missing == {"b": 1}
    stored["b"].missing = 1
    second = diff_part(stored, [rec("a")])
    assert [(c.kind, c.key) for c in second.changes] == [("removed", "b")]
    # Back before the second miss: no removal, and the miss count is reset by an upsert.
    stored["b"].missing = 1
    back = diff_part(stored, [rec("a"), rec("b")])
    assert back.changes == [] and [r.key for r in back.upserts] == ["b"]


def test_event_id_is_stable_and_distinguishes_actions():
    a = event_id("coe", "126:RUS", "denunciation", "2025-09-29")
    assert a == event_id("coe", "126:RUS", "denunciation", "2025-09-29")
    assert a != event_id("coe", "126:RUS", "ratification", "2025-09-29")
    assert a != event_id("coe", "126:UKR", "denunciation", "2025-09-29")
    assert a != event_id("other", "126:RUS", "denunciation", "2025-09-29")


@pytest.mark.parametrize("text, expected", [
    ("Ratification by France", ("ratification", "ratification")),
    ("Instrument of accession deposited", ("ratification", "accession")),
    ("Adhésion du Maroc", ("ratification", "accession")),
    ("О присоединении Российской Федерации к Конвенции", ("ratification", "accession")),
    ("О ратификации Международного соглашения по какао 2010 года", ("ratification", "ratification")),
    ("О денонсации Российской Федерацией Договора об обычных вооруженных силах в Европе",
     ("denunciation", "denunciation")),
    ("Об отзыве ратификации Договора о всеобъемлющем запрещении ядерных испытаний",
     ("denunciation", "denunciation")),
    ("Dénonciation de la Convention par la Fédération de Russie", ("denunciation", "denunciation")),
    ("Notification of withdrawal from the Paris Agreement", ("denunciation", "withdrawal")),
    ("О выходе из Соглашения", ("denunciation", "withdrawal")),
    ("Entry into force for Ukraine", ("entry_into_force", "entry_into_force")),
    ("Entrée en vigueur du Protocole", ("entry_into_force", "entry_into_force")),
    ("Договор вступает в силу", ("entry_into_force", "entry_into_force")),
    ("Signature by Spain", ("signature", "signature")),
    ("О подписании Соглашения", ("signature", "signature")),
    ("Suspension of the Treaty", ("suspension", "suspension")),
    ("О внесении изменений в Уголовный кодекс", (None, None)),
    ("Annual report on court statistics", (None, None)),
])
def test_keyword_classifier_for_a_source_about_one_treaty(text, expected):
    """With the source's `treaty` set, the action word alone is enough."""
    assert classify(text, treaty_known=True) == expected


def test_generic_events_for_a_chart_row_gaining_a_ratification_date():
    old = Record("Russian Federation", {"subject": "Russian Federation", "ratification": None})
    new = Record("Russian Federation", {"subject": "Russian Federation", "ratification": "05/05/2026"})
    diff = diff_part({"Russian Federation": Stored(old)}, [new])
    events = generic_events("chart", diff.changes[0], "2026-05-06T00:00:00+00:00")
    # Without date_format, 05/05/2026 is ambiguous: kept as written, never passed off as a date.
    assert [(e.type, e.subject, e.date, e.date_text) for e in events] == [
        ("ratification", "Russian Federation", None, "05/05/2026")]
    again = generic_events("chart", diff.changes[0], "2026-05-07T00:00:00+00:00")
    assert again[0].id == events[0].id  # detection time is not part of the identity


def test_generic_events_fall_back_to_record_types():
    diff = diff_part({"x": Stored(rec("x", note="a"))}, [rec("x", note="b"), rec("y", note="c")])
    types = sorted(e.type for c in diff.changes for e in generic_events("s", c, "t"))
    assert types == ["record_added", "record_changed"]
