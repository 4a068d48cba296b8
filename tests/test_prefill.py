"""Sources of one kind are validated from a prefilled blank: the same values, the same problems."""

from __future__ import annotations

import pytest

from monitor.options import Secret, validate_table
from monitor.prefill import blank, validate_parts
from monitor.settings import DEFAULT_OPTIONS, SOURCE_OPTIONS
from monitor.sources import SOURCE_KINDS

SCHEMA = {**SOURCE_OPTIONS, **SOURCE_KINDS["html"].options}
DEFAULTS = {"interval": 7200.0, "host_delay": 0.25, "jitter": 0.0}
GOOD = {"name": "chart", "kind": "html", "url": "https://example.org/chart", "items": "table tr", "key": "td"}
TABLES = [
    GOOD,
    {**GOOD, "interval": "15m", "fields": {"title": "a", "url": "a@href"}, "headers": {"Accept": "text/html"}},
    {**GOOD, "headers_env": {"Authorization": "LM_PREFILL_TOKEN"}, "params_env": {"key": "LM_PREFILL_TOKEN"}},
    {**GOOD, "headers_env": {"Authorization": "LM_PREFILL_UNSET"}},
    {**GOOD, "intervall": "1h", "timeout": 30},
    {k: v for k, v in GOOD.items() if k != "key"},
    {**GOOD, "url": "ftp://example.org", "retries": 11, "items": ""},
    {},
    ["not", "a", "table"],
]


@pytest.mark.parametrize("table", TABLES)
def test_prefilled_validation_is_validate_table(table, monkeypatch):
    monkeypatch.setenv("LM_PREFILL_TOKEN", "s3cret")
    monkeypatch.delenv("LM_PREFILL_UNSET", raising=False)
    expected_problems: list[str] = []
    expected = validate_table(table, SCHEMA, "sources[0]", expected_problems, DEFAULTS)
    problems: list[str] = []
    [values] = validate_parts(table, blank(SCHEMA, DEFAULTS), "sources[0]", problems)
    assert problems == expected_problems
    assert list(values.items()) == list(expected.items())  # the same values, in the same order
    assert [type(v) for v in values.values()] == [type(v) for v in expected.values()]


@pytest.mark.parametrize("table", TABLES[:3])
def test_parts_hold_the_values_of_their_keys_in_their_own_order(table, monkeypatch):
    monkeypatch.setenv("LM_PREFILL_TOKEN", "s3cret")
    expected = validate_table(table, SCHEMA, "sources[0]", [], DEFAULTS)
    own = list(reversed(SOURCE_KINDS["html"].options))
    common, kind = validate_parts(table, blank(SCHEMA, DEFAULTS, [list(SOURCE_OPTIONS), own]), "sources[0]", [])
    assert list(common.items()) == [(key, expected[key]) for key in SOURCE_OPTIONS]
    assert list(kind.items()) == [(key, expected[key]) for key in own]


def test_parts_must_cut_the_schema():
    with pytest.raises(ValueError, match="do not cut the schema"):
        blank(SCHEMA, DEFAULTS, [list(SOURCE_OPTIONS)])


def test_secrets_stay_secrets(monkeypatch):
    monkeypatch.setenv("LM_PREFILL_TOKEN", "s3cret")
    [values] = validate_parts(TABLES[2], blank(SCHEMA, DEFAULTS), "sources[0]", [])
    assert isinstance(values["headers_env"]["Authorization"], Secret)
    assert "s3cret" not in repr(values["headers_env"])


def test_one_blank_serves_many_tables_without_sharing_their_values():
    shape = blank(DEFAULT_OPTIONS, {"retries": 1})
    [first] = validate_parts({"timeout": "5s"}, shape, "defaults", [])
    [second] = validate_parts({}, shape, "defaults", [])
    assert first["timeout"] == 5.0 and second["timeout"] == 30.0
    assert first["retries"] == second["retries"] == 1
