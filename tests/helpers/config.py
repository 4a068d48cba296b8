"""The one builder of test configs: the head tables ([state], [http], [daemon], [defaults]) and the
`[[sources]]` and `[[channels]]` tables, written as TOML into the test's folder.

    monitor_config(tmp_path, source_table("portal", "html", url=url, items="li", key="@id"),
                   hook(f"{server.base}/hook"), defaults=QUICK)

`write_config` writes a body as given: for the tests whose subject is the TOML text itself.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

QUICK: Mapping[str, Any] = {"retries": 0, "host_delay": "0s"}
"""Defaults for a test's sources: no retries, no delay between requests to one host."""


class Raw(str):
    """A value written into the TOML as it is (an inline table or array spelled out by the test)."""


def toml(value: Any) -> str:
    """`value` as a TOML value (strings as JSON strings, which TOML reads alike)."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{key} = {toml(item)}" for key, item in value.items()) + " }"
    if isinstance(value, Iterable):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def table(header: str, *lines: str, **values: Any) -> str:
    """A TOML table: `[header]` (or `[[header]]` when given so), its keys, then `lines` as given.
    A key that is a Python keyword takes a trailing underscore (`from_` for `from`)."""
    keys = [f"{key.removesuffix('_')} = {toml(value)}" for key, value in values.items()]
    return "\n" + "\n".join([header, *keys, *(textwrap.dedent(line).strip() for line in lines if line)]) + "\n"


def source_table(name: str, kind: str, *lines: str, **values: Any) -> str:
    """A `[[sources]]` table; `lines` are extra TOML lines written as given."""
    return table("[[sources]]", *lines, name=name, kind=kind, **values)


def channel_table(name: str, kind: str, *lines: str, **values: Any) -> str:
    """A `[[channels]]` table; `lines` are extra TOML lines written as given."""
    return table("[[channels]]", *lines, name=name, kind=kind, **values)


def config_text(*tables: str, state: str | None = "state.db", http: Mapping[str, Any] | None = None,
                daemon: Mapping[str, Any] | None = None, defaults: Mapping[str, Any] | None = None) -> str:
    """A whole config: the head tables that are given, then `tables` (TOML text) in order."""
    head = [table("[state]", path=state) if state is not None else "",
            table("[http]", **http) if http is not None else "",
            table("[daemon]", **daemon) if daemon is not None else "",
            table("[defaults]", **defaults) if defaults is not None else ""]
    return "".join(head) + "\n".join(textwrap.dedent(text) for text in tables) + "\n"


def monitor_config(folder: Path, *tables: str, name: str = "monitor.toml", **head: Any) -> Path:
    """Write `config_text(*tables, **head)` as `folder/name`; the state's path is relative to it."""
    return write_config(folder, config_text(*tables, **head), name)


def write_config(folder: Path, body: str, name: str = "monitor.toml") -> Path:
    """Write `body` (dedented) as the config `folder/name`."""
    path = folder / name
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


def html_source(url: str, extra: str = "", name: str = "portal") -> str:
    """A `[[sources]]` entry (named "portal" unless told) that watches the `<li id=…>` items of `url`."""
    return source_table(name, "html", extra, url=url, items="li", key="@id")


def html_sources(base: str, names: Iterable[str], more: str = "") -> str:
    """One `html` source table per name, watching `{base}/{name}.html` (records are the `li`
    elements, keyed by their `id`), with the `more` keys in each."""
    return "".join(html_source(f"{base}/{name}.html", more, name) for name in names)


def json_source_config(folder: Path, url: str, extra: str = "",
                       fields: str = '{ subject = "state", title = "title" }') -> Path:
    """A config with one `json` source named "parties" (rows keyed by `code`) at `url`, no
    retries or host delay, and the `extra` tables (channels, …) after it."""
    return monitor_config(folder, source_table("parties", "json", url=url, key="code", fields=Raw(fields)),
                          textwrap.dedent(extra), defaults=QUICK)


def hook(url: str, name: str = "hook", *lines: str, **values: Any) -> str:
    """A `[[channels]]` webhook table, named "hook" unless told."""
    return channel_table(name, "webhook", *lines, url=url, **values)


def mailbox(port: int, *lines: str, **values: Any) -> str:
    """The "desk" e-mail channel on the local SMTP server at `port`, from monitor@treaties.example to
    desk@treaties.example; `values` add keys or replace these."""
    return channel_table("desk", "email", *lines, **{"smtp_host": "127.0.0.1", "smtp_port": port,
                                                     "from_": "monitor@treaties.example",
                                                     "to": ["desk@treaties.example"], **values})


def email_channel(port: int, extra: str = "") -> str:
    """The "desk" e-mail channel on a local SMTP server (no TLS, login alerts / LM_SMTP_PASSWORD),
    to two recipients, retried after 100 ms."""
    return mailbox(port, extra, security="none", username="alerts", password_env="LM_SMTP_PASSWORD",
                   to=["desk@treaties.example", "editor@treaties.example"], retry_base="100ms")
