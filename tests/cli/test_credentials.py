"""Credentials in a source's URL never show: logs, status, sources, the database, ops alerts."""

from __future__ import annotations

import sqlite3
import urllib.request

import pytest

from helpers.cli import run_cli
from helpers.config import QUICK, channel_table, html_source, monitor_config
from helpers.http import Reply
from monitor.text import mask_text, mask_url

PAGE = "<ul><li id='fr'>France</li></ul>"
SECRETS = ("hunter2", "SEKRET-KEY", "TOKEN-123", "ENV-KEY-987")


def config_for(tmp_path, url: str, hook: str, extra: str = "") -> str:
    return monitor_config(tmp_path, html_source(url, extra), channel_table("hook", "webhook", url=hook, ops=True),
                          state="s.db", defaults={**QUICK, "failure_threshold": 1})


def everything_shown(config, tmp_path) -> str:
    """The text of every place a URL could show: commands, their logs, the database, alerts."""
    shown = []
    for command in (["check"], ["--log-format", "json", "check"], ["status"], ["status", "--json"], ["sources"],
                    ["sources", "--json"], ["events", "--json"], ["deliveries"], ["validate"]):
        result = run_cli("--config", str(config), *command, env={"LM_API_KEY": "ENV-KEY-987"})
        shown += [result.stdout, result.stderr]
    conn = sqlite3.connect(tmp_path / "s.db")
    try:
        shown += ["\n".join(conn.iterdump())]
    finally:
        conn.close()
    return "\n".join(shown)


def test_userinfo_and_key_parameters_are_masked_everywhere(tmp_path, server):
    server.routes["/list"] = Reply(200, PAGE, {"Content-Type": "text/html"})
    server.routes["/hook"] = Reply(200, "ok")
    url = f"http://alice:hunter2@127.0.0.1:{server.port}/list?api_key=SEKRET-KEY&token=TOKEN-123&page=1"
    config = config_for(tmp_path, url, f"{server.base}/hook")
    assert run_cli("--config", str(config), "check").returncode == 0  # a baseline: documents are stored
    server.routes["/list"] = Reply(500, "down")  # then failures: errors, an ops alert
    shown = everything_shown(config, tmp_path)
    sent = "\n".join(r.body.decode() for r in server.hits("/hook"))
    assert "source_failing" in sent
    for secret in SECRETS[:3]:
        assert secret not in shown and secret not in sent
    masked = f"http://alice:***@127.0.0.1:{server.port}/list?api_key=***&token=***&page=1"
    assert f"HTTP 500 from {masked}" in shown and f"HTTP 500 from {masked}" in sent
    # the secrets themselves still reach the portal
    assert server.hits("/list")[-1].query["api_key"] == ["SEKRET-KEY"]
    assert server.hits("/list")[-1].headers["Authorization"].startswith("Basic ")


def test_params_env_keeps_a_query_key_out_of_the_config_and_out_of_sight(tmp_path, server):
    server.routes["/list"] = Reply(200, PAGE, {"Content-Type": "text/html"})
    server.routes["/hook"] = Reply(200, "ok")
    config = config_for(tmp_path, f"{server.base}/list?page=1", f"{server.base}/hook",
                        'params_env = { "access" = "LM_API_KEY" }')
    result = run_cli("--config", str(config), "check", env={"LM_API_KEY": "ENV-KEY-987"})
    assert result.returncode == 0, result.stderr
    assert server.hits("/list")[-1].query == {"page": ["1"], "access": ["ENV-KEY-987"]}
    server.routes["/list"] = Reply(503, "down")
    shown = everything_shown(config, tmp_path)
    assert "ENV-KEY-987" not in shown
    assert f"HTTP 503 from {server.base}/list?page=1&access=***" in shown


def test_params_env_follows_redirects_only_within_the_sources_origin(tmp_path, server):
    other = f"http://localhost:{server.port}"
    server.routes["/list"] = Reply(302, "", {"Location": "/moved"})
    server.routes["/moved"] = Reply(302, "", {"Location": f"{other}/elsewhere?page=2"})
    server.routes["/elsewhere"] = Reply(200, PAGE, {"Content-Type": "text/html"})
    server.routes["/hook"] = Reply(200, "ok")
    config = config_for(tmp_path, f"{server.base}/list", f"{server.base}/hook",
                        'params_env = { "access" = "LM_API_KEY" }')
    assert run_cli("--config", str(config), "check", env={"LM_API_KEY": "ENV-KEY-987"}).returncode == 0
    assert server.hits("/list")[-1].query == {"access": ["ENV-KEY-987"]}
    assert server.hits("/moved")[-1].query == {"access": ["ENV-KEY-987"]}  # same origin: kept
    assert server.hits("/elsewhere")[-1].query == {"page": ["2"]}


def test_a_missing_params_env_variable_is_a_config_error(tmp_path, server):
    config = config_for(tmp_path, f"{server.base}/list", f"{server.base}/hook",
                        'params_env = { "access" = "LM_NOT_SET_ANYWHERE" }')
    result = run_cli("--config", str(config), "validate")
    assert result.returncode == 2
    assert "sources[0] (\"portal\").params_env.access: environment variable LM_NOT_SET_ANYWHERE is not set" in result.stderr


@pytest.mark.parametrize("url, shown", [
    ("https://u:p@h.example/x", "https://u:***@h.example/x"),
    ("https://tok@h.example/x", "https://***@h.example/x"),
    ("https://h.example/x?apiKey=1&X-Api-Key=2&client_secret=3&sig=4&q=key", "https://h.example/x?apiKey=***&"
     "X-Api-Key=***&client_secret=***&sig=***&q=key"),
    ("https://h.example/x?monkey=1&keyword=2&page=3", "https://h.example/x?monkey=1&keyword=2&page=3"),
    ("https://h.example/x?access_token=a%20b#frag", "https://h.example/x?access_token=***#frag"),
])
def test_mask_url(url, shown):
    assert mask_url(url) == shown
    assert mask_text(f"HTTP 500 from {url}: gone") == f"HTTP 500 from {shown}: gone"


def test_a_named_parameter_is_masked_whatever_its_name():
    assert mask_url("https://h.example/x?access=1&page=2", {"access"}) == "https://h.example/x?access=***&page=2"


ANCHORED = "<ul><li id='{key}'><a href='#{key}'>{name}</a></li></ul>"


def test_a_params_env_secret_never_reaches_a_link_resolved_from_the_page(tmp_path, server):
    from monitor.config import load_config
    from monitor.web import Endpoint, Metrics

    env = {"LM_API_KEY": "TOPSECRETKEY123"}
    server.routes["/list"] = Reply(200, ANCHORED.format(key="fr", name="France"), {"Content-Type": "text/html"})
    server.routes["/hook"] = Reply(200, "ok")
    config = config_for(tmp_path, f"{server.base}/list?page=1", f"{server.base}/hook",
                        'params_env = { "api_key" = "LM_API_KEY" }\nfields = { title = "a", url = "a@href" }\n'
                        'alert_on_first_check = true')
    shown = [run_cli("--config", str(config), "preview", "portal", env=env).stdout,
             run_cli("--config", str(config), "check", "--json", env=env).stdout]
    server.routes["/list"] = Reply(200, ANCHORED.format(key="de", name="Germany"), {"Content-Type": "text/html"})
    shown.append(run_cli("--config", str(config), "check", "--json", env=env).stdout)
    assert server.hits("/list")[-1].query["api_key"] == ["TOPSECRETKEY123"]  # the portal still gets it
    shown.append(everything_shown(config, tmp_path))
    import os

    os.environ["LM_API_KEY"] = "TOPSECRETKEY123"
    try:
        loaded = load_config(config)
    finally:
        del os.environ["LM_API_KEY"]
    endpoint = Endpoint("127.0.0.1:0", loaded.state_path, Metrics(), lambda: [], lambda: loaded)
    endpoint.start()
    try:
        for path in ("/events?type=record_added", "/events.json?type=record_added", "/events.atom?type=record_added",
                     "/sources"):
            shown.append(urllib.request.urlopen(f"http://{endpoint.address}{path}", timeout=10).read().decode())
    finally:
        endpoint.stop()
    text = "\n".join(shown) + "\n".join(r.body.decode() for r in server.hits("/hook"))
    assert f"{server.base}/list?page=1#de" in text  # the link, resolved against the configured address
    assert "TOPSECRETKEY123" not in text


def test_preview_masks_its_errors_as_check_does(tmp_path, server):
    server.routes["/list"] = Reply(200, "<p>no list today</p>", {"Content-Type": "text/html"})
    config = config_for(tmp_path, f"{server.base}/list?token=T0KEN-IN-URL", f"{server.base}/hook")
    preview = run_cli("--config", str(config), "preview", "portal")
    check = run_cli("--config", str(config), "check")
    assert preview.returncode == 1 and f"no items found in {server.base}/list?token=***" in preview.stderr
    assert "T0KEN-IN-URL" not in preview.stdout + preview.stderr + check.stdout + check.stderr


@pytest.mark.parametrize("table, key", [
    ('[http]\nlisten = "127.0.0.1:8080"\ntoken_env = "LM_EMPTY"', "http.token_env"),
    ('[http]\nlisten = "127.0.0.1:8080"\nusername = "u"\npassword_env = "LM_EMPTY"', "http.password_env"),
    ('[[sources]]\nname = "p"\nkind = "html"\nurl = "http://127.0.0.1:9/"\nitems = "li"\nkey = "@id"\n'
     'params_env = { "api_key" = "LM_EMPTY" }', 'sources[0] ("p").params_env.api_key'),
    ('[[sources]]\nname = "p"\nkind = "html"\nurl = "http://127.0.0.1:9/"\nitems = "li"\nkey = "@id"\n'
     'headers_env = { "X-Key" = "LM_EMPTY" }', 'sources[0] ("p").headers_env.X-Key'),
    ('[[channels]]\nname = "hook"\nkind = "webhook"\nurl = "http://127.0.0.1:9/"\nsecret_env = "LM_EMPTY"',
     'channels[0] ("hook").secret_env'),
])
def test_a_secret_variable_set_but_empty_is_a_config_error(tmp_path, table, key):
    config = monitor_config(tmp_path, table, state="s.db")
    result = run_cli("--config", str(config), "validate", env={"LM_EMPTY": ""})
    assert result.returncode == 2, result.stdout
    assert f"{key}: environment variable LM_EMPTY is set but empty" in result.stderr


def test_an_empty_token_never_opens_the_pages(tmp_path):
    from helpers.http import free_port

    port = free_port()
    config = monitor_config(tmp_path, state="s.db", http={"listen": f"127.0.0.1:{port}", "token_env": "LM_TOKEN"})
    result = run_cli("--config", str(config), "serve", env={"LM_TOKEN": ""}, timeout=30)
    assert result.returncode == 2 and "http.token_env: environment variable LM_TOKEN is set but empty" in result.stderr
