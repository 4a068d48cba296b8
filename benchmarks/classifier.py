"""Precision and recall of the keyword classifier on the headline table of its tests.

Run: python -m benchmarks.classifier [-v]   (-v lists every miss)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers.headlines import HEADLINES  # noqa: E402
from monitor.sources.classify import classify  # noqa: E402


def score(table: list[tuple[str, str | None]]) -> tuple[int, int, int, list[tuple[str, str | None, str | None]]]:
    """(true positives, false positives, false negatives, misses) of `classify` on `table`.

    A positive is a headline that names a treaty action; it counts as found only with the
    right event type. A wrong type is both a false alarm and a miss."""
    tp = fp = fn = 0
    misses = []
    for text, expected in table:
        got = classify(text)[0]
        if got == expected:
            tp += expected is not None
            continue
        misses.append((text, expected, got))
        fp += got is not None
        fn += expected is not None
    return tp, fp, fn, misses


def main() -> None:
    from benchmarks.common import code_version

    tp, fp, fn, misses = score(HEADLINES)
    positives = sum(expected is not None for _, expected in HEADLINES)
    print(f"{len(HEADLINES)} headlines ({positives} actions, {len(HEADLINES) - positives} look-alikes)")
    print(f"precision {tp / (tp + fp):.3f}  ({tp} right of {tp + fp} raised)")
    print(f"recall    {tp / (tp + fn):.3f}  ({tp} found of {tp + fn} actions)")
    if "-v" in sys.argv:
        for text, expected, got in misses:
            print(f"  expected {expected}, got {got}: {text}")
    print(f"SUMMARY precision={tp / (tp + fp):.3f} recall={tp / (tp + fn):.3f} headlines={len(HEADLINES)} "
          f"code {code_version()}")


if __name__ == "__main__":
    main()
