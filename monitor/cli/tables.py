"""Plain-text tables for the command line: columns padded to their widest cell."""

from __future__ import annotations

from typing import Any


def show(value: Any) -> str:
    return "-" if value is None else str(value)


def print_table(rows: list[list[str]], titles: list[str]) -> None:
    widths = [max([len(t)] + [len(r[i]) for r in rows]) for i, t in enumerate(titles)]
    print("  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=False)).rstrip())
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
