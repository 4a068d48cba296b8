"""The `pravo` kind: real portal captures, title classification, options, events and failures."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest

from helpers.http import Reply
from helpers.pravo import (  # test_event_ids.py imports law from here
    ALL_BLOCKS,
    BASE,
    FEDERAL_LAWS,
    answer,
    check,
    events_between,
    law,
    load,
    source,
)
from helpers.pravo import PRAVO_FIXTURES as FIXTURES
from monitor.clock import NOW_ENV
from monitor.config import parse_config
from monitor.diff import Stored, diff_part
from monitor.errors import ConfigError, SourceError, StructureChanged
from monitor.sources import Part
from monitor.sources.pravo import (
    BLOCKS,
    DOCUMENT_TYPES,
    classify_title,
    parse_item,
    parse_page,
    short_title,
)
from monitor.store import open_state

LAW_TYPE = "82a8bf1c-3bc7-47ed-827f-7affd43a7f27"
PRESIDENT = "225698f1-cfbc-4e42-9caa-32f9f7403211"
TORTURE = ("Европейской конвенции по предупреждению пыток и бесчеловечного или унижающего достоинство "
           "обращения или наказания")


SCHEMA_2023 = load("documents_2023-05_name_search.json")


# --- real captures ---------------------------------------------------------------------------

def test_2026_item_shape_gives_every_field():
    records = [parse_item(item, BASE, "u") for item in FEDERAL_LAWS["items"]]
    assert [r.fields["number"] for r in records] == ["334-ФЗ", "333-ФЗ"]
    first = records[0]
    assert first.key == "0001202608040078"
    assert first.fields == {
        "eo_number": "0001202608040078", "document_type": "Федеральный закон", "number": "334-ФЗ",
        "document_date": "2026-08-04", "publication_date": "2026-08-04",
        "short_title": "О внесении изменений в отдельные законодательные акты Российской Федерации",
        "signatory": "Президент Российской Федерации",
        "pdf_url": f"{BASE}/file/pdf?eoNumber=0001202608040078"}
    assert first.url == f"{BASE}/document/0001202608040078"
    assert first.title == ('Федеральный закон от 04.08.2026 № 334-ФЗ "О внесении изменений в отдельные '
                           'законодательные акты Российской Федерации"')


def test_2023_shape_without_name_number_date_or_type_works_from_complex_name():
    assert "name" not in SCHEMA_2023["items"][0] and "documentTypeId" not in SCHEMA_2023["items"][0]
    records = [parse_item(item, BASE, "u") for item in SCHEMA_2023["items"]]
    assert len({r.key for r in records}) == 127
    assert all(r.fields["short_title"] and r.fields["short_title"][0] not in '"«' for r in records)
    first = records[0]
    assert (first.fields["document_type"], first.fields["number"], first.fields["document_date"],
            first.fields["publication_date"]) == ("Распоряжение", "104-рг", "2023-05-24", "2023-05-26")
    assert first.fields["signatory"] == "Главы Республики Адыгея"
    # The cited act's own quotes survive; only the outer quote pair goes.
    assert first.fields["short_title"].startswith("Об утверждении перечня генерирующих объектов")
    assert first.fields["short_title"].endswith('"О функционировании розничных рынков электрической энергии, '
                                                'полном и (или) частичном ограничении режима потребления '
                                                'электрической энергии"')
    dated = [r for r in records if r.fields["document_date"]]
    assert len(dated) >= 125


def test_all_blocks_capture_holds_no_treaty_act():
    src = source()
    records = [parse_item(item, BASE, "u") for item in ALL_BLOCKS["items"]]
    assert len(records) == 10
    assert events_between(src, [], records) == []
    assert [classify_title(r.fields["short_title"]) for r in records] == [None] * 10


def test_all_acts_option_publishes_every_act_once():
    src = source(all_acts=True)
    records = [parse_item(item, BASE, "u") for item in ALL_BLOCKS["items"]]
    events = events_between(src, [], records)
    assert [e.type for e in events] == ["law_published"] * 10
    assert events[0].summary.startswith("Russia: government order published: О присвоении классных чинов")
    assert events_between(src, records, records) == []


def test_unfiltered_count_is_a_structure_failure_not_a_flood():
    with pytest.raises(StructureChanged, match="1,593,675 results.*ignored the date filter"):
        parse_page(ALL_BLOCKS, "http://x/api/Documents?Date=17.01.2026", BASE, date(2026, 1, 17))


def test_federal_law_capture_count_is_not_one_day():
    # 7,878 federal laws with 79 pages: that query was not limited to one day.
    with pytest.raises(StructureChanged, match="7,878 results"):
        parse_page(FEDERAL_LAWS, "u", BASE, date(2026, 8, 4))


def test_items_from_other_days_mean_the_date_filter_was_ignored():
    page = answer([law("0001202608030001", "1-ФЗ", "О ратификации Соглашения", date(2026, 8, 3)),
                   law("0001202608030002", "2-ФЗ", "О ратификации Протокола", date(2026, 8, 3))])
    with pytest.raises(StructureChanged, match="not published on 2026-08-04"):
        parse_page(page, "u", BASE, date(2026, 8, 4))


def test_validation_error_body_is_a_clear_failure():
    with pytest.raises(SourceError, match="rejected the query: Ошибки валидации: 'Block Code' не должно быть пусто"):
        parse_page(load("categories_without_block_error.json"), "http://x/api/Documents", BASE)


def test_missing_items_is_a_structure_change():
    with pytest.raises(StructureChanged, match="expected an object with 'items'"):
        parse_page({"results": [], "total": 0}, "http://x/api/Documents", BASE)
    with pytest.raises(StructureChanged, match="no usable 'eoNumber'"):
        parse_page({"items": [{"complexName": "x"}], "itemsTotalCount": 1}, "u", BASE)


def test_module_tables_match_the_portal_lists():
    types = {t["name"]: t["id"] for t in load("document_types.json")}
    assert DOCUMENT_TYPES == types
    codes = set()
    for block in load("public_blocks_2026-01.json"):
        codes.add(block["code"])
        codes.update(child["code"] for child in block["items"])
    assert set(BLOCKS) == codes
    president = next(b for b in load("public_blocks_2026-01.json") if b["code"] == "president")
    assert "федеральные законы" in president["description"]  # why "president" is the default scope


# --- titles ----------------------------------------------------------------------------------

@pytest.mark.parametrize("title, expected", [
    # Real titles (SOURCES.md: the 2020 and 2015 laws 310-ФЗ, news copies of 2023 and 2022 laws).
    ("О ратификации Договора между Российской Федерацией и Венгрией о социальном обеспечении",
     ("ratification", "ratification", "Договора между Российской Федерацией и Венгрией о социальном обеспечении")),
    ("О ратификации Международного соглашения по какао 2010 года",
     ("ratification", "ratification", "Международного соглашения по какао 2010 года")),
    ("О денонсации Российской Федерацией Договора об обычных вооруженных силах в Европе",
     ("denunciation", "denunciation", "Договора об обычных вооруженных силах в Европе")),
    ("О прекращении действия в отношении Российской Федерации международных договоров Совета Европы",
     ("denunciation", "termination", "международных договоров Совета Европы")),
    # Realistic titles of the other patterns in SOURCES.md.
    (f"О денонсации Российской Федерацией {TORTURE} и протоколов к ней",
     ("denunciation", "denunciation", f"{TORTURE} и протоколов к ней")),
    ("Об отзыве ратификации Договора о всеобъемлющем запрещении ядерных испытаний",
     ("denunciation", "withdrawal_of_ratification", "Договора о всеобъемлющем запрещении ядерных испытаний")),
    ("О присоединении Российской Федерации к Конвенции о правах инвалидов",
     ("ratification", "accession", "Конвенции о правах инвалидов")),
    ("О приостановлении действия Договора между Российской Федерацией и Соединенными Штатами Америки о мерах "
     "по дальнейшему сокращению и ограничению стратегических наступательных вооружений",
     ("suspension", "suspension", "Договора между Российской Федерацией и Соединенными Штатами Америки о мерах "
      "по дальнейшему сокращению и ограничению стратегических наступательных вооружений")),
    ("О приостановлении Российской Федерацией действия Договора об обычных вооруженных силах в Европе",
     ("suspension", "suspension", "Договора об обычных вооруженных силах в Европе")),
    ("О возобновлении действия Соглашения между Правительством Российской Федерации и Правительством Грузии",
     ("entry_into_force", "resumption", "Соглашения между Правительством Российской Федерации и Правительством Грузии")),
    ("О выходе Российской Федерации из Соглашения о Межгосударственном совете",
     ("denunciation", "withdrawal", "Соглашения о Межгосударственном совете")),
    ("О прекращении участия Российской Федерации в Соглашении о сотрудничестве в области охраны окружающей среды",
     ("denunciation", "withdrawal", "Соглашении о сотрудничестве в области охраны окружающей среды")),
    ("О вступлении в силу Соглашения между Правительством Российской Федерации и Правительством Республики Казахстан",
     ("entry_into_force", "entry_into_force",
      "Соглашения между Правительством Российской Федерации и Правительством Республики Казахстан")),
    ("О подписании Соглашения между Правительством Российской Федерации и Правительством Республики Индии",
     ("signature", "signature", "Соглашения между Правительством Российской Федерации и Правительством Республики Индии")),
    ("О временном применении Протокола о внесении изменений в Соглашение о свободной торговле",
     ("entry_into_force", "provisional_application", "Протокола о внесении изменений в Соглашение о свободной торговле")),
    ("О прекращении временного применения Договора о торговле",
     ("denunciation", "termination_of_provisional_application", "Договора о торговле")),
    # Case, quotes and a title still carrying its header.
    ("«о ДЕНОНСАЦИИ Конвенции о правовой помощи»", ("denunciation", "denunciation", "Конвенции о правовой помощи")),
    ('Федеральный закон от 28.02.2023 № 43-ФЗ\r\n "О приостановлении действия Договора о сокращении вооружений"',
     ("suspension", "suspension", "Договора о сокращении вооружений")),
])
def test_treaty_titles_are_classified_with_their_treaty(title, expected):
    act = classify_title(title)
    assert act is not None
    assert (act.type, act.action, act.treaty) == expected


@pytest.mark.parametrize("title", [
    "О внесении изменений в отдельные законодательные акты Российской Федерации",
    "О внесении изменений в Уголовный кодекс Российской Федерации в связи с ратификацией Конвенции Совета Европы",
    'О внесении изменения в статью 1 Федерального закона "О ратификации Договора о всеобъемлющем запрещении '
    'ядерных испытаний"',
    "О прекращении действия отдельных положений Указа Президента Российской Федерации",
    'О приостановлении действия отдельных положений Федерального закона "О потребительском кредите"',
    "О подписании договора аренды земельного участка",
    "О выходе из состава учредителей автономной некоммерческой организации",
    "О присвоении классных чинов государственной гражданской службы Российской Федерации",
    "Об особенностях ратификации и денонсации международных договоров",
])
def test_ordinary_titles_are_not_treaty_acts(title):
    assert classify_title(title) is None


def test_title_normalisation_handles_crlf_stray_quotes_and_double_spaces():
    assert short_title('Указ Президента Российской Федерации от 16.01.2026 № 16\r\n «О  дальнейшем развитии»') == \
        "О дальнейшем развитии"
    assert short_title('"О внесении изменений"') == "О внесении изменений"
    assert short_title('О внесении изменений"') == "О внесении изменений"
    assert short_title('"О внесении изменения в Указ № 514 "Об особенностях службы""') == \
        'О внесении изменения в Указ № 514 "Об особенностях службы"'
    day = date(2026, 8, 4)
    messy = law("0001202608040100", "300-ФЗ", "О  денонсации Конвенции о  правовой помощи", day,
                quote="«{}»", newline="\r\n  ")
    messy["name"] = None
    record = parse_item(messy, BASE, "u")
    assert record.fields["short_title"] == "О денонсации Конвенции о правовой помощи"
    assert record.title == 'Федеральный закон от 04.08.2026 № 300-ФЗ "О денонсации Конвенции о правовой помощи"'


# --- events ----------------------------------------------------------------------------------

def test_denunciation_law_raises_one_denunciation_event():
    src = source()
    day = date(2025, 10, 1)
    old = [parse_item(law("0001202510010001", "380-ФЗ", "О внесении изменений в Налоговый кодекс", day), BASE, "u")]
    new = old + [parse_item(law("0001202510010002", "381-ФЗ", f"О денонсации Российской Федерацией {TORTURE}",
                                date(2025, 9, 29)) | {"publishDateShort": "2025-10-01T00:00:00"}, BASE, "u")]
    events = events_between(src, old, new)
    assert len(events) == 1
    event = events[0]
    assert event.type == "denunciation" and event.details["action"] == "denunciation"
    assert event.subject == "Russian Federation"
    assert event.url == f"{BASE}/document/0001202510010002"
    assert event.title == f'Федеральный закон от 29.09.2025 № 381-ФЗ "О денонсации Российской Федерацией {TORTURE}"'
    assert event.summary.startswith(f"Russia: federal law on denunciation of {TORTURE} (№ 381-ФЗ")
    assert event.date == "2025-09-29"
    assert event.details["publication_date"] == "2025-10-01"
    assert event.details["pdf_url"] == f"{BASE}/file/pdf?eoNumber=0001202510010002"
    assert event.details["signatory"] == "Президент Российской Федерации"
    assert event.treaty.title == TORTURE and event.treaty.id is None
    # The same act seen again (another check, another part) keeps its id.
    again = events_between(source(), [], new[1:])
    assert [e.id for e in again] == [event.id]


def test_title_whitespace_fix_and_removal_raise_nothing():
    src = source(all_acts=True)
    day = date(2026, 8, 4)
    before = [parse_item(law("0001202608040001", "310-ФЗ", "О ратификации Соглашения  о торговле", day), BASE, "u")]
    after = [parse_item(law("0001202608040001", "310-ФЗ", "О ратификации Соглашения о торговле ", day)
                        | {"pagesCount": 3, "title": "changed"}, BASE, "u")]
    assert events_between(src, before, after) == []
    renamed = [parse_item(law("0001202608040001", "310-ФЗ", "О ратификации Соглашения о торговле и транзите", day),
                          BASE, "u")]
    assert events_between(src, before, renamed) == []
    gone = diff_part({r.key: Stored(r, missing=1) for r in before}, [])
    assert [c.kind for c in gone.changes] == ["removed"]
    assert src.events(gone.changes[0], Part(day.isoformat(), records=[]), "now") == []


def test_corrected_title_that_becomes_a_treaty_act_alerts_once_with_the_added_id():
    src = source()
    day = date(2026, 8, 4)
    wrong = [parse_item(law("0001202608040002", "311-ФЗ", "О внесении изменений", day), BASE, "u")]
    right = [parse_item(law("0001202608040002", "311-ФЗ", "О ратификации Конвенции о труде", day), BASE, "u")]
    events = events_between(src, wrong, right)
    assert [e.type for e in events] == ["ratification"]
    assert events[0].id == events_between(src, [], right)[0].id


# --- options ---------------------------------------------------------------------------------

def test_defaults_and_politeness_beat_global_defaults():
    raw = {"defaults": {"host_delay": "0s", "host_concurrency": 8, "interval": "5m", "timeout": "10s"},
           "sources": [{"name": "pravo", "kind": "pravo"}]}
    config = parse_config(raw, Path("/tmp/monitor.toml")).sources[0]
    assert (config.interval, config.host_concurrency, config.host_delay, config.timeout) == (3600, 1, 1.0, 60)
    assert asdict(config.options) == {"base_url": BASE, "lookback_days": 7, "blocks": ["president"],
                              "document_types": [], "all_acts": False,
                              "rss_blocks": ["president", "international"], "rss_interval": 300.0}


def test_document_types_by_name_or_id_and_blocks_are_checked():
    src = source(blocks=["President", "international"],
                 document_types=["федеральный закон", "Официальное сообщение  Министерства иностранных дел",
                                 "0790E34B-784B-4372-884E-3282622A24BD"])
    assert src.scope() == [("Block", "president"), ("Block", "international"), ("DocumentTypes", LAW_TYPE),
                           ("DocumentTypes", "4735e463-35e6-4ee9-a2c6-3ba2fba6f4d2"),
                           ("DocumentTypes", "0790e34b-784b-4372-884e-3282622a24bd")]
    assert "block president" in src.describe() and "Федеральный закон" in src.describe()


@pytest.mark.parametrize("options, message", [
    ({"document_types": ["Федеральный законн"]}, "unknown document type 'Федеральный законн' (known: Конституция,"),
    ({"blocks": ["presidency"]}, "unknown block 'presidency' (known: president, assembly"),
    ({"blocks": [], "document_types": []}, "give at least one block or one document type"),
    ({"lookback_days": 0}, "lookback_days: must be at least 1"),
    ({"lookback_days": "7"}, "lookback_days: must be a whole number"),
    ({"base_url": "publication.pravo.gov.ru"}, "base_url: must be an http:// or https:// URL"),
    ({"all_acts": "yes"}, "all_acts: must be true or false"),
    ({"scope": "all"}, "scope: unknown key"),
])
def test_bad_options_are_config_errors(options, message):
    with pytest.raises(ConfigError) as error:
        source(**options)
    assert message in str(error.value)


# --- collect against a local portal ----------------------------------------------------------


def test_html_pages_and_validation_errors_are_clear_failures(server, tmp_path):
    page = (FIXTURES / "not_found_page.html").read_text(encoding="utf-8")
    error = (FIXTURES / "categories_without_block_error.json").read_bytes()
    url = f"{server.base}/api/Documents?Block=president&PeriodType=day"
    cases = [
        (Reply(404, page, {"Content-Type": "text/html; charset=utf-8"}), [f"HTTP 404 from {url}", "check base_url"]),
        (Reply(200, page, {"Content-Type": "text/html; charset=utf-8"}), [url, "did not answer JSON"]),
        (Reply(400, error, {"Content-Type": "application/json"}),
         [url, "rejected the query (HTTP 400): Ошибки валидации: 'Block Code' не должно быть пусто."]),
        (Reply(200, error, {"Content-Type": "application/json"}), [url, "rejected the query: Ошибки валидации"]),
    ]
    for number, (reply, expected) in enumerate(cases):
        server.routes["/api/Documents"] = reply
        folder = tmp_path / str(number)
        folder.mkdir()
        report = check(server, folder)
        assert report.outcome == "failed"
        for text in expected:
            assert text in report.error


def test_unfiltered_answer_fails_the_check_and_stores_nothing(server, tmp_path):
    server.routes["/api/Documents"] = Reply(200, json.dumps(ALL_BLOCKS), {"Content-Type": "application/json"})
    report = check(server, tmp_path)
    assert report.outcome == "failed" and "ignored the date filter" in report.error
    assert [e.type for e in report.events] == ["structure_changed"]  # an operations notice, no acts
    state = open_state(tmp_path / "state.db")
    try:
        assert state.records("pravo") == []
    finally:
        state.close()


def test_ignored_paging_is_a_failure(server, tmp_path, monkeypatch):
    monkeypatch.setenv(NOW_ENV, "2026-11-26T23:59:59+03:00")  # one second before Moscow midnight
    today = date(2026, 11, 26)
    items = [law(f"0001{today:%Y%m%d}{n:04d}", f"{n}-ФЗ", "О внесении изменений", today) for n in range(1, 251)]
    server.routes["/api/Documents"] = Reply(200, json.dumps(answer(items, 1)), {"Content-Type": "application/json"})
    report = check(server, tmp_path)
    assert report.outcome == "failed" and "asked for page 2, got page 1" in report.error


def test_unchanged_day_is_not_reparsed_and_empty_day_is_fine(server, tmp_path, monkeypatch):
    monkeypatch.setenv(NOW_ENV, "2026-11-26T21:00:00+00:00")  # Moscow midnight
    empty = {"items": [], "itemsTotalCount": 0, "itemsPerPage": 200, "currentPage": 1, "pagesTotalCount": 0}
    server.routes["/api/Documents"] = Reply(200, json.dumps(empty), {"Content-Type": "application/json"})
    first = check(server, tmp_path, lookback_days=2, document_types=["Федеральный закон"])
    assert first.outcome == "baseline" and first.requests == 4  # 2 days x (1 block + 1 type) x 1 page
    second = check(server, tmp_path, lookback_days=2, document_types=["Федеральный закон"])
    assert second.outcome == "unchanged"
    queries = [r.query for r in server.requests]
    assert {q["Date"][0] for q in queries} == {"27.11.2026", "26.11.2026"}
    assert all(q["PeriodType"] == ["day"] and q["PageSize"] == ["200"] and q["Index"] == ["1"] for q in queries)
    assert {tuple(q.get("DocumentTypes", [])) for q in queries} == {(), (LAW_TYPE,)}
