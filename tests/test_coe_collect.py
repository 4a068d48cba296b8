"""The `coe` kind against a mocked Treaty Office web service: the checks a user runs, the key,
the cached treaty list, the `treaties`/`states`/`declarations` options and the failures that
must stay failures (never "every state withdrew")."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import respx

from monitor.config import parse_config
from monitor.errors import SourceError, StructureChanged
from monitor.net.context import SourceContext
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import check_source
from monitor.sources.coe import PUBLIC_TOKEN, CoeSource
from monitor.sources.coe.api import Api
from monitor.store.state import open_state

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "coe"
BASE = "https://ws.coe.test/WS_LFRConventions/"
PAGE = "https://www.coe.test/en/web/conventions/full-list"
LIST = BASE + "api/traites/search"
CHARTS = BASE + "api/signatures"
DECLARATIONS = BASE + "api/conventions/getDeclarations"
TORTURE = ("European Convention for the Prevention of Torture and Inhuman or Degrading Treatment or "
           "Punishment (ETS No. 126)")
NEW_KEY = "n3wk3yfr0mth3p4g3"


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


REAL_LIST = load("treaties_search_all_2026-05.json")


def listed(*numbers: str) -> list[dict]:
    """Items of the real treaty list, unaltered."""
    return [item for item in REAL_LIST if item["Numero_traite"] in numbers]


class Service:
    """The Treaty Office web service as respx routes: the key it accepts, the treaty list,
    one chart and one declarations list per treaty, and the page that publishes the key."""

    def __init__(self, router: respx.Router, *, key: str = PUBLIC_TOKEN):
        self.key = key
        self.page_key: str | None = key
        self.treaties = listed("126", "148", "210")
        self.charts: dict[str, object] = {"126": load("signatures_126_before.json"),
                                          "148": load("signatures_148.json"),
                                          "210": load("signatures_210_before.json")}
        self.declarations: dict[str, object] = {}
        self.status: dict[str, int] = {}
        self.refusal = 401
        self.asked: list[tuple[str, str, dict, str | None]] = []
        router.post(LIST).mock(side_effect=self.answer)
        router.get(CHARTS).mock(side_effect=self.answer)
        router.get(DECLARATIONS).mock(side_effect=self.answer)
        router.get(PAGE).mock(side_effect=self.page)

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/WS_LFRConventions/")
        params = dict(request.url.params)
        self.asked.append((request.method, path, params, request.headers.get("token")))
        if request.headers.get("token") != self.key or request.headers.get("Accept") != "application/json":
            return httpx.Response(self.refusal, text="Unauthorized")
        if path == "api/traites/search":
            assert json.loads(request.content) == {"CodePays": None, "NumsSte": [], "AnneeOuverture": None,
                                                   "AnneeVigueur": None, "CodeLieuSTE": None, "CodeMatieres": [],
                                                   "TitleKeywords": [], "langue": "ENG"}
            return self._json(path, self.treaties)
        if path == "api/signatures":
            assert params["langue"] == "ENG"
            return self._json(path + params["numSTE"], self.charts[params["numSTE"]])
        assert (params["codeNature"], params["langue"]) == ("0", "ENG")
        return self._json(path + params["numSte"], self.declarations.get(params["numSte"], []))

    def _json(self, what: str, data: object) -> httpx.Response:
        status = self.status.get(what, 200)
        if status != 200:
            return httpx.Response(status, text="Server Error")
        return httpx.Response(200, json=data)

    def page(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(("GET", "page", {}, None))
        script = f"window.conventions_api_key = '{self.page_key}';" if self.page_key else ""
        return httpx.Response(200, text=f"<html><script>{script}</script></html>",
                              headers={"Content-Type": "text/html"})

    def fetched(self, path: str) -> list[dict]:
        return [params for _, asked, params, _ in self.asked if asked == path]


def coe_config(tmp_path: Path, **options):
    raw = {"state": {"path": str(tmp_path / "state.db")},
           "sources": [{"name": "coe", "kind": "coe", "base_url": BASE, "page_url": PAGE, "retries": 0,
                        "host_delay": "0s", "sweep_period": "5m", **options}]}
    return parse_config(raw, tmp_path / "monitor.toml").sources[0]


class Monitor:
    """A `coe` source and its state database: `check()` runs one check as the daemon does."""

    def __init__(self, tmp_path: Path, **options):
        self.config = coe_config(tmp_path, **options)
        self.state = open_state(tmp_path / "state.db")

    def check(self):
        async def run():
            async with Fetcher([self.config]) as fetcher:
                return await check_source(CoeSource(self.config), self.state, fetcher)
        return asyncio.run(run())

    def records(self) -> dict:
        return {s.record.key: s.record for s in self.state.records("coe")}


@pytest.fixture
def service():
    with respx.mock(assert_all_called=False) as router:
        yield Service(router)


def alerts(report) -> list[tuple]:
    return [(e.type, e.subject, e.key, e.date) for e in report.events]


# --- checks ------------------------------------------------------------------------------------

def test_first_check_is_a_silent_baseline_and_a_later_denunciation_alerts_once(service, tmp_path):
    monitor = Monitor(tmp_path, treaties=[126])
    first = monitor.check()
    assert (first.outcome, first.events, first.error) == ("baseline", [], None)
    assert "126:RUS" in monitor.records() and monitor.records()["126:FRA"].fields["consent"] == "1989-01-09"
    assert service.fetched("api/signatures") == [{"numSTE": "126", "langue": "ENG"}]
    assert service.fetched("api/conventions/getDeclarations") == []

    service.charts["126"] = load("signatures_126_after.json")
    second = monitor.check()
    assert second.ok and alerts(second) == [("denunciation", "Russian Federation", "126:RUS", "2025-10-22")]
    event = second.events[0]
    # The title comes from the treaty list (not "Treaty 126").
    assert event.title == f"Denunciation: Russian Federation — {TORTURE}"
    assert (event.treaty.id, event.treaty.title) == ("ETS No. 126", TORTURE)
    assert event.url == "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=126"
    # The same chart again: no second alert.
    assert monitor.check().events == []


def test_all_treaties_are_watched_and_the_list_is_fetched_once_a_day(service, tmp_path):
    monitor = Monitor(tmp_path)
    assert monitor.check().outcome == "baseline"
    assert sorted(p["numSTE"] for p in service.fetched("api/signatures")) == ["126", "148", "210"]
    service.charts["210"] = load("signatures_210_after.json")
    report = monitor.check()
    assert report.ok
    assert {(e.type, e.key) for e in report.events} >= {("ratification", "210:CZE"), ("signature", "210:KAZ")}
    assert {e.treaty.id for e in report.events} == {"CETS No. 210"}
    assert len(service.fetched("api/traites/search")) == 1


def test_a_treaty_newly_configured_is_history(service, tmp_path):
    Monitor(tmp_path, treaties=[126]).check()
    service.charts["210"] = load("signatures_210_after.json")
    monitor = Monitor(tmp_path, treaties=[126, 210])
    report = monitor.check()
    # Its chart was in no earlier check of this source and the treaty is not new to the list.
    assert report.ok and report.events == []
    assert "210:CZE" in monitor.records()
    assert len(service.fetched("api/traites/search")) == 1
    memo = json.loads(monitor.state.source_row("coe")["memo"])
    assert memo["charted"] == ["126", "210"]
    # Later changes of its chart alert.
    service.charts["210"] = load("signatures_210_before.json")
    assert ("record_changed", "210:CZE") in {(e.type, e.key) for e in monitor.check().events}


def _check_after_publishing(service, monitor: Monitor, number: str):
    """A first check while the Treaty Office's list lacks treaty `number`, then a check two
    days later (the cached list is stale) once the list has it."""
    service.treaties = [item for item in listed("126", "148", "210") if item["Numero_traite"] != number]
    monitor.check()
    service.treaties = listed("126", "148", "210")
    _age_treaty_list(monitor, days=2)
    return monitor.check()


def test_a_treaty_published_since_the_last_list_raises_its_chart_as_news(service, tmp_path):
    monitor = Monitor(tmp_path)
    service.charts["210"] = load("signatures_210_after.json")
    report = _check_after_publishing(service, monitor, "210")
    assert report.ok
    assert ("ratification", "Czech Republic", "210:CZE", "2026-03-02") in alerts(report)
    # The old treaties gave nothing new.
    assert {e.key.split(":")[0] for e in report.events} == {"210"}


def test_a_treaty_published_since_the_last_list_raises_its_declarations_as_news_too(service, tmp_path):
    monitor = Monitor(tmp_path, declarations=True)
    service.declarations["126"] = load("declarations_126.json")
    report = _check_after_publishing(service, monitor, "126")
    assert report.ok
    # The new treaty's declarations list is news like its chart, not a silent baseline.
    from_declarations = [(e.type, e.subject, e.key) for e in report.events
                         if e.type in ("denunciation", "reservation")]
    assert from_declarations == [("denunciation", "Russian Federation", "126:RUS"),
                                 ("reservation", "Ukraine", "126:declaration:UKR:Declaration:17:2015-06-11")]
    assert {e.key.split(":")[0] for e in report.events} == {"126"}


def test_a_memo_from_before_the_states_filter_was_kept_still_alerts(service, tmp_path):
    monitor = Monitor(tmp_path, treaties=[210])
    monitor.check()
    _edit_memo(monitor, lambda memo: memo.pop("states_filter"))
    # Kazakhstan's row is new on the chart, with its signature: news, not a baseline.
    service.charts["210"] = load("signatures_210_after.json")
    assert ("signature", "Kazakhstan", "210:KAZ", "2026-02-10") in alerts(monitor.check())


def _edit_memo(monitor: Monitor, edit) -> None:
    row = monitor.state.source_row("coe")
    memo = json.loads(row["memo"])
    edit(memo)
    monitor.state.conn.execute("UPDATE sources SET memo = ? WHERE name = ?", (json.dumps(memo), "coe"))
    monitor.state.conn.commit()


def _age_treaty_list(monitor: Monitor, days: float) -> None:
    """Make the stored treaty list `days` old, as it would be after waiting."""
    stamp = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat()
    _edit_memo(monitor, lambda memo: memo.update(treaties_fetched_at=stamp))


def test_unknown_configured_treaty_fails_the_check_naming_it(service, tmp_path):
    report = Monitor(tmp_path, treaties=[126, 999]).check()
    assert report.outcome == "failed"
    assert report.error == (f"treaties 999 are not in the Treaty Office's list ({BASE}api/traites/search); "
                            "check `treaties`")
    assert service.fetched("api/signatures") == []


def test_one_failing_chart_does_not_hold_back_the_others(service, tmp_path):
    monitor = Monitor(tmp_path, treaties=[126, 210])
    monitor.check()
    service.status["api/signatures126"] = 500
    service.charts["210"] = load("signatures_210_after.json")
    report = monitor.check()
    assert report.outcome == "partial" and report.error.startswith("126: ") and "500" in report.error
    assert ("ratification", "Czech Republic", "210:CZE", "2026-03-02") in alerts(report)
    # Treaty 126's rows are kept, not reported as gone.
    assert all(e.type != "record_removed" for e in report.events)
    assert "126:RUS" in monitor.records()


def test_a_chart_of_another_shape_is_a_structure_change_not_withdrawals(service, tmp_path):
    monitor = Monitor(tmp_path, treaties=[126])
    monitor.check()
    service.charts["126"] = {"Message": "An error has occurred."}
    report = monitor.check()
    assert report.outcome == "failed" and "two or more lists" in report.error
    assert [e.type for e in report.events] == ["structure_changed"]
    assert "126:FRA" in monitor.records() and len(monitor.records()) == 4


def test_an_empty_chart_is_allowed(service, tmp_path):
    service.charts["148"] = [[], [], []]
    report = Monitor(tmp_path, treaties=[148]).check()
    assert report.ok and report.records == 0


def test_states_filter_keeps_only_those_rows_by_name_or_code(service, tmp_path):
    monitor = Monitor(tmp_path, treaties=[126], states=["  russian federation ", "fra"])
    monitor.check()
    assert sorted(monitor.records()) == ["126:FRA", "126:RUS"]
    service.charts["126"] = load("signatures_126_after.json")
    assert alerts(monitor.check()) == [("denunciation", "Russian Federation", "126:RUS", "2025-10-22")]


def test_widening_the_states_filter_is_a_silent_baseline(service, tmp_path):
    Monitor(tmp_path, treaties=[126], states=["FRA"]).check()
    wider = Monitor(tmp_path, treaties=[126], states=["FRA", "RUS"])
    service.charts["126"] = load("signatures_126_after.json")
    report = wider.check()
    # Russia's row (with its denunciation) enters the watched rows: history, not news.
    assert report.ok and report.events == []
    assert sorted(wider.records()) == ["126:FRA", "126:RUS"]
    # Afterwards, changes alert again.
    service.charts["126"] = load("signatures_126_effective.json")
    assert [e.type for e in wider.check().events] == ["record_changed"]


def test_narrowing_the_states_filter_drops_the_other_rows_without_alerts(service, tmp_path):
    Monitor(tmp_path, treaties=[126]).check()
    narrow = Monitor(tmp_path, treaties=[126], states=["FRA"])
    first = narrow.check()
    assert first.ok and first.events == []
    assert sorted(narrow.records()) == ["126:FRA"]
    # The states left out did not leave the chart: no "no longer on the chart" later either.
    assert [narrow.check().events for _ in range(2)] == [[], []]
    service.charts["126"] = load("signatures_126_after.json")
    assert narrow.check().events == []


def test_widening_the_states_filter_alone_brings_in_the_rows_silently(service, tmp_path):
    Monitor(tmp_path, treaties=[126], states=["FRA"]).check()
    wider = Monitor(tmp_path, treaties=[126])
    report = wider.check()
    assert (report.ok, report.events) == (True, [])
    assert sorted(wider.records()) == ["126:ALB", "126:FRA", "126:RUS", "126:UKR"]


def test_a_configured_treaty_the_cached_list_does_not_know_fetches_the_list_again(service, tmp_path):
    service.treaties = listed("126", "148")
    Monitor(tmp_path).check()
    service.treaties = listed("126", "148", "210")
    report = Monitor(tmp_path, treaties=[126, 210]).check()
    assert report.ok and report.error is None
    assert len(service.fetched("api/traites/search")) == 2


def test_declarations_are_watched_and_a_new_one_alerts(service, tmp_path):
    monitor = Monitor(tmp_path, treaties=[126], declarations=True)
    service.declarations["126"] = load("declarations_126.json")[1:]
    assert monitor.check().events == []
    assert service.fetched("api/conventions/getDeclarations") == [{"numSte": "126", "codeNature": "0",
                                                                   "langue": "ENG"}]
    assert "126:declaration:UKR:Declaration:17:2015-06-11" in monitor.records()
    service.declarations["126"] = load("declarations_126.json")
    report = monitor.check()
    assert [(e.type, e.subject, e.key, e.effective_date) for e in report.events] == [
        ("denunciation", "Russian Federation", "126:RUS", "2026-04-22")]
    assert report.events[0].details["declaration"] == "126:declaration:RUS:Denunciation:23:2026-04-22"


def test_declarations_filtered_by_state_use_the_chart_codes(service, tmp_path):
    service.declarations["126"] = [
        {"code_Pays": {"Value": "Ukraine"}, "code_Organisation": {"Libelle": "Null"}, "nature_Dec": "Declaration",
         "numero_Article": "17", "date_Effet": "2015-06-11T00:00:00", "date_Effet_Retrait": None,
         "texte_Decl": "<p>Ukraine declares</p>"}]
    service.declarations["126"].append(load("declarations_126.json")[0])  # Russia's, filtered out
    monitor = Monitor(tmp_path, treaties=[126], declarations=True, states=["UKR"])
    assert monitor.check().ok
    assert sorted(monitor.records()) == ["126:UKR", "126:declaration:UKR:Declaration:17:2015-06-11"]
    # The next check, with an unchanged chart, still knows the codes: nothing moves, nothing alerts.
    again = monitor.check()
    assert (again.outcome, again.events) == ("unchanged", [])
    assert sorted(monitor.records()) == ["126:UKR", "126:declaration:UKR:Declaration:17:2015-06-11"]


def test_widening_the_states_filter_brings_in_unchanged_declarations_silently(service, tmp_path):
    service.declarations["126"] = load("declarations_126.json")
    Monitor(tmp_path, treaties=[126], declarations=True, states=["UKR"]).check()
    wider = Monitor(tmp_path, treaties=[126], declarations=True, states=["UKR", "Russian Federation"])
    report = wider.check()
    assert report.ok and report.events == []
    assert "126:declaration:RUS:Denunciation:23:2026-04-22" in wider.records()


def test_a_failing_declarations_list_fails_its_treaty_only(service, tmp_path):
    monitor = Monitor(tmp_path, treaties=[126, 148], declarations=True)
    monitor.check()
    service.status["api/conventions/getDeclarations126"] = 503
    report = monitor.check()
    assert report.outcome == "partial" and "503" in report.error


# --- the key ---------------------------------------------------------------------------------

@pytest.mark.parametrize("refusal", [401, 403])
def test_a_refused_key_is_read_again_from_the_page_and_kept(tmp_path, refusal, caplog):
    caplog.set_level("INFO", logger="monitor.sources.coe")
    with respx.mock(assert_all_called=False) as router:
        service = Service(router, key=NEW_KEY)
        service.refusal = refusal
        service.page_key = NEW_KEY
        monitor = Monitor(tmp_path, treaties=[126])
        report = monitor.check()
        assert report.ok, report.error
        tokens = [token for _, path, _, token in service.asked if path != "page"]
        assert tokens == [PUBLIC_TOKEN, NEW_KEY, NEW_KEY]
        assert f"coe: the Treaty Office key was refused; using the key now published on {PAGE}" in caplog.messages
        # The next check starts with the key read from the page.
        service.asked.clear()
        monitor.check()
        assert [token for _, _, _, token in service.asked] == [NEW_KEY]


def test_a_key_read_for_another_configured_key_is_not_used(tmp_path):
    with respx.mock(assert_all_called=False) as router:
        service = Service(router, key=NEW_KEY)
        service.page_key = NEW_KEY
        Monitor(tmp_path, treaties=[126]).check()
        service.asked.clear()
        # The user configures a key of their own: it is tried first.
        report = Monitor(tmp_path, treaties=[126], token="myownkey").check()
        assert report.ok
        assert [token for _, path, _, token in service.asked if path != "page"][0] == "myownkey"


@pytest.mark.parametrize("page_key, message", [
    (None, f"{LIST} refused the key (HTTP 401) and {PAGE} names no window.conventions_api_key "
           "(bot challenge or new page?)"),
    (PUBLIC_TOKEN, f"{LIST} refused the key (HTTP 401), and {PAGE} still publishes the same key"),
    ("another", f"{LIST} refused the key (HTTP 401), also after reading it again from {PAGE}; set `token` to the "
                "current window.conventions_api_key of the Treaty Office page"),
])
def test_a_key_refused_for_good_fails_the_check_saying_what_to_do(tmp_path, page_key, message):
    with respx.mock(assert_all_called=False) as router:
        service = Service(router, key=NEW_KEY)
        service.page_key = page_key
        report = Monitor(tmp_path, treaties=[126]).check()
        assert (report.outcome, report.error) == ("failed", message)
        assert len(service.fetched("page")) == 1


def test_an_unreadable_key_page_is_named_in_the_failure(tmp_path):
    with respx.mock(assert_all_called=False) as router:
        Service(router, key=NEW_KEY)
        router.get(PAGE).mock(return_value=httpx.Response(404))
        report = Monitor(tmp_path, treaties=[126]).check()
        assert report.outcome == "failed"
        assert report.error.startswith(f"{LIST} refused the key (HTTP 401) and the page {PAGE} could not be "
                                       "read for a new one: ")


def test_the_key_is_read_again_at_most_once_per_check(tmp_path):
    with respx.mock(assert_all_called=False) as router:
        service = Service(router, key=NEW_KEY)
        service.page_key = NEW_KEY
        monitor = Monitor(tmp_path, treaties=[126, 148])
        monitor.check()
        # The key changes again in the middle of the next check: the first request works,
        # the second is refused, and the page is not read a second time.
        service.key = "third"
        service.page_key = "third"
        report = monitor.check()
        assert report.ok, report.error
        assert len(service.fetched("page")) == 2


def test_an_answer_other_than_401_or_403_is_returned_as_is(tmp_path):
    with respx.mock(assert_all_called=False) as router:
        Service(router)
        router.get(CHARTS).mock(return_value=httpx.Response(500, text="oops"))
        report = Monitor(tmp_path, treaties=[126]).check()
        assert report.outcome == "failed" and "500" in report.error


# --- the treaty list, directly ---------------------------------------------------------------

def api_context(tmp_path: Path, memo: dict, **options):
    config = coe_config(tmp_path, **options)
    fetcher = Fetcher([config])
    api = Api("coe", config.options, memo, set())
    return api, SourceContext(fetcher, config, {}, memo, lambda key: None)


def run_list(api: Api, ctx: SourceContext, wanted=None):
    async def run():
        try:
            return await api.treaty_list(ctx, wanted)
        finally:
            await ctx.fetcher.aclose()
    return asyncio.run(run())


def aged(hours: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(hours=hours)).isoformat()


def cached_memo(hours: float, *numbers: str) -> dict:
    from monitor.sources.coe import parse_treaty_list

    treaties = parse_treaty_list(listed(*numbers), "list")
    return {"treaties": {n: t.memo() for n, t in treaties.items()}, "treaties_fetched_at": aged(hours)}


@pytest.mark.parametrize("hours, fetched", [(23.9, False), (24.1, True), (-1, True)])
def test_the_cached_list_is_used_for_a_day(service, tmp_path, hours, fetched):
    memo = cached_memo(hours, "126", "148", "210")
    api, ctx = api_context(tmp_path, memo)
    treaties = run_list(api, ctx)
    assert sorted(treaties) == ["126", "148", "210"]
    assert treaties["126"].full_title == TORTURE
    assert len(service.fetched("api/traites/search")) == int(fetched)


def test_a_fresh_list_is_stored_and_new_treaties_noted(service, tmp_path):
    memo = cached_memo(30, "126", "148")
    api, ctx = api_context(tmp_path, memo)
    treaties = run_list(api, ctx)
    assert sorted(treaties) == ["126", "148", "210"]
    assert api.new_treaties == {"210"}
    assert sorted(memo["treaties"]) == ["126", "148", "210"]
    assert memo["treaties"]["210"]["mention"] == "CETS"
    assert datetime.now(timezone.utc) - datetime.fromisoformat(memo["treaties_fetched_at"]) < timedelta(hours=1)


def test_a_first_list_marks_no_treaty_as_new(service, tmp_path):
    api, ctx = api_context(tmp_path, {})
    assert sorted(run_list(api, ctx)) == ["126", "148", "210"]
    assert api.new_treaties == set()


def test_a_wanted_treaty_missing_from_the_cache_fetches_the_list(service, tmp_path):
    memo = cached_memo(1, "126")
    api, ctx = api_context(tmp_path, memo)
    assert sorted(run_list(api, ctx, ["126", "210"])) == ["126", "148", "210"]
    assert len(service.fetched("api/traites/search")) == 1
    assert run_list(*api_context(tmp_path, cached_memo(1, "126")), ["126"]).keys() == {"126"}


def test_a_failed_list_keeps_the_cached_one_but_not_when_a_wanted_treaty_is_missing(service, tmp_path, caplog):
    service.status["api/traites/search"] = 500
    memo = cached_memo(30, "126", "148")
    stamp = memo["treaties_fetched_at"]
    api, ctx = api_context(tmp_path, memo)
    assert sorted(run_list(api, ctx, ["126"])) == ["126", "148"]
    assert "coe: keeping the cached treaty list: " in caplog.text and "500" in caplog.text
    assert memo["treaties_fetched_at"] == stamp  # tried again at the next check
    api, ctx = api_context(tmp_path, cached_memo(30, "126"))
    with pytest.raises(SourceError, match="500"):
        run_list(api, ctx, ["126", "210"])
    api, ctx = api_context(tmp_path, {})
    with pytest.raises(SourceError, match="500"):
        run_list(api, ctx)


def test_a_list_shrunk_to_under_half_is_a_structure_change(service, tmp_path):
    memo = cached_memo(30, "126", "148", "210")
    service.treaties = listed("126")
    api, ctx = api_context(tmp_path, memo)
    with pytest.raises(StructureChanged, match="the treaty list has 1 treaties where the last one had 3"):
        run_list(api, ctx)
    assert sorted(memo["treaties"]) == ["126", "148", "210"]
    # Exactly half is still accepted.
    memo = cached_memo(30, "126", "148")
    api, ctx = api_context(tmp_path, memo)
    assert sorted(run_list(api, ctx)) == ["126"]


def test_a_list_that_is_not_json_fails_with_the_url(tmp_path):
    with respx.mock(assert_all_called=False) as router:
        router.post(LIST).mock(return_value=httpx.Response(200, text="<html>maintenance</html>"))
        # A body that is not JSON has the page read again for the address and key: the same ones.
        router.get(PAGE).mock(return_value=httpx.Response(200, text=f"window.conventions_api_key='{PUBLIC_TOKEN}';"))
        api, ctx = api_context(tmp_path, {})
        with pytest.raises(SourceError, match="did not answer JSON"):
            run_list(api, ctx)


def test_describe_names_the_service_and_the_treaties(tmp_path):
    assert CoeSource(coe_config(tmp_path)).describe() == f"{BASE} (all treaties)"
    assert CoeSource(coe_config(tmp_path, treaties=[126, 5])).describe() == f"{BASE} (treaties 126, 005)"
    assert coe_config(tmp_path, base_url="https://ws.coe.test/x").options.base_url == "https://ws.coe.test/x/"


# --- TLS security level ---------------------------------------------------------------------------

class RefusingAtLevel1:
    """A fetcher whose service host completes the TLS handshake only at security level 0."""

    def __init__(self):
        self.seen: list[tuple[str, int, dict]] = []

    async def request(self, source, method, url, **kwargs):
        from monitor.errors import FetchError
        from monitor.net.fetch import RawResponse

        self.seen.append((url, source.tls_seclevel, kwargs.get("params")))
        if source.tls_seclevel != 0:
            raise FetchError(f"cannot connect to {url}: [SSL: DH_KEY_TOO_SMALL] dh key too small (_ssl.c:1006)")
        body = json.dumps(listed("126") if url == LIST else load("signatures_126_before.json"))
        return RawResponse(url, 200, httpx.Headers({"Content-Type": "application/json"}), body.encode())


def test_a_refused_handshake_is_retried_at_level_0_with_the_same_request(tmp_path, caplog):
    config = coe_config(tmp_path, treaties=[126])
    fetcher = RefusingAtLevel1()
    ctx = SourceContext(fetcher, config, {}, {}, lambda key: None)
    parts = asyncio.run(CoeSource(config).collect(ctx))
    assert [(p.name, len(p.records), p.error) for p in parts] == [("126", 4, None)]
    assert fetcher.seen == [(LIST, 1, None), (LIST, 0, None), (CHARTS, 0, {"numSTE": "126", "langue": "ENG"})]
    assert (f"coe: the TLS handshake with ws.coe.test failed at security level 1 (cannot connect to {LIST}: "
            "[SSL: DH_KEY_TOO_SMALL] dh key too small (_ssl.c:1006)); retrying at level 0 for this host") in caplog.text
