"""Small helpers for readable messages: counted nouns ("1 failure", "2 failures")."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, with the plural form unless the count is one."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"
