"""The named exceptions legal-monitor raises, one small hierarchy."""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error legal-monitor reports to its user."""


class ConfigError(MonitorError):
    """The configuration file is missing or invalid; `problems` lists each one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class StateError(MonitorError):
    """The state database cannot be opened, read or written."""


class SourceError(MonitorError):
    """A source could not be checked: fetch failed or the answer is unusable."""


class FetchError(SourceError):
    """The portal could not be reached, or answered with an error status."""

    def __init__(self, message: str, status: int | None = None):
        self.status = status
        super().__init__(message)


class Unresolvable(FetchError):
    """The portal's host name does not resolve: retrying within the same check will not help."""


class TooLarge(FetchError):
    """The response body is larger than the configured cap."""


class StructureChanged(SourceError):
    """The answer does not have the shape the source expects (or lost its items)."""


class BadRequest(MonitorError):
    """A web request with a parameter that cannot be used (an unknown event type, a bad date)."""


def plain_error(text: str) -> str:
    """An OS error's text without its number: "[Errno -2] Name or service not known" reads
    "Name or service not known" (wherever it sits in the message)."""
    import re  # compiled and cached by `re` on first use: most runs print no error

    return re.sub(r"\[Errno -?\d+\]\s*", "", text)
