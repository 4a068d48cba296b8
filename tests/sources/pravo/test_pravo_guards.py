"""pravo's guards: an answer of an unexpected shape, an empty or half-empty day and a
maintenance page are source failures that say what went wrong, never alerts or removals."""

from __future__ import annotations

import json
from datetime import date

import pytest

from helpers.http import Reply
from helpers.pravo import BASE, answer, check, law
from monitor.clock import NOW_ENV
from monitor.errors import SourceError, StructureChanged
from monitor.sources.pravo import classify_title, parse_page
from monitor.sources.pravo.reference import MAX_DAY_ITEMS, MAX_PAGES
from monitor.store import open_state

DAY = date(2026, 8, 4)
URL = "http://x/api/Documents"
JSON = {"Content-Type": "application/json"}


def laws(count: int, day: date = DAY, start: int = 1) -> list[dict]:
    return [law(f"0001{day:%Y%m%d}{n:04d}", f"{n}-ФЗ", f"О ратификации Соглашения № {n}", day)
            for n in range(start, start + count)]


def envelope(items: list[dict], **fields) -> dict:
    """A page whose envelope fields are given outright (None drops a field)."""
    page = {"items": items, "itemsTotalCount": len(items), "itemsPerPage": 200, "currentPage": 1,
            "pagesTotalCount": 1, **fields}
    return {k: v for k, v in page.items() if v is not None}


# --- parse_page: one answer page ---------------------------------------------------------------

def test_a_message_without_items_is_the_portal_rejecting_the_query_in_its_own_words():
    with pytest.raises(SourceError) as error:
        parse_page({"message": "Неверный \n  формат"}, URL, BASE)
    assert str(error.value) == f"{URL} rejected the query: Неверный формат"
    assert not isinstance(error.value, StructureChanged)
    # A message beside the items is only a remark: the acts are read.
    records, pages = parse_page({**envelope(laws(1)), "message": "ok"}, URL, BASE, DAY)
    assert [r.key for r in records] == ["0001202608040001"] and pages == 1


@pytest.mark.parametrize("data, shown", [
    ([], "list"),
    ("<html>Технические работы</html>", "str"),
    (None, "NoneType"),
    ({"message": 42}, "['message']"),
    ({f"k{n}": n for n in range(9, 0, -1)}, "['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8']"),
])
def test_an_answer_without_items_is_a_changed_structure_that_shows_what_came(data, shown):
    with pytest.raises(StructureChanged) as error:
        parse_page(data, URL, BASE, DAY)
    assert str(error.value) == f"{URL}: expected an object with 'items', got {shown}"


@pytest.mark.parametrize("fields, message", [
    ({"itemsTotalCount": None}, "expected a number in 'itemsTotalCount', got None"),
    ({"itemsTotalCount": "1"}, "expected a number in 'itemsTotalCount', got '1'"),
    ({"itemsTotalCount": True}, "expected a number in 'itemsTotalCount', got True"),
    ({"currentPage": 2}, "asked for page 1, got page 2 (paging ignored)"),
    ({"pagesTotalCount": MAX_PAGES + 1},
     f"{MAX_PAGES + 1} pages for one day (more than {MAX_PAGES}): page size ignored?"),
])
def test_an_envelope_of_an_unexpected_shape_is_a_changed_structure(fields, message):
    with pytest.raises(StructureChanged) as error:
        parse_page(envelope(laws(1), **fields), URL, BASE, DAY)
    assert str(error.value) == f"{URL}: {message}"


def test_items_that_are_not_a_list_are_a_changed_structure():
    with pytest.raises(StructureChanged) as error:
        parse_page({**envelope(laws(1)), "items": {"0": laws(1)[0]}}, URL, BASE, DAY)
    assert str(error.value) == f"{URL}: 'items' is not a list"


def test_the_largest_believable_day_and_page_count_are_read_one_more_is_refused():
    records, pages = parse_page(envelope(laws(1), itemsTotalCount=MAX_DAY_ITEMS, pagesTotalCount=MAX_PAGES),
                                URL, BASE, DAY)
    assert len(records) == 1 and pages == MAX_PAGES
    with pytest.raises(StructureChanged) as error:
        parse_page(envelope(laws(1), itemsTotalCount=MAX_DAY_ITEMS + 1), URL, BASE, DAY)
    assert str(error.value) == (f"{URL}: {MAX_DAY_ITEMS + 1:,} results for one day (more than {MAX_DAY_ITEMS:,}): "
                                "the portal ignored the date filter; refusing to treat them as new acts")
    with pytest.raises(StructureChanged, match=r"^http://x/api/Documents: an item has no usable 'eoNumber'"):
        parse_page(envelope([{"complexName": "x", "eoNumber": "12"}]), URL, BASE, DAY)


@pytest.mark.parametrize("fields, pages", [
    ({"pagesTotalCount": None, "itemsTotalCount": 401, "itemsPerPage": 200}, 3),
    ({"pagesTotalCount": None, "itemsTotalCount": 400, "itemsPerPage": 200}, 2),
    ({"pagesTotalCount": None, "itemsTotalCount": 201, "itemsPerPage": None}, 2),  # the page size asked for
    ({"pagesTotalCount": None, "itemsTotalCount": 1, "itemsPerPage": 0}, 1),
    ({"pagesTotalCount": None, "itemsTotalCount": 3, "itemsPerPage": 1}, 3),
    ({"pagesTotalCount": None, "itemsTotalCount": 3, "itemsPerPage": -5}, 1),
    ({"pagesTotalCount": None, "itemsTotalCount": 3, "itemsPerPage": "200"}, 1),
    ({"pagesTotalCount": "2", "itemsTotalCount": 30, "itemsPerPage": 10}, 3),
    ({"pagesTotalCount": True, "itemsTotalCount": 30, "itemsPerPage": 10}, 3),
    ({"currentPage": None, "pagesTotalCount": 4, "itemsTotalCount": 700}, 4),
    ({"currentPage": "1", "pagesTotalCount": 4, "itemsTotalCount": 700}, 4),
])
def test_the_page_count_is_taken_or_worked_out_from_the_total(fields, pages):
    assert parse_page(envelope(laws(1), **fields), URL, BASE, DAY)[1] == pages


def test_an_empty_page_where_acts_were_announced_is_a_failure_past_the_last_page_it_is_the_end():
    with pytest.raises(StructureChanged) as error:
        parse_page(envelope([], itemsTotalCount=3, pagesTotalCount=1), URL, BASE, DAY)
    assert str(error.value) == f"{URL}: page 1 of 1 is empty although 3 results were announced"
    with pytest.raises(StructureChanged, match="page 2 of 2 is empty although 201 results"):
        parse_page(envelope([], itemsTotalCount=201, currentPage=2, pagesTotalCount=2), URL, BASE, DAY, 2)
    assert parse_page(envelope([], itemsTotalCount=201, currentPage=3, pagesTotalCount=2), URL, BASE, DAY, 3) == (
        [], 2)
    assert parse_page(envelope([], itemsTotalCount=0, pagesTotalCount=0), URL, BASE, DAY) == ([], 0)


def test_half_the_acts_from_other_days_means_the_date_filter_was_ignored():
    other = laws(2, date(2026, 8, 3), start=10)
    with pytest.raises(StructureChanged) as error:
        parse_page(envelope(laws(2) + other), URL, BASE, DAY)
    assert str(error.value) == (f"{URL}: 2 of 4 acts were not published on 2026-08-04 (e.g. 0001202608030010): "
                                "the portal ignored the date filter")


def test_a_few_acts_listed_under_another_day_are_left_to_that_day():
    undated = laws(1, start=7)[0]
    undated.pop("publishDateShort")
    undated.pop("viewDate")
    items = laws(2) + laws(1, date(2026, 8, 3), start=10) + [undated]
    records, _ = parse_page(envelope(items), URL, BASE, DAY)
    assert [r.key for r in records] == ["0001202608040001", "0001202608040002", "0001202608040007"]
    # Without a day every act of the page is read.
    assert len(parse_page(envelope(items), URL, BASE)[0]) == 4
    # One act of an undated page from another day alone is still that other day's.
    assert parse_page(envelope(laws(1, date(2026, 8, 3))), URL, BASE)[0][0].fields["publication_date"] == "2026-08-03"


# --- a day against a local portal --------------------------------------------------------------

@pytest.fixture
def moscow_day(monkeypatch):
    monkeypatch.setenv(NOW_ENV, "2026-08-04T12:00:00+03:00")
    return DAY


def serve_pages(server, items: list[dict], page_size: int = 200, **override) -> None:
    def reply(seen):
        index = int(seen.query["Index"][0])
        return Reply(200, json.dumps({**answer(items, index, page_size), **override}), JSON)
    server.routes["/api/Documents"] = reply


def stored_keys(tmp_path) -> list[str]:
    state = open_state(tmp_path / "state.db")
    try:
        return [r.record.key for r in state.records("pravo")]
    finally:
        state.close()


def test_every_page_of_a_day_is_read_and_a_new_treaty_act_on_the_last_page_alerts(server, tmp_path, moscow_day):
    serve_pages(server, laws(3), page_size=2)
    first = check(server, tmp_path)
    assert first.outcome == "baseline" and first.requests == 2
    assert stored_keys(tmp_path) == [f"000120260804000{n}" for n in (1, 2, 3)]
    assert [q.query["Index"] for q in server.requests] == [["1"], ["2"]]
    serve_pages(server, laws(5), page_size=2)
    report = check(server, tmp_path)
    assert report.outcome == "changed" and report.added == 2
    assert sorted((e.type, e.url) for e in report.events) == [
        ("ratification", f"{server.base}/document/000120260804000{n}") for n in (4, 5)]
    assert {q.query["SortedBy"][0] for q in server.requests} == {"5"}


def test_each_day_keeps_its_own_acts_and_an_act_of_another_day_is_left_to_it(server, tmp_path, moscow_day):
    days = {"04.08.2026": laws(3) + laws(1, date(2026, 8, 3), start=9), "03.08.2026": laws(2, date(2026, 8, 3))}
    server.routes["/api/Documents"] = lambda seen: Reply(200, json.dumps(answer(days[seen.query["Date"][0]])), JSON)
    assert check(server, tmp_path, lookback_days=2).outcome == "baseline"
    assert stored_keys(tmp_path) == ["0001202608030001", "0001202608030002", "0001202608040001",
                                     "0001202608040002", "0001202608040003"]
    days["04.08.2026"] = laws(4)
    report = check(server, tmp_path, lookback_days=2)
    assert (report.outcome, report.added, report.removed) == ("changed", 1, 0)
    assert [e.subject for e in report.events] == ["Russian Federation"]
    assert len(stored_keys(tmp_path)) == 6


def test_a_portal_repeating_its_first_page_fails_the_day_and_stores_nothing(server, tmp_path, moscow_day):
    items = laws(4)
    server.routes["/api/Documents"] = lambda seen: Reply(
        200, json.dumps({**answer(items, 1, 2), "currentPage": int(seen.query["Index"][0])}), JSON)
    report = check(server, tmp_path)
    assert report.outcome == "failed"
    assert "page 2 repeats earlier pages (paging ignored)" in report.error
    assert [e.type for e in report.events] == ["structure_changed"]
    assert stored_keys(tmp_path) == []


def test_a_day_whose_acts_vanish_is_a_source_failure_not_a_mass_removal(server, tmp_path, moscow_day):
    serve_pages(server, laws(6))
    assert check(server, tmp_path).outcome == "baseline"
    for remaining in ([], laws(2)):  # an empty day, then fewer than half of its acts
        serve_pages(server, remaining)
        report = check(server, tmp_path)
        assert report.outcome == "failed" and report.removed == 0
        assert "where the last good check had 6" in report.error
        assert {e.type for e in report.events} <= {"structure_changed"}
        assert len(stored_keys(tmp_path)) == 6


@pytest.mark.parametrize("reply, expected", [
    (Reply(200, "<html><body><h1>Сайт на техническом обслуживании</h1></body></html>",
           {"Content-Type": "text/html; charset=utf-8"}), "did not answer JSON"),
    (Reply(200, json.dumps({"status": "maintenance"}), JSON), "expected an object with 'items', got ['status']"),
    (Reply(404, json.dumps({"title": "Not Found"}), JSON), "HTTP 404 from "),
    (Reply(404, "<html>\n  <body>Страница   не найдена</body></html>", {"Content-Type": "text/html"}),
     "(not the API's answer: '<html> <body>Страница не найдена</body></html>'; check base_url)"),
    (Reply(503, "<html>Технические работы</html>", {"Content-Type": "text/html"}), "HTTP 503 from "),
])
def test_a_maintenance_page_fails_the_check_with_a_clear_message_and_keeps_the_day(server, tmp_path, moscow_day,
                                                                                    reply, expected):
    serve_pages(server, laws(2))
    assert check(server, tmp_path).outcome == "baseline"
    server.routes["/api/Documents"] = reply
    report = check(server, tmp_path)
    assert report.outcome == "failed" and expected in report.error and "Traceback" not in report.error
    assert f"{server.base}/api/Documents" in report.error
    assert not any(e.type in ("ratification", "law_published", "record_removed") for e in report.events)
    assert len(stored_keys(tmp_path)) == 2


@pytest.mark.parametrize("title", [
    "О ратификации Соглашения «Об обмене информацией»",
    "О ратификации Соглашения «Об обмене информацией» в отношении Российской Федерации.",
    "О ратификации «Соглашения «Об обмене информацией»»",
])
def test_a_treaty_named_by_a_quoted_name_keeps_its_closing_quote(title):
    assert classify_title(title).treaty == "Соглашения «Об обмене информацией»"


def test_a_quoted_name_inside_the_treaty_name_is_left_as_it_is():
    act = classify_title("О ратификации Соглашения «Об обмене информацией» и Протокола к нему")
    assert act.treaty == "Соглашения «Об обмене информацией» и Протокола к нему"


def test_punctuation_before_the_scope_phrase_is_not_part_of_the_treaty():
    act = classify_title("О денонсации Конвенции о правовой помощи, в отношении Российской Федерации")
    assert (act.type, act.treaty) == ("denunciation", "Конвенции о правовой помощи")
