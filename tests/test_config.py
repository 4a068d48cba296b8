"""Config loading: defaults, inheritance, and one clear line per problem."""

from __future__ import annotations

import pytest

from helpers.cli import run_cli
from helpers.config import write_config
from helpers.paths import ROOT
from monitor.config import config_path, load_config
from monitor.errors import ConfigError

GOOD = """
    [state]
    path = "db/monitor.db"

    [defaults]
    interval = "2h"
    host_delay = "0.25s"

    [[sources]]
    name = "chart"
    kind = "html"
    url = "https://example.org/chart"
    items = "table tr"
    key = "td.state"

    [[sources]]
    name = "api"
    kind = "json"
    url = "https://example.org/api"
    key = "id"
    interval = "15m"
    headers_env = { Authorization = "LM_TEST_TOKEN" }
"""


def test_defaults_apply_and_sources_override(tmp_path, monkeypatch):
    monkeypatch.setenv("LM_TEST_TOKEN", "Bearer s3cret")
    config = load_config(write_config(tmp_path, GOOD))
    chart, api = config.sources
    assert chart.interval == 7200 and api.interval == 900
    assert chart.host_delay == 0.25 and chart.retries == 3
    assert config.state_path == (tmp_path / "db" / "monitor.db").resolve()
    assert api.headers == {"Authorization": "Bearer s3cret"}
    assert "legal-monitor" in chart.user_agent


def test_every_problem_is_reported_with_file_and_key_path(tmp_path):
    path = write_config(tmp_path, """
        [defaults]
        intervall = "1h"
        timeout = 30

        [[sources]]
        name = "a"
        kind = "html"
        url = "ftp://example.org"
        items = "tr"
        key = "td"

        [[sources]]
        name = "b"
        kind = "nosuchkind"

        [[sources]]
        name = "a"
        kind = "json"
        url = "https://example.org"
        key = "id"
        interval = "5x"
    """)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    problems = caught.value.problems
    text = "\n".join(problems)
    assert all(p.startswith(f"{path}: ") for p in problems)
    assert "defaults.intervall: unknown key (did you mean 'interval'?)" in text
    assert "defaults.timeout: must be a duration string with a unit" in text
    assert "sources[0] (\"a\").url: must be an http:// or https:// URL" in text
    assert "sources[1] (\"b\").kind: unknown source kind 'nosuchkind'" in text
    assert "sources[2] (\"a\").interval: '5x' is not a duration" in text
    assert len(problems) == 5


def test_duplicate_names_and_missing_required_keys(tmp_path):
    path = write_config(tmp_path, """
        [[sources]]
        name = "x"
        kind = "html"
        url = "https://example.org"
        items = "tr"
        key = "td"

        [[sources]]
        name = "x"
        kind = "html"
        url = "https://example.org/2"
        items = "tr"
        key = "td"

        [[sources]]
        kind = "json"
        url = "https://example.org/3"
    """)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = "\n".join(caught.value.problems)
    assert "sources[1] (\"x\").name: 'x' is already used by sources[0]" in text
    assert "sources[2].name: required key is missing" in text
    assert "sources[2].key: required key is missing" in text


def test_missing_secret_variable_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.delenv("LM_TEST_TOKEN", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, GOOD))
    assert caught.value.problems == [
        f"{tmp_path / 'monitor.toml'}: sources[1] (\"api\").headers_env.Authorization: environment variable "
        "LM_TEST_TOKEN is not set"]


def test_invalid_toml_and_bad_selector(tmp_path):
    broken = write_config(tmp_path, "[[sources]\nname = 1\n", "broken.toml")
    with pytest.raises(ConfigError) as caught:
        load_config(broken)
    assert caught.value.problems == [
        f"{broken}: invalid TOML: Expected ']]' at the end of an array declaration (at line 1, column 10)"]
    bad = write_config(tmp_path, """
        [[sources]]
        name = "x"
        kind = "html"
        url = "https://example.org"
        items = "tr[["
        key = "td"
    """, "bad.toml")
    with pytest.raises(ConfigError) as caught:
        load_config(bad)
    assert "sources[0] (\"x\").items: invalid CSS selector" in caught.value.problems[0]


def test_a_duplicate_key_is_refused_at_its_line_and_column(tmp_path):
    path = write_config(tmp_path, '[state]\npath = "a.db"\npath = "b.db"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}: invalid TOML: ")
    assert problem.endswith("(at line 3, column 14)")


def test_a_leading_byte_order_mark_is_read_past(tmp_path):
    path = tmp_path / "monitor.toml"
    path.write_text('\ufeff[state]\npath = "marked.db"\n', encoding="utf-8")
    assert load_config(path).state_path == (tmp_path / "marked.db").resolve()


def test_config_path_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("LEGAL_MONITOR_CONFIG", str(tmp_path / "env.toml"))
    assert config_path("given.toml").name == "given.toml"
    assert config_path(None) == tmp_path / "env.toml"
    monkeypatch.delenv("LEGAL_MONITOR_CONFIG")
    assert str(config_path(None)) == "config/monitor.toml"


def test_cli_reports_bad_config_without_traceback(tmp_path):
    path = write_config(tmp_path, '[defaults]\ninterval = "soon"\n')
    result = run_cli("--config", str(path), "validate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"config error: {path}: defaults.interval: 'soon' is not a duration" in result.stderr


def test_cli_missing_config_file(tmp_path):
    result = run_cli("--config", str(tmp_path / "nope.toml"), "check")
    assert result.returncode == 2
    assert "config file not found" in result.stderr and "Traceback" not in result.stderr


def test_shipped_configs_are_valid():
    for name in ("monitor.toml", "example.toml"):
        result = run_cli("--config", str(ROOT / "config" / name), "validate",
                         env={"EXAMPLE_API_TOKEN": "x", "WEBHOOK_SECRET": "x", "SMTP_PASSWORD": "x"})
        assert result.returncode == 0, result.stderr
        assert "valid" in result.stdout
