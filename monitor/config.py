"""Load and validate the TOML configuration into typed dataclasses."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from . import options as o
from .durations import format_duration
from .errors import ConfigError
from .events import EVENT_TYPES, OPS_TYPES, TREATY_TYPES
from .options import Option, validate_table

if TYPE_CHECKING:
    from .channels import ChannelConfig

DEFAULT_CONFIG = Path("config/monitor.toml")
CONFIG_ENV = "LEGAL_MONITOR_CONFIG"
DEFAULT_USER_AGENT = "legal-monitor/0.1 (+https://github.com/legal-monitor/legal-monitor)"

STATE_OPTIONS: dict[str, Option] = {
    "path": Option(o.nonempty_text, "state/monitor.db", help="SQLite file; relative to the config file's folder"),
    "keep_checks": Option(o.positive_duration, o.parse_duration("30d"), help="how long check-log rows are kept"),
    "keep_snapshots": Option(o.integer(1), 20, help="how many changed snapshots are kept per document"),
}

DAEMON_OPTIONS: dict[str, Option] = {
    "shutdown_timeout": Option(o.duration, 10.0, help="how long running checks may finish on SIGTERM"),
    "delivery_interval": Option(o.positive_duration, 5.0, help="how often the delivery step runs"),
}


def _listen(value: Any) -> str:
    value = o.nonempty_text(value)
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"must be HOST:PORT such as \"127.0.0.1:8080\", not {value!r}")
    return value


HTTP_OPTIONS: dict[str, Option] = {
    "listen": Option(_listen, "127.0.0.1:8080", help="address of /healthz, /metrics, the feeds and the dashboard"),
    "token_env": Option(o.env_name, None, help="environment variable holding a bearer token the pages require"),
    "username": Option(o.nonempty_text, None, help="user name of HTTP basic auth the pages require"),
    "password_env": Option(o.env_name, None, help="environment variable holding the basic-auth password"),
}

# Keys that [defaults] sets for every source and any source may override.
DEFAULT_OPTIONS: dict[str, Option] = {
    "interval": Option(o.positive_duration, 3600.0, help="how often a source is checked"),
    "timeout": Option(o.positive_duration, 30.0, help="connect/read timeout of one request"),
    "request_deadline": Option(o.positive_duration, None,
                               help="longest one request may take in all, body included (default 4 × timeout)"),
    "check_deadline": Option(o.positive_duration, 3600.0, help="longest one check of a source may take"),
    "retries": Option(o.integer(0, 10), 3, help="retries of one request on errors that may pass"),
    "jitter": Option(o.duration, None, help="random delay added to each scheduled check "
                     "(default: a tenth of the interval, at most 1m)"),
    "retry_base": Option(o.positive_duration, 60.0, help="first retry of a failed check after this long, "
                         "then twice as long each time, never longer than the interval"),
    "user_agent": Option(o.nonempty_text, DEFAULT_USER_AGENT, help="User-Agent header"),
    "host_concurrency": Option(o.integer(1, 1000), 2, help="concurrent requests per host"),
    "host_delay": Option(o.duration, 0.5, help="minimum time between requests to one host"),
    "max_bytes": Option(o.size, 20 * 1024 * 1024, help="largest response body accepted"),
    "alert_on_first_check": Option(o.boolean, False, help="raise events on a source's first check"),
    "failure_threshold": Option(o.integer(1), 3, help="failed checks in a row that raise source_failing"),
    "max_events_per_check": Option(o.integer(1), 25, help="more new events in one check are held, not sent"),
}

# Keys every source accepts besides the [defaults] keys; kinds add their own.
SOURCE_OPTIONS: dict[str, Option] = {
    "name": Option(o.nonempty_text, required=True, help="unique name of the source"),
    "kind": Option(o.nonempty_text, required=True, help="source kind (see `legal-monitor validate`)"),
    "enabled": Option(o.boolean, True, help="false keeps the source configured but unchecked"),
    "proxy": Option(o.url, None, help="HTTP(S) proxy URL for this source's requests"),
    "headers": Option(o.text_map, {}, help="extra request headers"),
    "headers_env": Option(o.env_map, {}, help="request headers whose values come from environment variables"),
    "params_env": Option(o.env_map, {}, help="query parameters (an API key) whose values come from environment "
                                              "variables, sent only to the source's own origin"),
    "ca_bundle": Option(o.nonempty_text, None, help="PEM file of CA certificates to trust for this source"),
    "tls_seclevel": Option(o.integer(0, 5), None, help="OpenSSL security level for this source's TLS"),
    "tls_legacy_connect": Option(o.boolean, False, help="allow legacy TLS renegotiation for this source"),
    "error_if_contains": Option(o.text_list, [], help="a 200 page containing any of these is a failure"),
    **DEFAULT_OPTIONS,
}


def _event_types(value: Any) -> list[str]:
    types = o.text_list(value)
    unknown = [t for t in types if t not in EVENT_TYPES or t in OPS_TYPES]
    if unknown:
        raise ValueError(f"unknown event type {unknown[0]!r} (known: {', '.join(EVENT_TYPES[:-len(OPS_TYPES)])}; "
                         "operational events are chosen with ops = true)")
    return types


CHANNEL_OPTIONS: dict[str, Option] = {
    "name": Option(o.nonempty_text, required=True, help="unique name of the channel"),
    "kind": Option(o.nonempty_text, required=True, help="webhook, email or apprise"),
    "enabled": Option(o.boolean, True, help="false keeps the channel configured but silent"),
    "events": Option(_event_types, list(TREATY_TYPES), help="event types to send (default: treaty actions)"),
    "sources": Option(o.text_list, [], help="only events of these sources (names or globs)"),
    "subjects": Option(o.text_list, [], help="only events about these subjects (case-insensitive)"),
    "ops": Option(o.boolean, False, help="also send operational events (failing sources, …)"),
    "retry_base": Option(o.positive_duration, 10.0, help="first retry after about this long"),
    "retry_max": Option(o.positive_duration, 3600.0, help="longest wait between retries"),
    "max_age": Option(o.positive_duration, 3 * 86400.0, help="give up on a delivery after this long"),
    "max_attempts": Option(o.integer(1), None, help="give up after this many attempts (default: no limit)"),
    "stories": Option(o.choice("each", "first"), "each",
                      help='"first": only the first alert of a story (one action seen by several sources)'),
}


@dataclass
class SourceConfig:
    """One `[[sources]]` entry, validated, with defaults applied."""

    name: str
    kind: str
    enabled: bool = True
    interval: float = 3600.0
    timeout: float = 30.0
    request_deadline: float | None = None
    check_deadline: float = 3600.0
    retries: int = 3
    jitter: float = 60.0
    retry_base: float = 60.0
    user_agent: str = DEFAULT_USER_AGENT
    host_concurrency: int = 2
    host_delay: float = 0.5
    max_bytes: int = 20 * 1024 * 1024
    alert_on_first_check: bool = False
    failure_threshold: int = 3
    max_events_per_check: int = 25
    proxy: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    """Query parameters from `params_env` (secrets: masked wherever a URL is shown)."""
    ca_bundle: str | None = None
    tls_seclevel: int | None = None
    tls_legacy_connect: bool = False
    error_if_contains: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    """Kind-specific keys, validated by the kind's own schema."""

    def transport_key(self) -> tuple:
        """Sources with equal keys can share one HTTP connection pool."""
        return (self.proxy, self.ca_bundle, self.tls_seclevel, self.tls_legacy_connect, self.timeout)


@dataclass
class Config:
    """The whole validated configuration file."""

    path: Path
    state_path: Path
    keep_checks: float
    keep_snapshots: int
    shutdown_timeout: float
    delivery_interval: float
    http_listen: str | None
    defaults: dict[str, Any]
    sources: list[SourceConfig]
    channels: list[ChannelConfig]
    http_token: str | None = None
    """With `http_username`/`http_password`: what the pages and feeds require (never /healthz)."""
    http_username: str | None = None
    http_password: str | None = None

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    """The config file to use: the explicit path, else $LEGAL_MONITOR_CONFIG, else the default."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read, parse and validate a config file; raise ConfigError listing every problem."""
    path = config_path(path)
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found (give --config PATH or set {CONFIG_ENV})"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read config file: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: invalid TOML: {exc}"]) from None
    return parse_config(raw, Path(path))


def parse_config(raw: dict[str, Any], path: Path) -> Config:
    """Validate an already-parsed TOML document that came from `path`."""
    from .sources import SOURCE_KINDS

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
    folder = path.resolve().parent
    sources = _parse_array(tables.get("sources", []), "sources", problems,
                           lambda entry, where: _parse_source(entry, where, folder, defaults, SOURCE_KINDS, problems))
    channels = _parse_array(tables.get("channels", []), "channels", problems,
                            lambda entry, where: _parse_channel(entry, where, problems))

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
        shutdown_timeout=daemon.get("shutdown_timeout", 10.0),
        delivery_interval=daemon.get("delivery_interval", 5.0),
        http_listen=http.get("listen") if http else None,
        defaults=defaults,
        sources=sources,
        channels=channels,
        http_token=http.get("token_env") if http else None,
        http_username=http.get("username") if http else None,
        http_password=http.get("password_env") if http else None,
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


def _parse_channel(entry: dict[str, Any], where: str, problems: list[str]) -> ChannelConfig | None:
    from .channels import CHANNEL_KINDS, ChannelConfig

    kind = _kind(entry, where, CHANNEL_KINDS, "channel", problems)
    if kind is None:  # validate the common keys only, so every other problem is still shown
        entry = {k: v for k, v in entry.items() if k in CHANNEL_OPTIONS}
    before = len(problems)
    values = validate_table(entry, {**CHANNEL_OPTIONS, **(kind.options if kind else {})}, where, problems)
    if len(problems) > before or kind is None:
        return None
    common = {k: values.pop(k) for k in list(values) if k in CHANNEL_OPTIONS}
    channel = ChannelConfig(**common, options=values)
    problems.extend(f"{where}.{problem}" for problem in kind.check_options(channel))
    return channel if len(problems) == before else None


MAX_DEFAULT_JITTER = 60.0


def _check_jitter(source: SourceConfig, where: str, own: bool, problems: list[str]) -> None:
    """Default the jitter to a tenth of the interval (at most a minute); refuse one longer
    than the interval. `own` says the source set it, else it came from [defaults]."""
    if source.jitter is None:
        source.jitter = min(MAX_DEFAULT_JITTER, source.interval / 10)
    elif source.jitter > source.interval:
        key, whose = (f"{where}.jitter", "") if own else ("defaults.jitter", f" of {where}")
        problems.append(f"{key}: {format_duration(source.jitter)} is longer than the interval "
                        f"{format_duration(source.interval)}{whose}; make it at most the interval")


def _parse_source(entry: dict[str, Any], where: str, folder: Path, defaults: dict[str, Any],
                  kinds: dict[str, type], problems: list[str]) -> SourceConfig | None:
    kind = _kind(entry, where, kinds, "source", problems)
    schema = {**SOURCE_OPTIONS, **(kind.options if kind else {})}
    # A kind's own defaults (politeness, intervals) win over [defaults]; the source wins over both.
    kind_defaults = {key: (schema[key].parse(value) if isinstance(value, str) and key in schema else value)
                     for key, value in (kind.defaults if kind else {}).items()}
    merged_defaults = {**defaults, **kind_defaults}
    before = len(problems)
    if kind is None:  # validate the common keys only, so every other problem is still shown
        entry = {k: v for k, v in entry.items() if k in SOURCE_OPTIONS}
    values = validate_table(entry, schema, where, problems, merged_defaults)
    if len(problems) > before or kind is None:
        return None
    common = {k: values.pop(k) for k in list(values) if k in SOURCE_OPTIONS}
    headers = {**common.pop("headers"), **{k: v for k, v in common.pop("headers_env").items() if v is not None}}
    params = {k: v for k, v in common.pop("params_env").items() if v is not None}
    source = SourceConfig(**common, headers=headers, params=params, options=values)
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
