"""Typed options: each kind's keys read as attributes, defaults from one table, secrets never shown."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from pathlib import Path

import pytest

from helpers.cli import run_cli
from helpers.config import QUICK, channel_table, html_source, monitor_config, write_config
from helpers.http import Reply
from monitor.channels import CHANNEL_KINDS, ChannelConfig
from monitor.channels.email import EmailChannel
from monitor.channels.webhook import WebhookChannel
from monitor.config import load_config, parse_config
from monitor.errors import ConfigError
from monitor.options import typed_options
from monitor.settings import SourceConfig
from monitor.sources import SOURCE_KINDS
from monitor.sources.html import HtmlSource

HOOK_SECRET = "hook-secret-5f0c9a"
SMTP_PASSWORD = "smtp-password-77e1"
HTTP_TOKEN = "http-token-a1b2c3"
PAGE = "<ul><li id='fr'>France</li><li id='cl'>Chile</li></ul>"

# The keys each kind needs; everything else is left to its defaults.
REQUIRED = {
    "html": {"url": "https://portal.example/list", "items": "li", "key": "@id"},
    "json": {"url": "https://portal.example/api", "key": "code"},
    "feed": {"url": "https://portal.example/feed"},
    "pravo": {}, "coe": {}, "untc": {}, "nl_treaties": {}, "unoda": {}, "hcch": {}, "ilo": {},
    "webhook": {"url": "https://hooks.example/in"},
    "email": {"smtp_host": "smtp.example", "from": "monitor@example.org", "to": ["desk@example.org"]},
    "apprise": {"urls": ["json://hooks.example/in"]},
}


def secret_config(tmp_path: Path, page: str, hook: str) -> Path:
    return monitor_config(tmp_path, html_source(page),
                          channel_table("hook", "webhook", url=hook, secret_env="LM_HOOK_SECRET", events=["record_added"]),
                          channel_table("mail", "email", smtp_host="127.0.0.1", smtp_port=9, username="monitor",
                                        password_env="LM_SMTP_PASSWORD", from_="monitor@example.org",
                                        to=["desk@example.org"], events=["signature"]),
                          state="s.db", http={"token_env": "LM_HTTP_TOKEN"}, defaults={**QUICK, "alert_on_first_check": True})


SECRET_ENV = {"LM_HOOK_SECRET": HOOK_SECRET, "LM_SMTP_PASSWORD": SMTP_PASSWORD, "LM_HTTP_TOKEN": HTTP_TOKEN}


def test_a_resolved_secret_has_a_field_of_its_own_name_and_no_repr(tmp_path, monkeypatch):
    for name, value in SECRET_ENV.items():
        monkeypatch.setenv(name, value)
    config = load_config(secret_config(tmp_path, "https://portal.example/list", "https://hooks.example/in"))
    hook, mail = config.channels
    assert hook.options.secret == HOOK_SECRET and mail.options.password == SMTP_PASSWORD
    assert config.http_token == HTTP_TOKEN
    assert not hasattr(hook.options, "secret_env") and not hasattr(mail.options, "password_env")
    shown = "\n".join([repr(config), str(config), repr(hook), repr(mail.options), f"{hook.options!s}"])
    for secret in SECRET_ENV.values():
        assert secret not in shown
    assert "monitor@example.org" in shown  # the rest of the options are still shown
    assert "secret=" not in shown and "password=" not in shown and "http_token=" not in shown
    with pytest.raises(dataclasses.FrozenInstanceError):
        hook.options.secret = "changed"


def test_a_webhook_secret_signs_every_message_and_shows_nowhere(tmp_path, server):
    server.routes["/list"] = Reply(200, PAGE, {"Content-Type": "text/html"})
    server.routes["/hook"] = Reply(500, "receiver down")  # a failed send: its detail is logged and listed
    config = secret_config(tmp_path, f"{server.base}/list", f"{server.base}/hook")
    outputs = []
    for command in (["validate"], ["-v", "--log-format", "json", "check"], ["-v", "check"], ["deliveries"],
                    ["status"], ["sources", "--json"]):
        result = run_cli("--config", str(config), *command, env=SECRET_ENV)
        assert "Traceback" not in result.stderr, result.stderr
        outputs += [result.stdout, result.stderr]
    hits = server.hits("/hook")
    assert hits, "the webhook was never called"
    for hit in hits:  # the secret read from the environment is the one that signs
        timestamp = hit.headers["X-Legal-Monitor-Timestamp"].encode()
        mac = hmac.new(HOOK_SECRET.encode(), timestamp + b"." + hit.body, hashlib.sha256).hexdigest()
        assert hit.headers["X-Legal-Monitor-Signature"] == f"sha256={mac}"
    shown = "\n".join(outputs)
    assert "500" in shown and "hook" in shown  # the failure itself is reported
    for secret in SECRET_ENV.values():
        assert secret not in shown


def test_a_wrongly_typed_kind_option_is_the_same_clear_error_all_at_once(tmp_path):
    config = write_config(tmp_path, """
        [[sources]]
        name = "charts"
        kind = "coe"
        declarations = "yes"
        treaties = 126

        [[channels]]
        name = "hook"
        kind = "webhook"
        url = "https://hooks.example/in"
        timeout = 5
        format = "teams"

        [[channels]]
        name = "mail"
        kind = "email"
        smtp_host = "smtp.example"
        from = 3
        to = ["desk@example.org"]
    """)
    result = run_cli("--config", str(config), "validate")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    for line in [
        f'{config}: sources[0] ("charts").declarations: must be true or false, not \'yes\'',
        f'{config}: sources[0] ("charts").treaties: must be "all" or a non-empty list of treaty numbers',
        f'{config}: channels[0] ("hook").timeout: must be a duration string with a unit, such as "5s"',
        f'{config}: channels[0] ("hook").format: must be one of \'json\', \'cloudevents\', \'slack\', \'discord\', not \'teams\'',
        f'{config}: channels[1] ("mail").from: must be a string, not 3',
    ]:
        assert line in result.stderr, result.stderr


@pytest.mark.parametrize("kind", sorted(SOURCE_KINDS))
def test_a_source_file_with_only_required_keys_gets_the_tables_defaults(kind):
    raw = {"sources": [{"name": "s", "kind": kind, **REQUIRED[kind]}]}
    loaded = parse_config(raw, Path("/tmp/monitor.toml")).sources[0]
    made = typed_options(SOURCE_KINDS[kind], REQUIRED[kind])
    assert loaded.options == made
    for key, option in SOURCE_KINDS[kind].options.items():
        if not option.required:
            assert getattr(loaded.options, key) == option.default, key
    if kind == "html":  # no kind defaults: the whole entry is what code gets by default
        assert loaded == SourceConfig(name="s", kind="html", options=made)


@pytest.mark.parametrize("kind", sorted(CHANNEL_KINDS))
def test_a_channel_file_with_only_required_keys_gets_the_tables_defaults(kind):
    if kind == "apprise":
        pytest.importorskip("apprise")
    raw = {"channels": [{"name": "c", "kind": kind, **REQUIRED[kind]}]}
    loaded = parse_config(raw, Path("/tmp/monitor.toml")).channels[0]
    assert loaded == ChannelConfig(name="c", kind=kind, options=typed_options(CHANNEL_KINDS[kind], REQUIRED[kind]))


def test_options_are_typed_by_kind_and_refuse_unknown_keys():
    html = typed_options(HtmlSource, REQUIRED["html"])
    assert (html.items, html.key, html.fields, html.keywords, html.allow_empty) == ("li", "@id", {}, [], False)
    with pytest.raises(TypeError):
        typed_options(HtmlSource, REQUIRED["html"], itmes="li")
    with pytest.raises(TypeError):  # a required key has no default
        typed_options(WebhookChannel)
    mail = typed_options(EmailChannel, REQUIRED["email"])
    assert (mail.from_, mail.security, mail.password) == ("monitor@example.org", "starttls", None)
    assert typed_options(HtmlSource, REQUIRED["html"]).fields is not html.fields  # no shared default table


def test_a_config_error_never_shows_a_secret(tmp_path):
    config = write_config(tmp_path, """
        [[channels]]
        name = "hook"
        kind = "webhook"
        url = "https://hooks.example/in"
        secret_env = "LM_HOOK_SECRET"
        timeout = "soon"
    """)
    with pytest.raises(ConfigError) as error:
        load_config_with(config, {"LM_HOOK_SECRET": HOOK_SECRET})
    assert "channels[0] (\"hook\").timeout" in str(error.value) and HOOK_SECRET not in str(error.value)


def load_config_with(path: Path, env: dict[str, str]):
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        return load_config(path)
