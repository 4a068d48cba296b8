"""Matching Russian treaty names (as law titles give them) to the Council of Europe catalogue."""

from __future__ import annotations

import json

import pytest

from helpers.coe import TREATY_LIST_FILE as LIST
from monitor.events import Event, Treaty
from monitor.sources.coe.catalogue import catalogue_entries
from monitor.sources.pravo import classify_title
from monitor.treaties import CatalogueEntry, state_id, story_id
from monitor.treaties.match_ru import RussianMatcher, normalise, stems


@pytest.fixture(scope="module")
def matcher() -> RussianMatcher:
    return RussianMatcher(catalogue_entries(json.loads(LIST.read_text(encoding="utf-8")), str(LIST)))


def linked(matcher: RussianMatcher, title: str) -> list[str]:
    act = classify_title(title)
    assert act is not None, title
    return [link.entry.id for link in matcher.match(act.treaty)]


def test_the_catalogue_keeps_every_language_and_the_chart_link():
    entries = {e.id: e for e in catalogue_entries(json.loads(LIST.read_text(encoding="utf-8")), "list")}
    assert len(entries) == 232
    torture = entries["ETS No. 126"]
    assert torture.title_en == ("European Convention for the Prevention of Torture and Inhuman or Degrading "
                                "Treatment or Punishment (ETS No. 126)")
    assert torture.title_fr.startswith("Convention européenne pour la prévention de la torture")
    assert torture.title_ru.startswith("Европейская конвенция по предупреждению пыток")
    assert torture.url == "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=126"
    assert entries["CETS No. 197"].short_ru == "Противодействии торговле людьми"
    assert entries["ETS No. 151"].title_en.endswith("(ETS No. 151)")  # the list's "(*)" mark dropped


@pytest.mark.parametrize("nominative, genitive", [
    ("Европейская конвенция по предупреждению пыток и бесчеловечного или унижающего достоинство обращения "
     "или наказания", "Европейской конвенции по предупреждению пыток и бесчеловечного или унижающего "
                      "достоинство обращения или наказания"),
    ("Устав Совета Европы", "Устава Совета Европы"),
    ("Второй Дополнительный протокол к Европейской конвенции о выдаче",
     "Второго дополнительного протокола к Европейской конвенции о выдаче"),
    ("Европейская хартия местного самоуправления", "Европейской хартии местного самоуправления"),
    ("Европейское соглашение об отмене виз для беженцев", "Европейского соглашения об отмене виз для беженцев"),
])
def test_genitive_and_nominative_titles_have_the_same_stems(nominative, genitive):
    assert stems(normalise(nominative)) == stems(normalise(genitive))


@pytest.mark.parametrize("title, expected", [
    ("О денонсации Российской Федерацией Европейской конвенции по предупреждению пыток и бесчеловечного или "
     "унижающего достоинство обращения или наказания", ["ETS No. 126"]),
    ("О ратификации Устава Совета Европы", ["ETS No. 001"]),
    ("О ратификации Европейской хартии местного самоуправления", ["ETS No. 122"]),
    # The list's own title is in the genitive here ("Конвенции об уголовной ответственности …").
    ("О денонсации Российской Федерацией Конвенции об уголовной ответственности за коррупцию", ["ETS No. 173"]),
    ("О ратификации Конвенции Совета Европы о предупреждении терроризма", ["CETS No. 196"]),
])
def test_a_law_links_to_the_treaty_it_names(matcher, title, expected):
    assert linked(matcher, title) == expected


def test_a_close_wording_links_only_when_one_treaty_clearly_leads(matcher):
    # The list's title of ETS 155 says "Европейской конвенции о защите прав …"; a law may not.
    [link] = matcher.match("Протокола № 11 к Конвенции о защите прав человека и основных свобод о реорганизации "
                           "контрольного механизма, созданного в соответствии с Конвенцией")
    assert (link.entry.id, link.how) == ("ETS No. 155", "close") and 0.9 <= link.score < 1
    # The list says "… от эксплуатации и надругательств сексуального характера": too far apart.
    assert matcher.match("Конвенции Совета Европы о защите детей от сексуальной эксплуатации и сексуальных "
                         "злоупотреблений") == []


def test_latin_look_alike_letters_in_cyrillic_words_are_read_as_cyrillic(matcher):
    # The list writes "СEД" with a Latin E and ETS 057 as "Европейскaя" with a Latin a.
    assert normalise("Европейскaя Конвенция относительно учреждения компаний (СEД № 057)") == \
        "европейская конвенция относительно учреждения компаний"
    assert linked(matcher, "О ратификации Европейской конвенции относительно учреждения компаний") == ["ETS No. 057"]
    mixed = "О ратификации Eвропейской кoнвенции о выдаче"  # Latin E and o in a law's title
    assert linked(matcher, mixed) == ["ETS No. 024"]
    assert normalise("Convention on Cybercrime") == "convention on cybercrime"  # Latin words stay Latin


def test_protocols_named_with_the_treaty_link_to_each(matcher):
    assert linked(matcher, "О денонсации Европейской конвенции по предупреждению пыток и бесчеловечного или "
                           "унижающего достоинство обращения или наказания и протоколов № 1 и № 2 к ней") == \
        ["ETS No. 126", "ETS No. 151", "ETS No. 152"]
    assert linked(matcher, "О ратификации Европейской конвенции о выдаче, Дополнительного протокола и Второго "
                           "дополнительного протокола к ней") == ["ETS No. 024", "ETS No. 086", "ETS No. 098"]
    # "and the protocols to it" without numbers: only the convention is certain.
    assert linked(matcher, "О ратификации Конвенции о защите прав человека и основных свобод и Протоколов к ней") \
        == ["ETS No. 005"]
    # A protocol named alone, by number: that protocol, not its convention.
    assert linked(matcher, "О ратификации Протокола № 12 к Конвенции о защите прав человека и основных свобод") \
        == ["ETS No. 177"]


@pytest.mark.parametrize("title", [
    "О ратификации Договора между Российской Федерацией и Венгрией о социальном обеспечении",
    "О ратификации Международного соглашения по какао 2010 года",
    "О денонсации Российской Федерацией Договора об обычных вооруженных силах в Европе",
    "О прекращении действия в отношении Российской Федерации международных договоров Совета Европы",
    # The UN convention against torture shares most words with ETS 126.
    "О ратификации Конвенции против пыток и других жестоких, бесчеловечных или унижающих достоинство видов "
    "обращения и наказания",
    # A protocol number the treaty does not have.
    "О ратификации Протокола № 9 к Европейской конвенции по предупреждению пыток и бесчеловечного или "
    "унижающего достоинство обращения или наказания",
])
def test_bilateral_and_other_treaties_link_to_nothing(matcher, title):
    assert linked(matcher, title) == []


def test_two_treaties_with_one_russian_title_link_to_neither():
    one = CatalogueEntry("ETS No. 081", "coe", "081", "Additional Protocol (ETS No. 081)",
                         title_ru="Дополнительный протокол к протоколу к Европейскому соглашению о защите "
                                  "телевизионных передач (СEД № 081)")
    two = CatalogueEntry("ETS No. 113", "coe", "113", "Additional Protocol (ETS No. 113)",
                         title_ru="Дополнительный протокол к Протоколу к Европейскому соглашению о защите "
                                  "телевизионных передач (СEД № 113)")
    matcher = RussianMatcher([one, two])
    assert matcher.match("Дополнительного протокола к Протоколу к Европейскому соглашению о защите "
                         "телевизионных передач") == []
    assert RussianMatcher([one]).match("Дополнительного протокола к Протоколу к Европейскому соглашению о "
                                       "защите телевизионных передач")[0].entry.id == "ETS No. 081"


def test_states_are_canonical_and_stories_do_not_depend_on_time_or_source():
    assert state_id("Russian Federation") == state_id("Russia") == state_id("Российская Федерация") == "RUS"
    assert state_id("Bolivia (Plurinational State of)") == "BOL"
    assert state_id("United Kingdom of Great Britain and Northern Ireland") == "GBR"
    assert state_id("European Union") is None and state_id("BUL") is None
    treaty = Treaty("ETS No. 126", "…", None)
    law = Event("a", "denunciation", "pravo-ru", "1", subject="Russian Federation", treaty=treaty,
                detected_at="2025-09-30T00:00:00Z")
    chart = Event("b", "denunciation", "coe", "126:RUS", subject="Russia", treaty=treaty,
                  detected_at="2026-01-01T00:00:00Z")
    assert story_id(law) == story_id(chart) is not None
    ratified = Event("c", "ratification", "coe", "126:RUS", subject="Russian Federation", treaty=treaty)
    assert story_id(ratified) != story_id(law)
    unlinked = Event("d", "denunciation", "pravo-ru", "2", subject="Russian Federation", treaty=Treaty(None, "…"))
    assert story_id(unlinked) is None
