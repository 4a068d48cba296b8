"""The keyword classifier on a table of EN/RU/FR headlines: an action AND a treaty, or nothing."""

from __future__ import annotations

import pytest

from benchmarks.classifier import score
from helpers.headlines import HEADLINES
from monitor.sources.classify import classify

REPORTED = HEADLINES[:7]


@pytest.mark.parametrize("text, expected", REPORTED)
def test_reported_cases(text, expected):
    assert classify(text)[0] == expected


def test_withdrawing_a_reservation_is_a_reservation_not_a_denunciation():
    assert classify("The United States withdrew its reservation to the Convention") == \
        ("reservation", "reservation_withdrawal")
    assert classify("Retrait de la réserve de la France à la Convention") == ("reservation", "reservation_withdrawal")
    assert classify("Reservation by Qatar to the Covenant") == ("reservation", "reservation")


def test_an_action_word_without_a_treaty_is_nothing():
    assert classify("Ratification by France") == (None, None)
    assert classify("Ratification by France", treaty_known=True) == ("ratification", "ratification")


def test_precision_and_recall_on_the_headline_table(capsys):
    assert len(HEADLINES) >= 60
    languages = {"ru": any("а" <= c <= "я" for text, _ in HEADLINES for c in text.lower()),
                 "fr": any("é" in text for text, _ in HEADLINES)}
    assert all(languages.values())
    tp, fp, fn, misses = score(HEADLINES)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    with capsys.disabled():
        print(f"\nclassifier: precision {precision:.3f}, recall {recall:.3f} on {len(HEADLINES)} headlines")
    # A false alarm is worse than a late one: precision must stay the higher bar.
    assert precision >= 0.93, misses
    assert recall >= 0.9, misses

