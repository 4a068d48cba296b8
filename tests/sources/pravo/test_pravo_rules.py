"""The `pravo` rules that decide which acts alert and what the alert says."""

from __future__ import annotations

import json
from datetime import date

import pytest

from helpers.coe import TREATY_LIST_FILE as LIST
from helpers.pravo import BASE, events_between, law, source
from monitor.errors import StructureChanged
from monitor.events import Treaty, event_id
from monitor.sources.coe.catalogue import catalogue_entries
from monitor.sources.pravo import classify_title, document_label, parse_item, short_title
from monitor.sources.pravo.link import link_events, reference
from monitor.treaties import CatalogueEntry, RussianMatcher

DAY = date(2026, 8, 4)


def record(eo: str, title: str, **item):
    return parse_item(law(eo, "300-ФЗ", title, DAY) | item, BASE, "u")


# --- titles that only cite a treaty act --------------------------------------------------------

CITING = ('О внесении изменения в статью 1 Федерального закона от 06.06.2000 № 72-ФЗ "О ратификации '
          'Договора о всеобъемлющем запрещении ядерных испытаний"')


def test_title_citing_a_ratification_law_by_date_and_number_is_no_ratification():
    assert classify_title(CITING) is None
    assert short_title(CITING) == CITING
    act = record("0001202608040010", CITING)
    assert act.fields["short_title"] == CITING
    assert events_between(source(), [], [act]) == []


def test_complex_name_whose_first_line_cites_an_act_keeps_its_whole_title():
    # Without a "Федеральный закон от … № …" header the first line is the title itself.
    item = law("0001202608040011", "301-ФЗ", "x", DAY)
    item.update(name=None, complexName=CITING)
    act = parse_item(item, BASE, "u")
    assert act.fields["short_title"] == CITING
    assert act.title == CITING
    assert events_between(source(), [], [act]) == []


# --- treaty words ------------------------------------------------------------------------------

@pytest.mark.parametrize("title, treaty", [
    ("О присоединении Российской Федерации к Международному пакту об экономических правах",
     "Международному пакту об экономических правах"),
    ("О присоединении Российской Федерации к Европейской хартии местного самоуправления",
     "Европейской хартии местного самоуправления"),
    ("О выходе Российской Федерации из Римского статута Международного уголовного суда",
     "Римского статута Международного уголовного суда"),
    ("О прекращении действия Меморандума о взаимопонимании между Правительством Российской Федерации",
     "Меморандума о взаимопонимании между Правительством Российской Федерации"),
    ("О подписании Поправок к Уставу Международной организации труда",
     "Поправок к Уставу Международной организации труда"),
])
def test_pact_charter_statute_memorandum_and_amendments_are_treaties(title, treaty):
    act = classify_title(title)
    assert act is not None and act.treaty == treaty


@pytest.mark.parametrize("title", [
    "О присоединении к пакту соседей по участку",  # lower case, not international: no treaty name
    "О выходе из Ассоциации строителей",  # no treaty word at all
    "О приостановлении выплат по Соглашению о кредите",  # the treaty word comes too late
])
def test_actions_whose_object_is_no_treaty_are_not_alerts(title):
    assert classify_title(title) is None


def test_lower_case_international_treaty_names_count():
    act = classify_title("О прекращении действия международных договоров бывшего Союза ССР")
    assert act is not None
    assert (act.type, act.action, act.treaty) == ("denunciation", "termination",
                                                   "международных договоров бывшего Союза ССР")


def test_ratification_title_with_nothing_after_the_action_is_no_alert():
    assert classify_title("О ратификации") is None
    assert classify_title('"О ратификации"') is None


def test_trailing_scope_and_punctuation_are_not_part_of_the_treaty():
    act = classify_title("О прекращении действия Соглашения о торговле в отношении Российской Федерации")
    assert act is not None and act.treaty == "Соглашения о торговле"
    act = classify_title("О ратификации Соглашения о торговле;")
    assert act is not None and act.treaty == "Соглашения о торговле"


def test_yo_spelling_matches_and_the_treaty_keeps_its_letters():
    act = classify_title("О прекращении действия Соглашения о своём участии")
    assert act is not None and act.treaty == "Соглашения о своём участии"


# --- corrected titles --------------------------------------------------------------------------

def test_corrected_title_that_changes_the_action_alerts_with_the_new_action():
    src = source()
    before = [record("0001202608040020", "О ратификации Соглашения о торговле")]
    after = [record("0001202608040020", "О денонсации Соглашения о торговле")]
    events = events_between(src, before, after)
    assert [(e.type, e.details["action"], e.treaty.title) for e in events] == [
        ("denunciation", "denunciation", "Соглашения о торговле")]


def test_corrected_title_that_loses_its_treaty_action_raises_nothing():
    src = source(all_acts=True)
    before = [record("0001202608040021", "О ратификации Соглашения о торговле")]
    after = [record("0001202608040021", "О внесении изменений в Налоговый кодекс")]
    assert events_between(src, before, after) == []


def test_other_field_changes_of_a_treaty_act_raise_nothing():
    src = source(all_acts=True)
    before = [record("0001202608040022", "О ратификации Соглашения о торговле")]
    after = [record("0001202608040022", "О ратификации Соглашения о торговле", number="301-ФЗ")]
    assert events_between(src, before, after) == []


def test_all_acts_publishes_only_new_acts_and_treaty_acts_keep_their_own_type():
    src = source(all_acts=True)
    plain = record("0001202608040023", "О внесении изменений в Налоговый кодекс")
    treaty = record("0001202608040024", "О ратификации Соглашения о торговле")
    events = events_between(src, [], [plain, treaty])
    assert [e.type for e in events] == ["law_published", "ratification"]
    published = events[0]
    assert published.summary == "Russia: federal law published: О внесении изменений в Налоговый кодекс"
    assert published.subject == "Russian Federation"
    assert published.url == f"{BASE}/document/0001202608040023"
    assert published.date == "2026-08-04"
    assert published.details["eo_number"] == "0001202608040023"
    assert published.details["short_title"] == "О внесении изменений в Налоговый кодекс"
    renamed = record("0001202608040023", "О внесении изменений в Налоговый кодекс Российской Федерации")
    assert events_between(src, [plain], [renamed]) == []


# --- what a treaty alert says ------------------------------------------------------------------

def test_a_treaty_alert_carries_the_act_its_dates_and_the_russian_treaty_name():
    item = law("0001202510010002", "381-ФЗ", "О денонсации Российской Федерацией Конвенции о правовой помощи",
               date(2025, 9, 29)) | {"publishDateShort": "2025-10-01T00:00:00"}
    act = parse_item(item, BASE, "u")
    [event] = events_between(source(), [], [act])
    assert event.summary == ("Russia: federal law on denunciation of Конвенции о правовой помощи "
                             "(№ 381-ФЗ, signed 2025-09-29, published 2025-10-01)")
    assert (event.type, event.source, event.key, event.subject, event.date) == (
        "denunciation", "pravo", "0001202510010002", "Russian Federation", "2025-09-29")
    assert (event.treaty.id, event.treaty.title, event.treaty.url) == (None, "Конвенции о правовой помощи", None)
    assert event.details["treaty"] == "Конвенции о правовой помощи"
    assert event.detected_at == "2026-08-05T10:00:00+00:00"


def test_a_treaty_alert_without_number_or_dates_has_no_empty_brackets():
    item = law("0001202608040031", "x", "О ратификации Соглашения о торговле", DAY)
    item.update(number=None, documentDate=None, publishDateShort=None, viewDate=None, documentTypeId=None,
                complexName="О ратификации Соглашения о торговле", name=None)
    [event] = events_between(source(), [], [parse_item(item, BASE, "u")])
    assert event.summary == "Russia: act on ratification of Соглашения о торговле"
    assert event.date is None


def test_only_the_dates_the_act_has_are_named():
    item = law("0001202608040032", "302-ФЗ", "О ратификации Соглашения о торговле", DAY)
    item.update(publishDateShort=None, viewDate=None)
    [event] = events_between(source(), [], [parse_item(item, BASE, "u")])
    assert event.summary == "Russia: federal law on ratification of Соглашения о торговле (№ 302-ФЗ, signed 2026-08-04)"


@pytest.mark.parametrize("document_type, signatory, label", [
    ("Федеральный закон", "Президент Российской Федерации", "federal law"),
    ("Федеральный конституционный закон", None, "federal constitutional law"),
    ("Официальное сообщение Министерства иностранных дел", None, "MFA official message"),
    ("Указ", "Президент Российской Федерации", "presidential decree"),
    ("Распоряжение", "Правительство Российской Федерации", "government order"),
    ("Постановление", "Правительства Российской Федерации", "government resolution"),
    ("Постановление", "Губернатора Тульской области", "resolution"),
    ("Протокол", "Президент Российской Федерации", "act"),
    (None, None, "act"),
])
def test_alerts_name_the_kind_of_act_in_english(document_type, signatory, label):
    assert document_label({"document_type": document_type, "signatory": signatory}) == label


# --- linking the Russian treaty name to the catalogue --------------------------------------------

TORTURE_RU = ("Европейской конвенции по предупреждению пыток и бесчеловечного или унижающего достоинство "
              "обращения или наказания")
TORTURE_EN = ("European Convention for the Prevention of Torture and Inhuman or Degrading Treatment or "
              "Punishment (ETS No. 126)")


@pytest.fixture(scope="module")
def matcher() -> RussianMatcher:
    return RussianMatcher(catalogue_entries(json.loads(LIST.read_text(encoding="utf-8")), str(LIST)))


def treaty_alert(title: str, **item):
    [event] = events_between(source(), [], [record("0001202608040040", title, **item)])
    return event


def test_a_linked_alert_names_the_treaty_in_english_with_its_chart(matcher):
    event = treaty_alert(f"О денонсации {TORTURE_RU}")
    [linked] = link_events([event], matcher)
    assert (linked.treaty.id, linked.treaty.title, linked.treaty.url) == (
        "ETS No. 126", TORTURE_EN,
        "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=126")
    assert linked.summary == (f"Russia: federal law on denunciation of the {TORTURE_EN} "
                              "(№ 300-ФЗ, signed 2026-08-04, published 2026-08-04)")
    assert linked.details["treaty"] == TORTURE_RU
    assert linked.details["reference"] == "federal law No. 300-ФЗ"
    assert linked.details["treaty_links"] == [{"id": "ETS No. 126", "title": TORTURE_EN, "match": "exact",
                                               "url": linked.treaty.url}]
    assert linked.id == treaty_alert(f"О денонсации {TORTURE_RU}").id


def test_an_alert_naming_protocols_too_lists_every_designation(matcher):
    event = treaty_alert(f"О денонсации {TORTURE_RU} и протоколов № 1 и № 2 к ней")
    link_events([event], matcher)
    assert event.treaty.id == "ETS No. 126"
    assert event.summary.startswith(f"Russia: federal law on denunciation of the {TORTURE_EN} and ETS No. 151 "
                                    "and ETS No. 152 (№ 300-ФЗ")
    assert [link["id"] for link in event.details["treaty_links"]] == ["ETS No. 126", "ETS No. 151", "ETS No. 152"]
    extradition = treaty_alert("О ратификации Европейской конвенции о выдаче, Дополнительного протокола и Второго "
                               "дополнительного протокола к ней")
    link_events([extradition], matcher)
    assert "the European Convention on Extradition (ETS No. 024) and ETS No. 086 and ETS No. 098 (" \
        in extradition.summary


def test_an_english_title_that_starts_with_the_keeps_one_article():
    entry = CatalogueEntry(id="XXVI-1", catalogue="un", number="XXVI-1", title_en="The Hague Convention on Navigation",
                           title_ru="Гаагская конвенция о навигации")
    event = treaty_alert("О присоединении Российской Федерации к Гаагской конвенции о навигации")
    link_events([event], RussianMatcher([entry]))
    assert event.treaty.id == "XXVI-1"
    assert event.summary.startswith("Russia: federal law on accession to The Hague Convention on Navigation (")


def test_unmatched_already_linked_and_published_acts_keep_their_treaty(matcher):
    bilateral = treaty_alert("О ратификации Договора между Российской Федерацией и Венгрией о социальном обеспечении")
    summary = bilateral.summary
    link_events([bilateral], matcher)
    assert bilateral.treaty.id is None and bilateral.summary == summary
    assert bilateral.details["reference"] == "federal law No. 300-ФЗ"
    assert "treaty_links" not in bilateral.details
    known = treaty_alert(f"О денонсации {TORTURE_RU}")
    known.treaty = Treaty(id="ETS No. 5", title="Convention", url="u")
    link_events([known], matcher)
    assert known.treaty.id == "ETS No. 5" and "treaty_links" not in known.details
    published = events_between(source(all_acts=True), [], [record("0001202608040041", "О внесении изменений")])
    link_events(published, matcher)
    assert "reference" not in published[0].details


def test_an_act_without_a_number_is_cited_by_its_kind():
    event = treaty_alert(f"О денонсации {TORTURE_RU}", number=None)
    assert event.details["number"] == "300-ФЗ"  # from the header
    event.details["number"] = None
    assert reference(event) == "federal law"


# --- what an item's fields say when the header does not ---------------------------------------

LAW_TYPE = "82a8bf1c-3bc7-47ed-827f-7affd43a7f27"


def test_fields_come_from_the_item_when_the_complex_name_has_no_header():
    item = law("0001202608040050", "300-ФЗ", "x", DAY)
    item.update(complexName="О ратификации Соглашения о торговле", name=None, documentTypeId=LAW_TYPE.upper(),
                number="300-ФЗ", documentDate="2026-08-03T00:00:00", publishDateShort=None, viewDate="04.08.2026")
    act = parse_item(item, BASE, "u")
    assert {k: act.fields[k] for k in ("document_type", "number", "document_date", "publication_date",
                                       "short_title")} == {
        "document_type": "Федеральный закон", "number": "300-ФЗ", "document_date": "2026-08-03",
        "publication_date": "2026-08-04", "short_title": "О ратификации Соглашения о торговле"}
    [event] = events_between(source(), [], [act])
    assert event.summary == ("Russia: federal law on ratification of Соглашения о торговле "
                             "(№ 300-ФЗ, signed 2026-08-03, published 2026-08-04)")
    assert event.details["document_date"] == "2026-08-03"


def test_a_title_given_only_as_name_or_only_in_a_header_line_plus_name_is_read():
    only_name = law("0001202608040051", "300-ФЗ", "x", DAY)
    only_name.update(complexName=None, name="«О ратификации Соглашения о торговле»")
    assert parse_item(only_name, BASE, "u").fields["short_title"] == "О ратификации Соглашения о торговле"
    numeric = dict(only_name, complexName=12345)
    assert parse_item(numeric, BASE, "u").fields["short_title"] == "О ратификации Соглашения о торговле"
    header_only = law("0001202608040052", "300-ФЗ", "x", DAY)
    header_only.update(complexName="Федеральный закон от 04.08.2026 № 300-ФЗ",
                       name="О ратификации Соглашения о торговле")
    act = parse_item(header_only, BASE, "u")
    assert act.fields["short_title"] == "О ратификации Соглашения о торговле"
    assert act.title == 'Федеральный закон от 04.08.2026 № 300-ФЗ "О ратификации Соглашения о торговле"'


def test_a_name_that_repeats_the_header_is_not_taken_as_the_title():
    item = law("0001202608040053", "300-ФЗ", "x", DAY)
    item.update(complexName='Федеральный закон от 04.08.2026 № 300-ФЗ\n "О ратификации Соглашения о торговле"',
                name='Федеральный закон от 04.08.2026 № 300-ФЗ "О ратификации Соглашения о торговле"')
    assert parse_item(item, BASE, "u").fields["short_title"] == "О ратификации Соглашения о торговле"


def test_a_title_over_several_lines_keeps_the_header_from_the_first_line():
    item = law("0001202608040054", "300-ФЗ", "x", DAY)
    item.update(complexName='Федеральный закон от 04.08.2026 № 300-ФЗ\r"О ратификации Соглашения\nо торговле"',
                name='"О ратификации Соглашения о торговле"')
    act = parse_item(item, BASE, "u")
    assert act.title == 'Федеральный закон от 04.08.2026 № 300-ФЗ "О ратификации Соглашения о торговле"'


def test_unusable_items_are_structure_failures_that_say_why():
    with pytest.raises(StructureChanged, match="u: an entry of 'items' is not an object"):
        parse_item("x", BASE, "u")
    item = law("0001202608040055", "300-ФЗ", "x", DAY)
    item.update(complexName=None, name=None)
    with pytest.raises(StructureChanged, match="u: item 0001202608040055 has neither 'complexName' nor 'name'"):
        parse_item(item, BASE, "u")


@pytest.mark.parametrize("text, expected", [
    (None, ""),
    ('О ратификации Соглашения "', "О ратификации Соглашения"),
    ("« О ратификации Соглашения о торговле »", "О ратификации Соглашения о торговле"),
    ("О ратификации Соглашения «Об открытом небе»", "О ратификации Соглашения «Об открытом небе»"),
    ('Федеральный закон от 04.08.2026 № 300-ФЗ\r"О ратификации Соглашения"', "О ратификации Соглашения"),
    ("Распоряжение Главы Республики Адыгея от 24.05.2023\nОб утверждении перечня", "Об утверждении перечня"),
])
def test_short_titles_lose_header_and_outer_quotes_only(text, expected):
    assert short_title(text) == expected


def test_a_spaced_quote_does_not_hide_the_action():
    act = classify_title("« О ратификации Соглашения о торговле »")
    assert act is not None and act.treaty == "Соглашения о торговле"


def test_a_capitalised_domestic_object_with_a_treaty_word_late_is_no_treaty():
    assert classify_title("О присоединении к Программе развития сотрудничества в рамках Соглашения") is None


def test_an_international_organisations_agreements_count_as_treaties():
    act = classify_title("О прекращении действия соглашений Международной организации труда")
    assert act is not None and act.treaty == "соглашений Международной организации труда"


def test_published_and_treaty_alerts_carry_their_detection_time_and_id():
    [published] = events_between(source(all_acts=True), [], [record("0001202608040056", "О внесении изменений")])
    assert published.detected_at == "2026-08-05T10:00:00+00:00"
    assert published.id == event_id("pravo", "0001202608040056", "law_published")
    assert (published.source, published.key, published.title) == (
        "pravo", "0001202608040056", 'Федеральный закон от 04.08.2026 № 300-ФЗ "О внесении изменений"')
    [treaty] = events_between(source(), [], [record("0001202608040057", "О ратификации Соглашения о торговле")])
    assert treaty.id == event_id("pravo", "0001202608040057", "ratification")
    assert (treaty.treaty.id, treaty.treaty.url) == (None, None)


def test_one_further_designation_is_joined_with_and(matcher):
    event = treaty_alert("О ратификации Европейской конвенции о выдаче и Дополнительного протокола к ней")
    link_events([event], matcher)
    assert event.summary == ("Russia: federal law on ratification of the European Convention on Extradition "
                             "(ETS No. 024) and ETS No. 086 (№ 300-ФЗ, signed 2026-08-04, published 2026-08-04)")


def test_acts_that_cannot_be_linked_do_not_stop_the_others_in_the_batch(matcher):
    published = events_between(source(all_acts=True), [], [record("0001202608040060", "О внесении изменений")])
    bilateral = treaty_alert("О ратификации Договора между Российской Федерацией и Венгрией о социальном обеспечении")
    known = treaty_alert(f"О денонсации {TORTURE_RU}")
    known.treaty = Treaty(id="ETS No. 5", title="Convention", url="u")
    torture = treaty_alert(f"О денонсации {TORTURE_RU}")
    link_events(published + [bilateral, known, torture], matcher)
    assert torture.treaty.id == "ETS No. 126"


def test_a_decree_is_cited_as_a_presidential_decree():
    item = law("0001202608040061", "16", "О приостановлении действия Договора о торговле", DAY)
    item.update(documentTypeId="0790e34b-784b-4372-884e-3282622a24bd",
                complexName="Указ Президента Российской Федерации от 04.08.2026 № 16\n"
                            "О приостановлении действия Договора о торговле")
    [event] = events_between(source(), [], [parse_item(item, BASE, "u")])
    assert reference(event) == "presidential decree No. 16"
    assert event.summary.startswith("Russia: presidential decree on suspension of Договора о торговле (№ 16")


@pytest.mark.parametrize("ending", ["", ".", "»."])
def test_the_scope_phrase_leaves_the_treaty_name_whatever_punctuation_ends_the_title(ending):
    act = classify_title("О прекращении действия Конвенции о защите прав человека и основных свобод "
                         f"в отношении Российской Федерации{ending}")
    assert (act.type, act.treaty) == ("denunciation", "Конвенции о защите прав человека и основных свобод")
