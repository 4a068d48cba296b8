"""A tiny schema language for config keys: each key has a parser, a default and a help line."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from .durations import parse_duration
from .redact import mask_url

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
    is reported at start-up, and the resolved value is stored without the suffix's name
    changing (the caller reads ``values["password_env"]`` as the secret itself).
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
                value = _resolve_env(value, _join(path, key), problems)
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


def _resolve_env(value: Any, where: str, problems: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: _resolve_env(v, f"{where}.{k}", problems) for k, v in value.items()}
    if value not in os.environ:
        problems.append(f"{where}: environment variable {value} is not set")
        return None
    return Secret(os.environ[value])


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
