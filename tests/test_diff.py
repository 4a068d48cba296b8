"""The record diff: what counts as added, changed and removed, check after check."""

from __future__ import annotations

from monitor.diff import REMOVE_AFTER_MISSES, Stored, diff_part
from monitor.records import Record


def rec(key, title=None, url=None, **fields):
    return Record(key=key, fields=fields, title=title, url=url)


def kinds(diff):
    return [(c.kind, c.key) for c in diff.changes]


def test_a_row_removed_and_later_back_is_added_again():
    stored = {"ru": Stored(rec("ru", ratification="1998-05-05"), missing=REMOVE_AFTER_MISSES, removed=True)}
    diff = diff_part(stored, [rec("ru", ratification="1998-05-05")])
    assert kinds(diff) == [("added", "ru")]
    assert [r.key for r in diff.upserts] == ["ru"]


def test_a_removed_row_is_reported_once_not_on_every_check():
    stored = {"a": Stored(rec("a")), "gone": Stored(rec("gone"), missing=REMOVE_AFTER_MISSES, removed=True)}
    diff = diff_part(stored, [rec("a")])
    assert diff.changes == [] and diff.removed == [] and diff.missing == {}


def test_first_miss_counts_and_second_removes():
    stored = {"a": Stored(rec("a")), "b": Stored(rec("b"))}
    first = diff_part(stored, [rec("a")])
    assert first.changes == [] and first.missing == {"b": 1} and first.removed == []
    second = diff_part({"a": stored["a"], "b": Stored(rec("b"), missing=1)}, [rec("a")])
    assert kinds(second) == [("removed", "b")] and second.removed == ["b"]
    assert second.changes[0].old.key == "b" and second.changes[0].new is None


def test_a_field_present_in_one_version_only_is_compared():
    stored = {"fr": Stored(rec("fr", signature="2000-01-01"))}
    gained = diff_part(stored, [rec("fr", signature="2000-01-01", denunciation="2026-11-01")])
    assert kinds(gained) == [("changed", "fr")]
    assert gained.changes[0].fields == {"denunciation": (None, "2026-11-01")}
    stored = {"fr": Stored(rec("fr", signature="2000-01-01", denunciation="2026-11-01"))}
    lost = diff_part(stored, [rec("fr", signature="2000-01-01")])
    assert lost.changes[0].fields == {"denunciation": ("2026-11-01", None)}


def test_title_or_url_alone_is_a_change():
    stored = {"n1": Stored(rec("n1", title="Old title", url="https://example.org/a"))}
    retitled = diff_part(stored, [rec("n1", title="New title", url="https://example.org/a")])
    assert retitled.changes[0].fields == {"title": ("Old title", "New title")}
    moved = diff_part(stored, [rec("n1", title="Old title", url="https://example.org/b")])
    assert moved.changes[0].fields == {"url": ("https://example.org/a", "https://example.org/b")}


def test_every_present_key_is_seen_and_a_duplicate_key_counts_once():
    stored = {"a": Stored(rec("a", x="1"))}
    diff = diff_part(stored, [rec("a", x="1"), rec("b"), rec("b", x="other")])
    assert sorted(diff.seen) == ["a", "b"]
    assert kinds(diff) == [("added", "b")] and diff.changes[0].new.fields == {}


def test_a_missing_row_that_returns_unchanged_resets_its_count():
    stored = {"a": Stored(rec("a", x="1"), missing=1)}
    diff = diff_part(stored, [rec("a", x="1")])
    assert diff.changes == [] and [r.key for r in diff.upserts] == ["a"]
