"""The `coe` kind: treaty list, chart parsing, options and the events a chart change raises."""

from __future__ import annotations

import asyncio

import pytest

from helpers.coe import TORTURE, TREATY_LIST, events_between, load, make_source, treaty_part
from monitor.diff import Stored, diff_part
from monitor.errors import ConfigError, StructureChanged
from monitor.sources.coe import (
    CHART_URL,
    CoeSource,
    parse_chart,
    parse_declarations,
    parse_treaty_list,
    treaty_number,
)


def chart(name: str, number: str) -> list:
    return parse_chart(load(name), number, f"http://x/api/signatures?numSTE={number}")


# --- treaty list (real capture) ----------------------------------------------------------

def test_real_treaty_list_gives_232_treaties_with_titles_and_series():
    treaties = parse_treaty_list(TREATY_LIST, "http://x/api/traites/search")
    assert len(treaties) == 232
    assert all(t.title and not t.title.startswith("Treaty ") for t in treaties.values())
    assert treaties["126"].full_title == TORTURE
    assert treaties["126"].treaty().id == "ETS No. 126"
    assert treaties["210"].treaty().id == "CETS No. 210"
    assert treaties["005"].treaty().url == CHART_URL.format(number="005")
    # Letter-suffixed numbers are kept; the "(*)" marker is not part of the title.
    assert "012A" in treaties
    assert treaties["151"].full_title.endswith("(ETS No. 151)")


def test_series_follows_the_number_in_the_real_list():
    treaties = parse_treaty_list(TREATY_LIST, "list")
    assert {t.mention for n, t in treaties.items() if int(n[:3]) < 194} == {"ETS"}
    assert {t.mention for n, t in treaties.items() if int(n[:3]) >= 194} == {"CETS"}


def test_treaty_list_of_another_shape_is_structure_changed():
    with pytest.raises(StructureChanged, match="list of treaties"):
        parse_treaty_list({"items": TREATY_LIST}, "http://x/api/traites/search")
    with pytest.raises(StructureChanged, match="empty"):
        parse_treaty_list([], "http://x/api/traites/search")


# --- chart parsing (constructed from the documented structure) ----------------------------

def test_real_bulgaria_row_parses_with_no_dates():
    records = {r.key: r for r in chart("signatures_148.json", "148")}
    bulgaria = records["148:BUL"]
    assert bulgaria.fields["state"] == "Bulgaria"
    assert bulgaria.fields["group"] == "member"
    assert [bulgaria.fields[f] for f in ("signature", "consent", "entry_into_force", "denunciation")] == [None] * 4
    norway = records["148:NOR"]
    assert (norway.fields["signature"], norway.fields["consent"], norway.fields["entry_into_force"]) == \
        ("1992-11-05", "1993-11-10", "1998-03-01")
    assert norway.fields["flags"] == "R D"


def test_all_three_groups_and_unknown_fields_are_kept():
    records = {r.key: r for r in chart("signatures_210_after.json", "210")}
    assert records["210:UE"].fields["group"] == "organisation"
    assert records["210:UE"].fields["state"] == "European Union"
    assert records["210:KAZ"].fields["group"] == "non-member"
    assert records["210:MEX"].fields["Niveau"] == "X"
    assert records["210:MEX"].fields["flags"] is None


def test_two_lists_of_rows_unknown_fields_and_a_numeric_treaty_number_are_read():
    data = [[{"CodePays": "FRA", "LibPaysOrga": "France", "NumSTE": 126, "DateSignature": "1987-11-26T00:00:00",
              "DateConsentement": None, "Autorite": "X", "Extra": {"a": 1}}],
            [{"CodePays": "KAZ", "LibPaysOrga": "Kazakhstan", "NumSTE": "126", "Unseen": 3}]]
    records = {r.key: r for r in parse_chart(data, "126", "http://x/api/signatures?numSTE=126")}
    assert records["126:FRA"].fields["group"] == "member" and records["126:KAZ"].fields["group"] == "non-member"
    assert records["126:FRA"].fields["signature"] == "1987-11-26"
    assert (records["126:FRA"].fields["Autorite"], records["126:FRA"].fields["Extra"]) == ("X", '{"a": 1}')
    assert records["126:KAZ"].fields["Unseen"] == "3"
    # A fourth list, should one come, is read too.
    more = parse_chart([[], [], [], [{"CodePays": "XX"}]], "126", "u")
    assert [r.fields["group"] for r in more] == ["list 4"]


def test_the_treaty_list_memo_keeps_every_language_title():
    treaties = parse_treaty_list(TREATY_LIST, "http://x/api/traites/search")
    kept = treaties["126"].memo()
    assert kept["titles"]["RUS"].startswith("Европейская конвенция по предупреждению пыток")
    assert kept["titles"]["ENG"] == TREATY_LIST[[t["Numero_traite"] for t in TREATY_LIST].index("126")]["Libelle_titre_ENG"]
    assert (kept["title"], kept["mention"]) == (treaties["126"].title, "ETS")
    assert "None" not in kept["short_names"].values()


@pytest.mark.parametrize("data, message", [
    ({"member": []}, "two or more lists"),
    ([[]], "two or more lists"),
    ([[], {"CodePays": "FRA"}], "two or more lists"),
    ([[], [], "organisations"], "two or more lists"),
    ([["FRA"], []], "not an object"),
    ([[{"LibPaysOrga": "Nowhere", "DateSignature": None}], [], []], "CodePays"),
    ([[{"CodePays": "FRA", "DateSignature": "26/11/1987"}], [], []], "DateSignature"),
    ([[{"CodePays": "FRA", "NumSTE": "005"}], [], []], "parameter ignored"),
])
def test_unknown_chart_shapes_are_structure_changed(data, message):
    with pytest.raises(StructureChanged, match=message):
        parse_chart(data, "126", "http://x/api/signatures?numSTE=126")


# --- options -----------------------------------------------------------------------------

def test_options_and_kind_defaults():
    source = make_source(treaties=[126, 5, "12a"], states=["RUS"])
    config = source.config
    assert config.options.treaties == ["126", "005", "012A"]
    assert config.options.token == "hfghhgp2q5vgwg1hbn532kw71zgtww7e"
    assert config.options.base_url == "https://conventions-ws.coe.int/WS_LFRConventions/"
    # A check every 5 minutes, each taking its share: every chart once an hour.
    assert (config.interval, config.options.sweep_period, config.host_concurrency, config.tls_seclevel,
            config.tls_legacy_connect) == (300, 3600, 1, 1, True)
    assert treaty_number(210) == "210"
    assert make_source(treaties="all").config.options.treaties == "all"


@pytest.mark.parametrize("value, message", [
    ("some", "\"all\" or a non-empty list"),
    ([], "\"all\" or a non-empty list"),
    (["ECHR"], "not a treaty number"),
    ([0], "not a treaty number"),
])
def test_bad_treaties_option_is_a_config_error(value, message):
    with pytest.raises(ConfigError) as caught:
        make_source(treaties=value)
    assert "sources[0] (\"coe\").treaties" in str(caught.value) and message in str(caught.value)


# --- events -------------------------------------------------------------------------------

def test_russian_denunciation_is_exactly_one_event_with_state_treaty_and_chart():
    source = make_source()
    events = events_between(source, chart("signatures_126_before.json", "126"),
                            chart("signatures_126_after.json", "126"))
    assert [e.type for e in events] == ["denunciation"]
    event = events[0]
    assert event.subject == "Russian Federation"
    assert event.title == f"Denunciation: Russian Federation — {TORTURE}"
    assert event.url == "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=126"
    assert (event.treaty.id, event.treaty.title) == ("ETS No. 126", TORTURE)
    assert (event.date, event.effective_date, event.key) == ("2025-10-22", None, "126:RUS")
    assert "Russian Federation denounced" in event.summary


def test_later_effective_date_does_not_make_a_second_denunciation():
    source, memo = make_source(), {}
    first = events_between(source, chart("signatures_126_before.json", "126"),
                           chart("signatures_126_after.json", "126"), memo=memo)
    later = events_between(source, chart("signatures_126_after.json", "126"),
                           chart("signatures_126_effective.json", "126"), memo=memo)
    assert [e.type for e in later] == ["record_changed"]
    assert later[0].details["changed"] == {"denunciation_effective": {"old": None, "new": "2026-04-22"}}
    assert later[0].id != first[0].id
    # Both dates at once (a check that missed the intermediate state): still one denunciation.
    both = events_between(make_source(), chart("signatures_126_before.json", "126"),
                          chart("signatures_126_effective.json", "126"))
    assert [(e.type, e.date, e.effective_date, e.id) for e in both] == \
        [("denunciation", "2025-10-22", "2026-04-22", first[0].id)]


def test_new_ratification_new_state_and_null_only_row():
    source = make_source()
    events = events_between(source, chart("signatures_210_before.json", "210"),
                            chart("signatures_210_after.json", "210"))
    by_key = {}
    for event in events:
        by_key.setdefault(event.key, []).append(event)
    assert [(e.type, e.date) for e in by_key["210:CZE"]] == [("ratification", "2026-03-02")]
    assert by_key["210:CZE"][0].subject == "Czech Republic"
    assert by_key["210:CZE"][0].treaty.id == "CETS No. 210"
    assert [(e.type, e.date) for e in by_key["210:KAZ"]] == [("signature", "2026-02-10")]
    # A row with no dates is not a treaty action.
    assert [e.type for e in by_key["210:MEX"]] == ["record_added"]
    assert set(by_key) == {"210:CZE", "210:KAZ", "210:MEX"}


def test_corrected_date_is_record_changed_and_removed_row_is_no_treaty_event():
    before = chart("signatures_126_before.json", "126")
    data = load("signatures_126_before.json")
    data[0][1]["DateConsentement"] = "1989-01-10T00:00:00"
    del data[0][0]
    after = parse_chart(data, "126", "u")
    events = events_between(make_source(), before, after)
    assert sorted(e.type for e in events if e.key == "126:FRA") == ["record_changed"]
    # A removal reaches events() only after two checks without the row; it is no treaty action.
    stored = {r.key: Stored(r, missing=1) for r in before}
    removed = [c for c in diff_part(stored, after).changes if c.kind == "removed"]
    assert [e.type for c in removed for e in make_source().events(c, treaty_part(before), "t")] == ["record_removed"]


def test_event_ids_do_not_depend_on_the_check():
    before, after = chart("signatures_210_before.json", "210"), chart("signatures_210_after.json", "210")
    one = events_between(make_source(), before, after)
    two = events_between(make_source(), before, after)
    assert [e.id for e in one] == [e.id for e in two]
    assert len({e.id for e in one}) == len(one)


def test_declared_denunciation_backs_up_the_chart_with_the_same_event_id():
    source, memo = make_source(declarations=True), {}
    chart_events = events_between(source, chart("signatures_126_before.json", "126"),
                                  chart("signatures_126_effective.json", "126"), memo=memo)
    codes = {"russian federation": "RUS", "ukraine": "UKR"}
    declared = parse_declarations(load("declarations_126.json"), "126", "u", codes)
    declaration_events = events_between(source, [], declared, memo=memo)
    denunciations = [e for e in declaration_events if e.type == "denunciation"]
    assert [e.id for e in denunciations] == [chart_events[0].id]
    assert [e.subject for e in declaration_events if e.type == "reservation"] == ["Ukraine"]


# --- TLS ---------------------------------------------------------------------------------

class HandshakeAtLevel:
    """A fetcher whose host `refusing` completes the TLS handshake only at security level 0."""

    def __init__(self, refusing: str, reason: str = "[SSL: DH_KEY_TOO_SMALL] dh key too small (_ssl.c:1006)"):
        self.refusing, self.reason = refusing, reason
        self.seen: list[tuple[str, int | None]] = []

    async def request(self, source, method, url, **kwargs):
        import httpx

        from monitor.errors import FetchError
        from monitor.net.fetch import RawResponse

        host = httpx.URL(url).host
        self.seen.append((host, source.tls_seclevel))
        if host == self.refusing and source.tls_seclevel != 0:
            raise FetchError(f"cannot connect to {host}: {self.reason}")
        return RawResponse(url, 200, httpx.Headers({"Content-Type": "application/json"}), b"[[], []]")


def context_with(fetcher, source: CoeSource):
    from monitor.net import SourceContext

    return SourceContext(fetcher, source.config, {}, {}, lambda key: None)


def test_a_refused_handshake_is_retried_once_at_level_0_for_that_host_only(caplog):
    source = make_source(base_url="https://ws.example/api/", page_url="https://www.example/page")
    fetcher = HandshakeAtLevel("ws.example")
    ctx = context_with(fetcher, source)
    document = asyncio.run(source._api(ctx, "api/signatures", params={"numSTE": "126"}))
    assert document.text == "[[], []]"
    assert fetcher.seen == [("ws.example", 1), ("ws.example", 0)]
    assert "failed at security level 1" in caplog.text and "retrying at level 0" in caplog.text
    # The source's own setting is untouched; the next request to that host goes straight to 0,
    # another host of the source keeps level 1.
    assert ctx.config.tls_seclevel == 1
    asyncio.run(source._api(ctx, "api/signatures", params={"numSTE": "148"}))
    asyncio.run(ctx.get("https://www.example/page"))
    assert fetcher.seen[2:] == [("ws.example", 0), ("www.example", 1)]


def test_a_certificate_that_fails_to_verify_is_not_retried_at_a_lower_level():
    from monitor.errors import FetchError

    source = make_source(base_url="https://ws.example/api/")
    fetcher = HandshakeAtLevel("ws.example", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
        asyncio.run(source._api(context_with(fetcher, source), "api/signatures", params={"numSTE": "126"}))
    assert fetcher.seen == [("ws.example", 1)]
