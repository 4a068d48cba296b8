"""Kinds load on first use: a run imports only what its config and command need, and the
registries still name every kind."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers.cli import run_cli
from helpers.config import hook, html_source, monitor_config, write_config
from helpers.http import Reply
from helpers.paths import ROOT
from monitor.channels import CHANNEL_KINDS
from monitor.sources import SOURCE_KINDS

# Modules an html-only config with a webhook channel never needs, whatever the command.
PORTALS_AND_OTHER_CHANNELS = ["monitor.sources.pravo", "monitor.sources.coe", "monitor.sources.untc",
                              "monitor.sources.feed", "monitor.sources.json", "feedparser",
                              "monitor.channels.email", "monitor.channels.apprise", "smtplib", "apprise"]
# Modules a `check` never needs: other commands' code, the daemon and the web side.
OTHER_COMMANDS = ["monitor.daemon", "apscheduler", "monitor.web.standalone", "monitor.web.app", "monitor.web.dashboard", "jinja2",
                  "monitor.cli.preview", "monitor.store.queries", "monitor.cli.overview", "monitor.cli.testalert",
                  "monitor.cli.deliveries", "monitor.sources.status_tables"]
# An unchanged page (304) is never parsed (cssselect, which checks the config's selectors, parses no page).
PARSERS = ["lxml", "bs4", "soupsieve"]

PAGE = '<html><body><ul><li id="a">Alpha</li><li id="b">Beta</li></ul></body></html>'


@pytest.mark.parametrize("registry, known", [
    (SOURCE_KINDS, ["html", "json", "feed", "pravo", "coe", "untc", "nl_treaties", "unoda", "hcch", "ilo"]),
    (CHANNEL_KINDS, ["webhook", "email", "apprise"]),
])
def test_each_registered_name_gives_the_class_of_that_kind(registry, known):
    assert list(registry) == known and len(registry) == len(known)
    for name in known:
        assert name in registry and registry.get(name) is registry[name]
        assert registry[name].kind == name
    assert "nosuchkind" not in registry and registry.get("nosuchkind") is None
    with pytest.raises(KeyError):
        registry["nosuchkind"]


def _loaded_after(argv: list[str], cwd) -> set[str]:
    """The modules `legal-monitor ARGV` leaves imported (run in a fresh interpreter)."""
    code = ("import sys\nfrom monitor.cli.commands import main\ncode = main(sys.argv[1:])\n"
            "print('MODULES', ' '.join(sorted(sys.modules)))\nsys.exit(code)")
    result = subprocess.run([sys.executable, "-c", code, *argv], cwd=cwd, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("MODULES "))
    return set(line.split()[1:])


def _imported(loaded: set[str], names: list[str]) -> list[str]:
    return [name for name in names if name in loaded or any(m.startswith(name + ".") for m in loaded)]


def test_an_unchanged_check_of_html_sources_imports_no_portal_parser_or_other_command(tmp_path, server):
    server.routes["/list"] = Reply(200, PAGE, {"Content-Type": "text/html", "ETag": '"v1"'})
    config = monitor_config(tmp_path, html_source(server.base + "/list"), hook(f"{server.base}/hook"))
    first = run_cli("--config", str(config), "check", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "2 added" in first.stdout

    loaded = _loaded_after(["--config", str(config), "check"], tmp_path)
    assert "monitor.sources.html" in loaded and "monitor.channels.webhook" in loaded
    assert _imported(loaded, PORTALS_AND_OTHER_CHANNELS + OTHER_COMMANDS + PARSERS) == []
    assert server.hits("/list")[-1].headers.get("If-None-Match") == '"v1"'  # answered 304: nothing to parse


def test_validate_of_an_html_config_loads_neither_portals_nor_other_channels(tmp_path, server):
    config = monitor_config(tmp_path, html_source(server.base + "/list"), hook(f"{server.base}/hook"), state=None)
    loaded = _loaded_after(["--config", str(config), "validate"], tmp_path)
    assert _imported(loaded, PORTALS_AND_OTHER_CHANNELS) == []


def test_validate_checks_selectors_with_cssselect_then_soupsieve_for_what_it_cannot_translate(tmp_path):
    config = write_config(tmp_path, """
        [[sources]]
        name = "portal"
        kind = "html"
        url = "http://127.0.0.1:9/list"
        items = "li:has(a)"
        key = "@id"
        fields = { text = 'li:-soup-contains("x")', date = "span.date", note = "a::before" }
    """)
    refused = run_cli("--config", str(config), "validate", cwd=tmp_path)
    assert refused.returncode == 2
    assert (f"{config}: sources[0] (\"portal\").fields: note: invalid CSS selector 'a::before': "
            "Pseudo-element found at position 1") in refused.stderr
    assert "items" not in refused.stderr  # cssselect translates :has()
    assert "text:" not in refused.stderr  # only soupsieve knows :-soup-contains()

    config.write_text(config.read_text(encoding="utf-8").replace("a::before", "a.note"), encoding="utf-8")
    loaded = _loaded_after(["--config", str(config), "validate"], tmp_path)
    assert _imported(loaded, ["cssselect", "soupsieve"]) == ["cssselect", "soupsieve"]


def test_an_unknown_kind_still_lists_every_kind(tmp_path):
    config = write_config(tmp_path, """
        [[sources]]
        name = "a"
        kind = "nosuchkind"
        url = "http://127.0.0.1:9/"
        [[channels]]
        name = "c"
        kind = "pager"
    """)
    result = run_cli("--config", str(config), "validate", cwd=ROOT)
    assert result.returncode == 2
    assert ("sources[0] (\"a\").kind: unknown source kind 'nosuchkind' (known: coe, feed, hcch, html, ilo, json, nl_treaties, pravo, unoda, untc)"
            in result.stderr)
    assert "channels[0] (\"c\").kind: unknown channel kind 'pager' (known: apprise, email, webhook)" in result.stderr
