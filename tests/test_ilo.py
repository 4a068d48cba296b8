"""The `ilo` kind against a mocked NORMLEX (respx): the session cookie first, each page with the referer,
rows read by header name, denunciations (automatic ones naming the revising convention), and the
answers that must fail loudly with their reason."""

from __future__ import annotations

import httpx
import pytest
import respx

from depositaries import FIXTURES, Monitor, alerts
from monitor.errors import StructureChanged
from monitor.sources.ilo import instrument_id, parse_ratifications
from monitor.treaties.stories import state_id

BASE = "https://normlex.test"
START = BASE + "/dyn/normlex/en/f?p=NORMLEXPUB:1:0::NO:::"
C158 = BASE + "/dyn/nrmlx_en/f?p=NORMLEXPUB:11300:0::NO::P11300_INSTRUMENT_ID:312303"
HERE = FIXTURES / "ilo"
TITLE = "C158 - Termination of Employment Convention, 1982 (No. 158)"
VENEZUELA = "Venezuela (Bolivarian Republic of)"


def text(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def rows(name: str, code: str = "C158") -> dict:
    parsed = parse_ratifications(text(name), code, "https://u.test", code)
    return {r.fields["state"]: r.fields for r in parsed.records}


class Normlex:
    """The start page setting a session cookie, and ratification pages that loop without it."""

    def __init__(self, router: respx.Router):
        self.pages = {"312303": text("c158_before.html")}
        self.router = router
        router.get(url__startswith=BASE + "/dyn/normlex/en/f").mock(side_effect=self.start)
        router.get(url__startswith=BASE + "/dyn/nrmlx_en/f").mock(side_effect=self.page)

    def start(self, request: httpx.Request) -> httpx.Response:
        page = text("c158_before.html").replace("<table", "<div").replace("</table>", "</div>")
        return httpx.Response(200, text=page,
                              headers={"Set-Cookie": "ORA_WWV_APP_1000=s3ss10n; Path=/; Secure"})

    def page(self, request: httpx.Request) -> httpx.Response:
        if "ORA_WWV_APP_1000=s3ss10n" not in request.headers.get("Cookie", ""):
            return httpx.Response(302, headers={"Location": str(request.url)})
        answer = self.pages[str(request.url).rsplit(":", 1)[1]]
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, text=answer, headers={"Content-Type": "text/html; charset=utf-8"})

    def asked(self) -> list[tuple[str, str | None]]:
        return [(str(c.request.url), c.request.headers.get("Referer")) for c in self.router.calls]


@pytest.fixture
def normlex():
    with respx.mock(assert_all_called=False) as router:
        yield Normlex(router)


def ilo(tmp_path, **options) -> Monitor:
    return Monitor(tmp_path, "ilo", **{"base_url": BASE, "conventions": ["C158"], **options})


# --- parsers -----------------------------------------------------------------------------------

def test_instrument_ids_follow_the_sightings_and_a_config_may_name_them():
    assert [instrument_id(c, {}) for c in ("C001", "C047", "C081", "C188")] == [312146, 312192, 312226, 312333]
    assert instrument_id("C158", {"C158": 999}) == 999
    assert instrument_id("P029", {"P029": 3174672}) == 3174672


def test_rows_give_ratification_status_and_denunciation_with_its_year_of_notice():
    parsed = rows("c158_before.html")
    assert parsed["Australia"]["consent"] == "1993-02-26" and parsed["Australia"]["status"] == "In Force"
    brazil = parsed["Brazil"]
    assert (brazil["denunciation"], brazil["denunciation_effective"]) == ("1996-11-20", "1997-11-20")
    assert {state_id(name) for name in parsed} == {"AUS", "BRA", "FRA", "TUR", "VEN"}


def test_an_automatic_denunciation_names_the_revising_convention():
    austria = rows("c005_automatic.html", "C005")["Austria"]
    assert (austria["denunciation"], austria["denunciation_effective"]) == ("2000-09-18", "2000-09-18")
    assert austria["note"] == "automatic denunciation by the ratification of C138"


@pytest.mark.parametrize("body, message", [
    (text("c158_unknown_column.html"), r"unknown columns \['Instrument'\]"),
    (text("c158_unknown_status.html"), "unknown status 'Suspended'"),
    ("<html><body><h1>Service unavailable</h1><p>Maintenance.</p></body></html>", "no ratifications table"),
    ("", "empty page"),
    (text("c158_before.html").split("<tr><td>")[0], "no party rows"),
])
def test_pages_of_another_shape_fail_loudly(body, message):
    with pytest.raises(StructureChanged, match=message):
        parse_ratifications(body, "C158", "u", "C158")


# --- checks ------------------------------------------------------------------------------------

def test_the_session_comes_first_then_each_page_with_the_referer(normlex, tmp_path):
    monitor = ilo(tmp_path, user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0")
    first = monitor.check()
    assert (first.outcome, first.events, first.error) == ("baseline", [], None)
    assert normlex.asked() == [(START, None), (C158, BASE + "/")]
    assert {c.request.headers["User-Agent"] for c in normlex.router.calls} == {
        "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0"}
    normlex.pages["312303"] = text("c158_denounced.html")
    second = monitor.check()
    assert alerts(second) == [("denunciation", VENEZUELA, "2026-10-14", "2027-10-14")]
    event = second.events[0]
    assert (event.treaty.id, event.treaty.title, event.url) == ("ILO C158", TITLE, C158)
    assert event.details["effective_date_basis"].startswith("inferred: a denunciation takes effect one year")
    assert monitor.check().events == []


def test_a_redirect_loop_is_a_failure_that_says_why(normlex, tmp_path):
    normlex.router.routes[0].side_effect = lambda request: httpx.Response(200, text="x" * 6000)  # no cookie
    report = ilo(tmp_path).check()
    assert report.outcome == "failed" and "redirects to itself: NORMLEX did not accept the session" in report.error


def test_a_short_answer_is_a_failure_that_says_why(normlex, tmp_path):
    normlex.pages["312303"] = text("short_answer.html")
    report = ilo(tmp_path).check()
    assert report.outcome == "failed" and "answered 43 bytes, under 5000: a block page" in report.error


def test_a_refusal_names_the_likely_cause(normlex, tmp_path):
    normlex.pages["312303"] = httpx.Response(403, text="Forbidden")
    report = ilo(tmp_path).check()
    assert report.outcome == "failed" and "HTTP 403" in report.error and "datacenter addresses" in report.error


def test_a_date_with_no_month_is_a_structure_failure_not_a_crash():
    from monitor.errors import StructureChanged
    from monitor.sources.ilo.reference import iso

    assert iso("05 Feb 2020") == "2020-02-05"
    for text in ("05 Fub 2020", "31 Feb 2020", "Feb 2020"):
        with pytest.raises(StructureChanged, match="is not a date"):
            iso(text)
