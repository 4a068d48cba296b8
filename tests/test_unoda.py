"""The `unoda` kind against a mocked GraphQL endpoint (respx): the query sent, actions as party rows,
withdrawals as denunciations with their inferred effect, and the answers that must fail loudly."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from depositaries import FIXTURES, Monitor, alerts
from monitor.errors import SourceError, StructureChanged
from monitor.sources.parties import add_months
from monitor.sources.unoda import QUERY, build_records, parse_actions, treaties_option
from monitor.treaties.stories import state_id

URL = "https://gql.unoda.test/"
HERE = FIXTURES / "unoda"
NPT = "Treaty on the Non-Proliferation of Nuclear Weapons"
IRAN = "Iran (Islamic Republic of)"


def load(name: str):
    return json.loads((HERE / name).read_text(encoding="utf-8"))


class Endpoint:
    def __init__(self, router: respx.Router):
        self.answers = {"npt": load("npt_before.json")}
        self.asked: list[dict] = []
        router.post(URL).mock(side_effect=self.answer)

    def answer(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.asked.append(body)
        answer = self.answers[body["variables"]["input"]["short_name"]]
        if isinstance(answer, str):
            return httpx.Response(200, text=answer, headers={"Content-Type": "text/html"})
        return httpx.Response(200, json=answer)


@pytest.fixture
def endpoint():
    with respx.mock(assert_all_called=False) as router:
        yield Endpoint(router)


def unoda(tmp_path, **options) -> Monitor:
    return Monitor(tmp_path, "unoda", **{"url": URL, "treaties": ["npt"], **options})


# --- parsers -----------------------------------------------------------------------------------

def test_actions_become_one_row_per_state_with_its_first_signature_consent_and_last_withdrawal():
    actions = parse_actions(load("npt_before.json"), "npt")
    records = {r.fields["state"]: r.fields for r in build_records(actions, "npt", NPT, "https://u.test/t/npt", 3)}
    iran = records[IRAN]
    assert (iran["signature"], iran["consent"], iran["action"]) == ("1968-07-01", "1970-02-02", "ratification")
    assert iran["note"] == "depositaries: United Kingdom, United States"
    korea = records["Democratic People's Republic of Korea"]
    assert (korea["action"], korea["denunciation"], korea["denunciation_effective"]) == ("accession", "2003-01-10",
                                                                                        "2003-04-10")
    assert korea["note"] == "withdrawal notified to Russian Federation"
    assert records["Czechia"]["action"] == "succession"
    assert records["Viet Nam"]["consent"] is None
    assert {state_id(name) for name in records} == {"IRN", "PRK", "FRA", "CZE", "VNM"}


def test_a_notice_period_ends_on_the_same_day_or_the_months_last():
    assert add_months("2026-06-12", 3) == "2026-09-12"
    assert add_months("2025-11-30", 3) == "2026-02-28"
    assert add_months("2026-01-31", 12) == "2027-01-31"


@pytest.mark.parametrize("name, error, message", [
    ("graphql_errors.json", SourceError, "GraphQL errors: Cannot query field"),
    ("unknown_treaty.json", StructureChanged, "no data.treaty_"),
    ("unknown_action.json", StructureChanged, "unknown action_type_ 'Ratification of amendment'"),
    ("unknown_field.json", StructureChanged, "an action of unknown shape"),
])
def test_answers_of_another_shape_fail_loudly(name, error, message):
    with pytest.raises(error, match=message):
        parse_actions(load(name), "npt")


@pytest.mark.parametrize("data, message", [
    ({"data": {"treaty_": {"data": {"actions_": []}}}}, "no party rows"),
    ({}, "no data.treaty_"),
    ([], "not a GraphQL result"),
])
def test_empty_or_missing_data_fails_loudly(data, message):
    with pytest.raises(StructureChanged, match=message):
        parse_actions(data, "npt")


def test_short_names_are_checked():
    assert treaties_option(["npt", "1925", "npt"]) == ["npt", "1925"]
    with pytest.raises(ValueError, match="not a short name"):
        treaties_option(["NPT treaty"])


# --- checks ------------------------------------------------------------------------------------

def test_baseline_then_a_withdrawal_is_one_denunciation_with_its_inferred_effect(endpoint, tmp_path):
    monitor = unoda(tmp_path)
    first = monitor.check()
    assert (first.outcome, first.events, first.error) == ("baseline", [], None)
    sent = endpoint.asked[0]
    assert sent == {"query": QUERY, "variables": {"input": {"id": None, "short_name": "npt", "type": "GET_TREATY"}}}
    endpoint.answers["npt"] = load("npt_withdrawal.json")
    second = monitor.check()
    assert alerts(second) == [("denunciation", IRAN, "2026-06-12", "2026-09-12")]
    event = second.events[0]
    assert (event.treaty.id, event.treaty.title, event.url) == ("UNODA npt", NPT, "https://treaties.unoda.org/t/npt")
    assert event.details["effective_date_basis"] == ("inferred: 3 months after the withdrawal, as Article X of the "
                                                     "treaty provides")
    assert event.summary == (f"{IRAN} denounced {NPT} on 2026-06-12; the denunciation takes effect on 2026-09-12. "
                             "(withdrawal notified to United States)")
    assert monitor.check().events == []


def test_an_error_answer_fails_that_treaty_only_and_keeps_its_rows(endpoint, tmp_path):
    endpoint.answers["ctbt"] = load("npt_before.json")
    monitor = unoda(tmp_path, treaties=["npt", "ctbt"])
    assert monitor.check().outcome == "baseline"
    endpoint.answers["npt"] = load("graphql_errors.json")
    endpoint.answers["ctbt"] = load("npt_withdrawal.json")
    report = monitor.check()
    assert report.outcome == "partial" and "GraphQL errors" in report.error
    assert alerts(report) == [("denunciation", IRAN, "2026-06-12", "2026-12-12")]  # the CTBT's six months
    assert "npt:party:France" in monitor.records()


def test_a_maintenance_page_fails_the_check(endpoint, tmp_path):
    monitor = unoda(tmp_path)
    assert monitor.check().outcome == "baseline"
    endpoint.answers["npt"] = "<html><h1>Down for maintenance</h1></html>"
    report = monitor.check()
    assert report.outcome == "failed" and "did not answer JSON" in report.error
    assert len(monitor.records()) == 5


def test_a_truncated_answer_fails_the_treaty(endpoint, tmp_path):
    monitor = unoda(tmp_path)
    assert monitor.check().outcome == "baseline"
    endpoint.answers["npt"] = (HERE / "npt_withdrawal.json").read_text(encoding="utf-8")[:300]
    report = monitor.check()
    assert report.outcome == "failed" and "did not answer JSON" in report.error
    assert len(monitor.records()) == 5
