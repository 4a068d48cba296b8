"""Load and validate the TOML configuration into typed dataclasses."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Callable

from monitor.channels import CHANNEL_KINDS
from monitor.durations import format_duration
from monitor.errors import ConfigError
from monitor.options import Option, typed_options, validate_table
from monitor.settings import (
    CHANNEL_OPTIONS,
    CONFIG_ENV,
    DAEMON_OPTIONS,
    DEFAULT_CONFIG,
    DEFAULT_OPTIONS,
    HTTP_OPTIONS,
    SOURCE_OPTIONS,
    STATE_OPTIONS,
    ChannelConfig,
    Config,
    SourceConfig,
)
from monitor.sources import SOURCE_KINDS
from monitor.webhosts import allowed_hosts


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    """The config file to use: the explicit path, else $LEGAL_MONITOR_CONFIG, else the default."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG


def load_config(path: str | os.PathLike | None = None, *, channel_secrets: bool = True) -> Config:
    """Read, parse and validate a config file; raise ConfigError listing every problem.
    Without `channel_secrets` (for a process that sends nothing), a channel's `*_env` variable
    that is not set is no problem: that secret is left out."""
    path = config_path(path)
    return parse_config(read_toml(path), Path(path), channel_secrets=channel_secrets)


def read_toml(path: str | os.PathLike) -> dict[str, Any]:
    """The TOML document in the file at `path`, or a ConfigError saying why it cannot be read."""
    try:
        # utf-8-sig: a leading byte-order mark (as some Windows editors write) is read past.
        return tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found (give --config PATH or set {CONFIG_ENV})"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read config file: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:  # its text ends with the line and column
        raise ConfigError([f"{path}: invalid TOML: {exc}"]) from None


def parse_config(raw: dict[str, Any], path: Path, *, channel_secrets: bool = True) -> Config:
    """Validate an already-parsed TOML document that came from `path`."""

    problems: list[str] = []
    top = {
        "state": Option(lambda v: v, {}),
        "daemon": Option(lambda v: v, {}),
        "http": Option(lambda v: v, None),
        "defaults": Option(lambda v: v, {}),
        "sources": Option(lambda v: v, []),
        "channels": Option(lambda v: v, [], help="alert channels"),
    }
    tables = validate_table(raw, top, "", problems)
    state = validate_table(tables.get("state", {}), STATE_OPTIONS, "state", problems)
    defaults = validate_table(tables.get("defaults", {}), DEFAULT_OPTIONS, "defaults", problems)
    daemon = validate_table(tables.get("daemon", {}), DAEMON_OPTIONS, "daemon", problems)
    http = validate_table(tables["http"], HTTP_OPTIONS, "http", problems) if tables.get("http") is not None else None

    if http and (http.get("username") is None) != (http.get("password_env") is None):
        problems.append("http: username and password_env go together (basic auth needs both)")
    if http and http.get("listen"):
        try:
            allowed_hosts(http["listen"], http.get("allowed_hosts") or [])
        except ValueError as exc:
            problems.append(f"http.allowed_hosts: {exc}")
    folder = path.resolve().parent
    sources = _parse_array(tables.get("sources", []), "sources", problems,
                           lambda entry, where: _parse_source(entry, where, folder, defaults, SOURCE_KINDS, problems))
    channels = _parse_array(tables.get("channels", []), "channels", problems,
                            lambda entry, where: _parse_channel(entry if channel_secrets else _without_unset_env(entry),
                                                                where, problems))

    if problems:
        raise ConfigError([f"{path}: {p}" for p in problems])
    state_path = Path(state["path"]).expanduser()
    if not state_path.is_absolute():
        state_path = (path.resolve().parent / state_path).resolve()
    return Config(
        path=path,
        state_path=state_path,
        keep_checks=state["keep_checks"],
        keep_snapshots=state["keep_snapshots"],
        shutdown_timeout=daemon["shutdown_timeout"],
        delivery_interval=daemon["delivery_interval"],
        http_listen=http.get("listen") if http else None,
        defaults=defaults,
        sources=sources,
        channels=channels,
        http_token=http.get("token_env") if http else None,
        http_username=http.get("username") if http else None,
        http_password=http.get("password_env") if http else None,
        http_allowed_hosts=http.get("allowed_hosts") or [] if http else [],
    )


def _parse_array(raw: Any, key: str, problems: list[str], parse_one: Callable[[Any, str], Any]) -> list[Any]:
    """Parse an array of tables whose entries have unique `name`s."""
    if not isinstance(raw, list):
        problems.append(f"{key}: must be an array of tables ([[{key}]])")
        return []
    parsed, seen = [], {}
    for index, entry in enumerate(raw):
        where = f"{key}[{index}]"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"].strip():
            where += f' ("{entry["name"]}")'  # the index finds it, the name says which one
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a table")
            continue
        item = parse_one(entry, where)
        if item is None:
            continue
        if item.name in seen:
            problems.append(f"{where}.name: {item.name!r} is already used by {key}[{seen[item.name]}]")
            continue
        seen[item.name] = index
        parsed.append(item)
    return parsed


def _kind(entry: dict[str, Any], where: str, registry: dict[str, Any], label: str,
          problems: list[str]) -> Any:
    """The class an entry's `kind` names, or None (with a problem when the name is unknown)."""
    name = entry.get("kind")
    kind = registry.get(name) if isinstance(name, str) else None
    if isinstance(name, str) and kind is None:
        problems.append(f"{where}.kind: unknown {label} kind {name!r} (known: {', '.join(sorted(registry))})")
    return kind


def _without_unset_env(entry: dict[str, Any]) -> dict[str, Any]:
    """A channel table without the `*_env` keys whose variable is not set."""
    return {k: v for k, v in entry.items() if not (k.endswith("_env") and isinstance(v, str) and v not in os.environ)}


def _parse_channel(entry: dict[str, Any], where: str, problems: list[str]) -> ChannelConfig | None:

    kind = _kind(entry, where, CHANNEL_KINDS, "channel", problems)
    if kind is None:  # validate the common keys only, so every other problem is still shown
        entry = {k: v for k, v in entry.items() if k in CHANNEL_OPTIONS}
    before = len(problems)
    values = validate_table(entry, {**CHANNEL_OPTIONS, **(kind.options if kind else {})}, where, problems)
    if len(problems) > before or kind is None:
        return None
    common = {k: values.pop(k) for k in list(values) if k in CHANNEL_OPTIONS}
    channel = ChannelConfig(**common, options=typed_options(kind, values))
    problems.extend(f"{where}.{problem}" for problem in kind.check_options(channel))
    return channel if len(problems) == before else None


def _check_jitter(source: SourceConfig, where: str, own: bool, problems: list[str]) -> None:
    """Refuse a jitter longer than the interval (the default one never is). `own` says the
    source set it, else it came from [defaults]."""
    if source.jitter > source.interval:
        key, whose = (f"{where}.jitter", "") if own else ("defaults.jitter", f" of {where}")
        problems.append(f"{key}: {format_duration(source.jitter)} is longer than the interval "
                        f"{format_duration(source.interval)}{whose}; make it at most the interval")


@cache
def _source_schema(kind: type | None) -> dict[str, Option]:
    """The keys a source of `kind` accepts (the common ones, then its own), merged once per kind."""
    return {**SOURCE_OPTIONS, **(kind.options if kind else {})}


@cache
def _kind_defaults(kind: type | None) -> dict[str, Any]:
    """A kind's own defaults (politeness, intervals), parsed once per kind."""
    schema = _source_schema(kind)
    return {key: (schema[key].parse(value) if isinstance(value, str) and key in schema else value)
            for key, value in (kind.defaults if kind else {}).items()}


def _parse_source(entry: dict[str, Any], where: str, folder: Path, defaults: dict[str, Any],
                  kinds: dict[str, type], problems: list[str]) -> SourceConfig | None:
    kind = _kind(entry, where, kinds, "source", problems)
    before = len(problems)
    if kind is None:  # validate the common keys only, so every other problem is still shown
        entry = {k: v for k, v in entry.items() if k in SOURCE_OPTIONS}
    # A kind's own defaults win over [defaults]; the source wins over both.
    own = validate_table(entry, _source_schema(kind), where, problems, {**defaults, **_kind_defaults(kind)})
    if len(problems) > before or kind is None:
        return None
    common = {k: own.pop(k) for k in SOURCE_OPTIONS}
    headers = dict(common.pop("headers"))
    headers_env, params_env = common.pop("headers_env"), common.pop("params_env")
    if headers_env:  # most sources set neither
        headers.update((k, v) for k, v in headers_env.items() if v is not None)
    params = {k: v for k, v in params_env.items() if v is not None} if params_env else {}
    source = SourceConfig(**common, headers=headers, params=params, options=typed_options(kind, own))
    _check_jitter(source, where, "jitter" in entry, problems)
    if source.ca_bundle:
        ca = folder / Path(source.ca_bundle).expanduser()
        if not ca.is_file():
            problems.append(f"{where}.ca_bundle: file {ca} does not exist")
            return None
        source.ca_bundle = str(ca)
    for problem in kind.check_options(source):
        problems.append(f"{where}.{problem}")
    return source if len(problems) == before else None


def state_path_problem(path: Path) -> str | None:
    """Why the state database at `path` could not be created or written, or None: its folder
    (or the nearest one that exists, for `check` to create the rest in) must take a new file."""
    import tempfile  # only `validate` asks

    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a folder, so the state database {path} cannot be created"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return f"the state database {path} is not readable and writable by this user"
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".legal-monitor-"):
            pass
    except OSError as exc:
        return f"cannot create files in {folder} (for the state database {path}): {exc.strerror or exc}"
    return None
