"""A tiny schema language for config keys: each key has a parser, a default and a help line."""

from __future__ import annotations

import copy
import keyword
import os
from dataclasses import Field, dataclass, field, make_dataclass
from functools import lru_cache, partial
from typing import Any, Callable, get_args
from urllib.parse import urlsplit

import httpx

from monitor.durations import parse_duration
from monitor.text import mask_url

Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Option:
    """One config key: `parse` turns the TOML value into the typed value or raises ValueError."""

    parse: Parser
    default: Any = None
    required: bool = False
    help: str = ""


def validate_table(table: Any, schema: dict[str, Option], path: str, problems: list[str],
                   defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """Parse `table` against `schema`; append "path.key: problem" lines to `problems`.

    Unknown keys are problems. Missing keys take `defaults[key]`, then the option default.
    Keys ending in ``_env`` are resolved from the environment here, so a missing variable
    is reported at start-up; the values stay under the table's keys (``values["password_env"]``
    is the secret itself) until `typed_options` files each under its field name (``password``).
    """
    out: dict[str, Any] = {}
    if not isinstance(table, dict):
        problems.append(f"{path}: must be a table, not {type(table).__name__}")
        return out
    for key in table:
        if key not in schema:
            close = _closest(key, schema)
            hint = f" (did you mean {close!r}?)" if close else ""
            problems.append(f"{_join(path, key)}: unknown key{hint}")
    for key, option in schema.items():
        if key in table:
            try:
                value = option.parse(table[key])
            except ValueError as exc:
                problems.append(f"{_join(path, key)}: {exc}")
                continue
            if key.endswith("_env") and value is not None:
                value = resolve_env(value, _join(path, key), problems)
            out[key] = value
        elif option.required:
            problems.append(f"{_join(path, key)}: required key is missing")
        elif defaults is not None and key in defaults:
            out[key] = defaults[key]
        else:
            out[key] = option.default
    return out


class Secret(str):
    """A string read from the environment; its repr never shows the value."""

    def __repr__(self) -> str:
        return "Secret('***')"


def resolve_env(value: Any, where: str, problems: list[str]) -> Any:
    """The secret an ``*_env`` value names (a table of them for a table), read from the
    environment; a variable that is not set, or set but empty, is a problem at `where`."""
    if isinstance(value, dict):
        return {k: resolve_env(v, f"{where}.{k}", problems) for k, v in value.items()}
    if value not in os.environ:
        problems.append(f"{where}: environment variable {value} is not set")
        return None
    if not os.environ[value]:  # an empty token would turn access control off without a word
        problems.append(f"{where}: environment variable {value} is set but empty")
        return None
    return Secret(os.environ[value])


# --- typed options: a table as a frozen dataclass -----------------------------------------

def field_name(key: str) -> str:
    """The attribute holding option `key`: a ``*_env`` key holds the value read from that
    variable, so it drops the suffix (``secret_env`` → ``secret``); a Python keyword takes a
    trailing underscore (``from`` → ``from_``)."""
    name = key[:-4] if key.endswith("_env") else key
    return f"{name}_" if keyword.iskeyword(name) else name


def default_field(option: Option, **kw: Any) -> Any:
    """A dataclass field defaulting to `option`'s default (each field gets its own copy of a
    list or table), or with no default when the option is required."""
    default = option.default
    if option.required:
        return field(**kw)
    if isinstance(default, (list, dict, set)):
        return field(default_factory=partial(copy.copy, default), **kw)
    return field(default=default, **kw)


_TYPES: dict[int, tuple[dict[str, Option], type]] = {}
"""The typed options class of each table, built on first use (by id, with the table kept alive)."""


def options_type(table: dict[str, Option], name: str = "Options") -> type:
    """The frozen dataclass of an option table: one keyword field per key, named by `field_name`,
    defaulting to the option's default. A ``*_env`` field (a secret) is never in its repr.
    Its `_option_fields` maps each option key to its field name (`_field_names` are the fields);
    `_renamed` says whether any differs."""
    known = _TYPES.get(id(table))
    if known is not None:
        return known[1]
    fields: list[tuple[str, Any, Field]] = []
    for key, option in table.items():
        annotation = getattr(option.parse, "__annotations__", {}).get("return", "Any")
        if option.default is None and not option.required:
            annotation = f"{annotation} | None"
        fields.append((field_name(key), annotation, default_field(option, repr=not key.endswith("_env"))))
    names = {key: spec[0] for key, spec in zip(table, fields, strict=False)}
    if len(set(names.values())) != len(names):
        raise ValueError(f"{name}: two options share a field name in {list(names.values())}")
    built = make_dataclass(name, fields, frozen=True, kw_only=True,
                           namespace={"_option_fields": names, "_field_names": frozenset(names.values()),
                                      "_renamed": any(k != f for k, f in names.items())})
    _TYPES[id(table)] = (table, built)
    return built


_KINDS: dict[type, type] = {}
"""The typed options class of each kind, once looked up."""


def typed_options(kind: type, values: dict[str, Any] | None = None, **more: Any) -> Any:
    """The typed options of `kind` (a source or channel class with an `options` table) from
    values by option key (as `validate_table` returns them) or by field name; missing keys
    take their defaults."""
    built = _KINDS.get(kind)
    if built is None:
        owner = next((c for c in kind.__mro__ if "options" in c.__dict__), kind)
        built = _KINDS[kind] = options_type(kind.options, f"{owner.__name__}Options")
    items = {**values, **more} if values and more else values or more
    if built._renamed:
        items = {built._option_fields.get(key, key): value for key, value in items.items()}
    if items.keys() == built._field_names:
        # Validated values fill every field: set them as the frozen __init__ would, without its
        # one setattr call per field (the loader builds one per source; benchmarks/config_build).
        typed = object.__new__(built)
        typed.__dict__.update(items)
        return typed
    return built(**items)


@dataclass(frozen=True)
class NoOptions:
    """The options of a config made in code without any of its kind's keys."""


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _closest(key: str, schema: dict[str, Option]) -> str | None:
    import difflib

    match = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.75)
    return match[0] if match else None


# --- parsers -----------------------------------------------------------------------------

def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_show(value)}")
    return value


def nonempty_text(value: Any) -> str:
    if not text(value).strip():
        raise ValueError("must not be empty")
    return value


def env_name(value: Any) -> str:
    if not isinstance(value, str) or not value or not all(c.isalnum() or c == "_" for c in value):
        raise ValueError(f"must name an environment variable (letters, digits, _), not {_show(value)}")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {_show(value)}")
    return value


MAX_DURATION = 3650 * 86400.0
"""Ten years: longer durations are typing mistakes, and overflow date arithmetic."""


def duration(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"must be a duration such as \"30m\", not {_show(value)}")
    if isinstance(value, (int, float)):
        raise ValueError(f"must be a duration string with a unit, such as \"{value}s\"")
    seconds = parse_duration(value)
    if seconds > MAX_DURATION:
        raise ValueError(f"{value!r} is longer than the longest duration accepted (3650d)")
    return seconds


def positive_duration(value: Any) -> float:
    seconds = duration(value)
    if seconds <= 0:
        raise ValueError("must be longer than zero")
    return seconds


def interval_or_off(value: Any) -> float | None:
    """A positive duration, or "off" (None): for a job that can be turned off."""
    if isinstance(value, str) and value.strip().lower() == "off":
        return None
    return positive_duration(value)


def integer(low: int | None = None, high: int | None = None) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number, not {_show(value)}")
        if low is not None and value < low:
            raise ValueError(f"must be at least {low}, not {value}")
        if high is not None and value > high:
            raise ValueError(f"must be at most {high}, not {value}")
        return value
    return parse


def size(value: Any) -> int:
    """A byte size: an integer, or a string like "20MB", "512KB"."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        units = {"kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "b": 1}
        lowered = value.strip().lower()
        for unit, factor in units.items():
            if lowered.endswith(unit) and lowered[: -len(unit)].strip().replace(".", "", 1).isdigit():
                size = int(float(lowered[: -len(unit)]) * factor)
                if size < 1:
                    raise ValueError(f"{value!r} is less than one byte")
                return size
    raise ValueError(f"must be a size such as \"20MB\", not {_show(value)}")


def choice(*choices: Any) -> Parser:
    def parse(value: Any) -> Any:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(repr(c) for c in choices)}, not {_show(value)}")
        return value
    return parse


def one_of(literal: Any) -> Parser:
    """One of the values of a ``Literal[...]`` type; the typed option is annotated with it."""
    parse = choice(*get_args(literal))
    parse.__annotations__ = {"return": literal}
    return parse


def text_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"must be a list of strings, not {_show(value)}")
    return list(value)


def text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f"must be a table of strings, not {_show(value)}")
    return dict(value)


def base_url(value: Any) -> str:
    """A site's address, kept without a trailing slash so paths join as f"{base}/path"."""
    return url(value).rstrip("/")


def map_of(check: Parser) -> Parser:
    """A table of strings whose every value must pass `check`."""
    def parse(value: Any) -> dict[str, str]:
        mapping = text_map(value)
        for key, item in mapping.items():
            try:
                check(item)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return mapping
    return parse


env_map = map_of(env_name)


def url(value: Any) -> str:
    """An http(s) URL with a host, and a port (if any) from 1 to 65535."""
    value = nonempty_text(value)
    shown = lambda: repr(mask_url(value))  # noqa: E731 - only for the messages
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"must be an http:// or https:// URL, not {shown()}")
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port
        url_host(value)  # httpx must read it too
    except (ValueError, httpx.InvalidURL) as exc:
        raise ValueError(f"{shown()} is not a valid URL: {exc}") from None
    if not host:
        raise ValueError(f"{shown()} names no host")
    if port == 0:
        raise ValueError(f"{shown()}: port must be 1 to 65535")
    return value


@lru_cache(maxsize=4096)
def url_host(url: str) -> str:
    """The host httpx reads in an address, parsed once per address (the config checks each
    one, and the fetcher asks again for every request)."""
    return httpx.URL(url).host


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return f"a {'table' if isinstance(value, dict) else 'list'}"
    return repr(value)
