"""Settings: the validated configuration as dataclasses, and the option tables that describe it.

This is the ground floor that sources, channels and the network layer read; `config` (the
loader) sits above them and fills these in from a TOML file."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from monitor import options as o
from monitor.events import EVENT_TYPES, OPS_TYPES, TREATY_TYPES, Event
from monitor.options import Option
from monitor.webhosts import host_names

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


def listen_address(value: Any) -> str:
    """A HOST:PORT to listen on."""
    value = o.nonempty_text(value)
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"must be HOST:PORT such as \"127.0.0.1:8080\", not {value!r}")
    return value


HTTP_OPTIONS: dict[str, Option] = {
    "listen": Option(listen_address, "127.0.0.1:8080", help="address of /healthz, /metrics, the feeds and the dashboard"),
    "token_env": Option(o.env_name, None, help="environment variable holding a bearer token the pages require"),
    "username": Option(o.nonempty_text, None, help="user name of HTTP basic auth the pages require"),
    "password_env": Option(o.env_name, None, help="environment variable holding the basic-auth password"),
    "allowed_hosts": Option(host_names, [], help="Host names the pages are reached by besides "
                            "localhost, 127.0.0.1, [::1] and the listen address; required beyond loopback"),
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
                         "operational events go to every channel unless it sets ops = false)")
    return types


Stories = Literal["each", "first"]

CHANNEL_OPTIONS: dict[str, Option] = {
    "name": Option(o.nonempty_text, required=True, help="unique name of the channel"),
    "kind": Option(o.nonempty_text, required=True, help="webhook, email or apprise"),
    "enabled": Option(o.boolean, True, help="false keeps the channel configured but silent"),
    "events": Option(_event_types, list(TREATY_TYPES), help="event types to send (default: treaty actions)"),
    "sources": Option(o.text_list, [], help="only events of these sources (names or globs)"),
    "subjects": Option(o.text_list, [], help="only events about these subjects (case-insensitive)"),
    "ops": Option(o.boolean, True, help="operational events too (source failing or recovered, structure "
                  "changed, delivery failed, events held); false leaves them out"),
    "retry_base": Option(o.positive_duration, 10.0, help="first retry after about this long"),
    "retry_max": Option(o.positive_duration, 3600.0, help="longest wait between retries"),
    "max_age": Option(o.positive_duration, 3 * 86400.0, help="give up on a delivery after this long"),
    "max_attempts": Option(o.integer(1), None, help="give up after this many attempts (default: no limit)"),
    "stories": Option(o.one_of(Stories), "each",
                      help='"first": only the first alert of a story (one action seen by several sources)'),
}


def _default(table: dict[str, Option], key: str) -> Any:
    """A field defaulting to what the option table gives `key`: each default is written once."""
    return o.default_field(table[key])


MAX_DEFAULT_JITTER = 60.0
"""Without `jitter`, a source's checks are spread over a tenth of its interval, at most this."""
SWEEP_MEMO = "sweep_started_at"
"""The memo key holding when the last successful sweep of a source with fast paths started:
its `last_check` may be a fast path's, and the sweep is scheduled from its own last run."""


@dataclass
class SourceConfig:
    """One `[[sources]]` entry, validated, with defaults applied."""

    name: str
    kind: str
    enabled: bool = _default(SOURCE_OPTIONS, "enabled")
    interval: float = _default(SOURCE_OPTIONS, "interval")
    timeout: float = _default(SOURCE_OPTIONS, "timeout")
    request_deadline: float | None = _default(SOURCE_OPTIONS, "request_deadline")
    check_deadline: float = _default(SOURCE_OPTIONS, "check_deadline")
    retries: int = _default(SOURCE_OPTIONS, "retries")
    jitter: float = _default(SOURCE_OPTIONS, "jitter")
    """None (the default) becomes a tenth of the interval, at most `MAX_DEFAULT_JITTER`."""
    retry_base: float = _default(SOURCE_OPTIONS, "retry_base")
    user_agent: str = _default(SOURCE_OPTIONS, "user_agent")
    host_concurrency: int = _default(SOURCE_OPTIONS, "host_concurrency")
    host_delay: float = _default(SOURCE_OPTIONS, "host_delay")
    max_bytes: int = _default(SOURCE_OPTIONS, "max_bytes")
    alert_on_first_check: bool = _default(SOURCE_OPTIONS, "alert_on_first_check")
    failure_threshold: int = _default(SOURCE_OPTIONS, "failure_threshold")
    max_events_per_check: int = _default(SOURCE_OPTIONS, "max_events_per_check")
    proxy: str | None = _default(SOURCE_OPTIONS, "proxy")
    headers: dict[str, str] = _default(SOURCE_OPTIONS, "headers")
    """`headers`, and `headers_env` read from the environment."""
    params: dict[str, str] = field(default_factory=dict)
    """Query parameters from `params_env` (secrets: masked wherever a URL is shown)."""
    ca_bundle: str | None = _default(SOURCE_OPTIONS, "ca_bundle")
    tls_seclevel: int | None = _default(SOURCE_OPTIONS, "tls_seclevel")
    tls_legacy_connect: bool = _default(SOURCE_OPTIONS, "tls_legacy_connect")
    error_if_contains: list[str] = _default(SOURCE_OPTIONS, "error_if_contains")
    options: Any = o.NoOptions()
    """The kind's own keys as its typed options (`options.typed_options`), read as attributes."""

    def __post_init__(self) -> None:
        if self.jitter is None:
            self.jitter = min(MAX_DEFAULT_JITTER, self.interval / 10)

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
    http_token: str | None = field(default=None, repr=False)
    """With `http_username`/`http_password`: what the pages and feeds require (never /healthz);
    the token and password are read from `token_env` and `password_env`."""
    http_username: str | None = None
    http_password: str | None = field(default=None, repr=False)
    http_allowed_hosts: list[str] = field(default_factory=list)
    """`[http] allowed_hosts`: Host names accepted besides the loopback ones and the listen address."""

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


@dataclass
class ChannelConfig:
    """One `[[channels]]` entry, validated."""

    name: str
    kind: str
    enabled: bool = _default(CHANNEL_OPTIONS, "enabled")
    events: list[str] = _default(CHANNEL_OPTIONS, "events")
    sources: list[str] = _default(CHANNEL_OPTIONS, "sources")
    subjects: list[str] = _default(CHANNEL_OPTIONS, "subjects")
    ops: bool = _default(CHANNEL_OPTIONS, "ops")
    retry_base: float = _default(CHANNEL_OPTIONS, "retry_base")
    retry_max: float = _default(CHANNEL_OPTIONS, "retry_max")
    max_age: float = _default(CHANNEL_OPTIONS, "max_age")
    max_attempts: int | None = _default(CHANNEL_OPTIONS, "max_attempts")
    stories: Stories = _default(CHANNEL_OPTIONS, "stories")
    """"first": send only the first event of a story (see `stories`)."""
    options: Any = o.NoOptions()
    """The kind's own keys as its typed options (`options.typed_options`), read as attributes."""

    def wants(self, event: Event) -> bool:
        """Whether this channel should receive `event` (its routing filters)."""
        if not self.enabled:
            return False
        if event.type in OPS_TYPES:  # a channel that failed is not told so through itself
            return self.ops and not (event.type == "delivery_failed" and event.details.get("channel") == self.name)
        if event.type not in self.events:
            return False
        if self.sources and not any(fnmatch.fnmatchcase(event.source, pattern) for pattern in self.sources):
            return False
        if self.subjects:
            subject = (event.subject or "").casefold()
            return any(subject == wanted.casefold() for wanted in self.subjects)
        return True
