"""Which UN notes are withdrawals (a denunciation alert) and which are not, who withdrew, and when."""

from __future__ import annotations

import pytest

from monitor.sources.untc import is_withdrawal, match_participant, named_actor, withdrawal_actor, withdrawal_dates

NOTIFIED = "On 5 May 2017, the Government of Ruritania "


@pytest.mark.parametrize("wording", [
    "notified the Secretary-General that it withdrew from the Convention.",
    "notified the Secretary-General that it has withdrawn from the Convention.",
    "notified the Secretary-General that it withdraws from the Convention.",
    "notified the Secretary-General that it is withdrawing from the Convention.",
    "notified the Secretary-General that it withdraw   from the Convention.",
    "notified the Secretary-General of its withdrawal from the Convention.",
    "deposited a notification of withdrawal.",
    "notified its decision to withdraw.",
    "notified that it Denounces the Convention.",
    "notified the denunciation.",
    "a notifié sa dénonciation de la Convention.",
    "a notifié qu'il dénonçait la Convention.",
    "a notifié sa décision de se retirer de la Convention.",
    "a notifié le retrait du Pacte.", "a notifié le retrait de la Convention.",
    "a notifié le retrait de l'Accord.", "a notifié le retrait de l’Accord de Paris.",
    "a notifié le retrait des Protocoles.",
    "a notifié le retrait du Protocole.", "a notifié le retrait du Statut.", "a notifié le retrait du Traité.",
])
def test_every_withdrawal_wording_is_a_withdrawal(wording):
    assert is_withdrawal(NOTIFIED + wording)
    assert withdrawal_dates(NOTIFIED + wording)[0] == "2017-05-05"


@pytest.mark.parametrize("wording", [
    "revoked its notification of withdrawal from the Convention.",
    "decided to revoke its notification of withdrawal from the Convention.",
    "notified the revocation of its withdrawal from the Convention.",
    "rescinded its notification of withdrawal from the Convention.",
    "withdrew its notification of withdrawal from the Convention.",
    "withdraws the reservation it made upon withdrawal from the Convention.",
    "notified the withdrawal of the declaration made upon its withdrawal from the Convention.",
    "withdrew their objection to the withdrawal from the Convention by Utopia.",
    "withdrew that declaration; a withdrawal from the Convention was not notified.",
    "withdrew this objection to the denunciation.",
    "notified the withdrawal of its notification of withdrawal from the Convention.",
    "notified the withdrawal of reservations and of the denunciation.",
    "notified the withdrawal of declarations made upon denunciation.",
    "notified the withdrawal of objections to the denunciation.",
    "notified the withdrawal of notification of withdrawal.",
    "notified the denunciation of the notification of withdrawal.",
    "notified the withdrawal of the reservation made upon denunciation.",
    "a withdrawal from the Convention; it then withdrew the notification.",
])
def test_a_withdrawn_withdrawal_or_reservation_is_no_withdrawal(wording):
    assert not is_withdrawal(NOTIFIED + wording)


@pytest.mark.parametrize("text", [
    "The Government of Ruritania objects to the reservation made by Utopia.",
    "The Convention was withdrawn for signature.",
    "Withdrawals from the treaty are possible under article 12.",
    "It drew from the Convention.",
])
def test_other_notes_are_no_withdrawal(text):
    assert not is_withdrawal(text)
    assert withdrawal_dates(text) == (None, None)
    assert withdrawal_actor(text, ["Ruritania"]) is None


@pytest.mark.parametrize("effect, date", [
    ("which took effect on 5 May 2018", "2018-05-05"), ("which will take effect on 5 May 2018", "2018-05-05"),
    ("which takes effect on 5 May 2018", "2018-05-05"), ("taking effect on 5 May 2018", "2018-05-05"),
    ("having taken effect on 5 May 2018", "2018-05-05"), ("effective 5 May 2018", "2018-05-05"),
    ("with effect from 5 May 2018", "2018-05-05"), ("effective as from 5 May 2018", "2018-05-05"),
    ("effective as of 5 May 2018", "2018-05-05"), ("which TOOK EFFECT ON 5 May. 2018", "2018-05-05"),
    ("qui prend effet le 1er mai 2018", "2018-05-01"), ("qui prendra effet le 5 mai 2018", "2018-05-05"),
    ("qui a pris effet le 5 mai 2018", "2018-05-05"), ("prenant effet à compter du 5 mai 2018", "2018-05-05"),
    ("which takes effect on 5 Mayo 2018", None), ("in accordance with article 5", None),
])
def test_the_effective_date_in_every_wording(effect, date):
    assert withdrawal_dates(f"{NOTIFIED}notified its withdrawal from the Convention, {effect}.") == ("2017-05-05", date)


def test_the_notification_date_is_the_one_in_the_withdrawal_sentence():
    text = ("The Convention entered into force for Ruritania on 1 January 1990; it made a declaration. On 5 May "
            "2017, the Government of Ruritania notified its withdrawal from the Convention.")
    assert withdrawal_dates(text) == ("2017-05-05", None)
    # A withdrawal sentence without a date falls back to the note's first date.
    undated = "The Convention entered into force on 1 January 1990. Ruritania notified its withdrawal from it."
    assert withdrawal_dates(undated) == ("1990-01-01", None)


def test_the_effect_of_the_treaty_itself_is_not_the_effect_of_the_withdrawal():
    text = ("The Convention took effect on 1 January 1990 for Ruritania. On 5 May 2017, the Government of Ruritania "
            "notified its withdrawal from the Convention, which will take effect on 5 May 2018.")
    assert withdrawal_dates(text) == ("2017-05-05", "2018-05-05")


def test_an_effect_before_the_withdrawal_sentence_is_used_only_when_none_follows():
    text = ("With effect from 5 May 2018, the Convention ceases to apply to Ruritania. On 5 May 2017, the Government "
            "of Ruritania had notified its withdrawal from the Convention.")
    assert withdrawal_dates(text) == ("2017-05-05", "2018-05-05")


def test_the_actor_is_the_participant_named_in_the_withdrawal_sentence():
    names = ["Ruritania", "Utopia", "Guinea", "Guinea-Bissau", "Papua New Guinea"]
    text = ("On 1 May 2001, Utopia objected to the reservation of Ruritania. On 5 May 2017, the Government of "
            "Ruritania notified its withdrawal from the Convention. Utopia took note (see [1]).")
    assert withdrawal_actor(text, names) == "Ruritania"
    assert withdrawal_actor("Guinea-Bissau notified its withdrawal from the Convention.", names) == "Guinea-Bissau"
    assert withdrawal_actor("Papua New Guinea notified its withdrawal from the Convention.", names) == \
        "Papua New Guinea"
    assert withdrawal_actor("Someone notified its withdrawal from the Convention.", names) is None
    # A name in the next sentence is not the author.
    assert withdrawal_actor("On 5 May 2017, a notification of withdrawal from the Convention was received. Utopia "
                            "objected.", names) is None


def test_free_text_names_match_table_names_whole_and_case_blind():
    names = ["Niger", "Nigeria", "Oman", "Romania"]
    assert match_participant("THE GOVERNMENT OF NIGERIA", names) == "Nigeria"
    assert match_participant("the Government of Romania", names) == "Romania"
    assert match_participant("the Government of Nigerian", names) is None
    assert match_participant("Niger and Nigeria", names) == "Niger"
    assert match_participant(None, names) is None


@pytest.mark.parametrize("text, actor", [
    ("On 5 May 2017, the Government of the Republic of Ruritania notified the Secretary-General",
     "Republic of Ruritania"),
    ("the Government of Ruritania has notified", "Ruritania"),
    ("the Government of Ruritania informed the Secretary-General", "Ruritania"),
    ("the Government of Ruritania of its decision", "Ruritania"),
    ("the Secretary-General was informed by the Government of Ruritania of its decision", "Ruritania"),
    ("the Government of Ruritania a notification", "Ruritania"),
    ("received from the Government of Ruritania a notification of withdrawal", "Ruritania"),
    ("the Government of Ruritania deposited", "Ruritania"),
    ("the Government of Ruritania, having notified", None),
    ("le Gouvernement de la République du Burundi a notifié", "République du Burundi"),
    ("le Gouvernement du Burundi a notifié", "Burundi"), ("le Gouvernement des Philippines a notifié", "Philippines"),
    ("le Gouvernement de l'Ouganda a notifié", "Ouganda"), ("le Gouvernement de Cuba a notifié", "Cuba"),
    ("le Gouvernement d'Israël a notifié", "Israël"), ("Ruritania notified the Secretary-General", None),
])
def test_the_named_author_of_a_note(text, actor):
    assert named_actor(text) == actor
