"""Per-module mutation scores from the last `mutmut run` (what `make mutation` prints)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 24, -24, 36, 152, 255, 37}  # tests failed, crashed or timed out: the mutant was caught
SURVIVED = {0}
NO_TESTS = {5, 33}


def scores(mutants: Path) -> dict[str, Counter]:
    by_module: dict[str, Counter] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = str(meta.relative_to(mutants)).removesuffix(".meta")
        counts = by_module.setdefault(module, Counter())
        for name, code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].items():
            counts["killed" if code in KILLED else "survived" if code in SURVIVED
                   else "no tests" if code in NO_TESTS else "not checked" if code is None else "other"] += 1
            if code in SURVIVED or code in NO_TESTS:
                counts.setdefault("_names", []).append(name)  # type: ignore[arg-type]
    return by_module


def main(argv: list[str]) -> int:
    folders = [a for a in argv[1:] if not a.startswith("-")]
    mutants = Path(folders[0] if folders else "mutants")
    if not mutants.is_dir():
        print(f"{mutants}: no mutation run found (run `make mutation`)", file=sys.stderr)
        return 2
    table = scores(mutants)
    total = Counter()
    print(f"{'module':40} {'mutants':>8} {'killed':>7} {'survived':>9} {'no tests':>9} {'score':>6}")
    for module, counts in table.items():
        names = counts.pop("_names", [])
        checked = counts["killed"] + counts["survived"] + counts["no tests"]
        score = f"{100 * counts['killed'] / checked:.0f}%" if checked else "-"
        print(f"{module:40} {sum(counts.values()):>8} {counts['killed']:>7} {counts['survived']:>9} "
              f"{counts['no tests']:>9} {score:>6}")
        total.update(counts)
        if "-v" in argv:
            for name in names:
                print(f"    survived: {name}")
    checked = total["killed"] + total["survived"] + total["no tests"]
    if checked:
        print(f"{'all':40} {sum(total.values()):>8} {total['killed']:>7} {total['survived']:>9} "
              f"{total['no tests']:>9} {100 * total['killed'] / checked:>5.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
