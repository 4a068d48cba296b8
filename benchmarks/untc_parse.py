"""Parse time of one UN treaty file (MTDSG XML and ViewDetails page), and what a full `chapters = "all"` check costs.

    python -m benchmarks.untc_parse [--runs 50]

Parses the constructed Paris Agreement documents (about 200 participant rows, the size of a
large MTDSG table) `--runs` times each and prints the median milliseconds per document, then
the number of requests a check of every chapter makes and the least time the shipped
politeness settings (one request at a time, one second apart) allow for it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from monitor.net.decoding import decode_body
from monitor.sources.untc import CHAPTER_INDEX, build_records, index_refs, parse_html, parse_xml

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "un"


def median_ms(name: str, runs: int) -> tuple[float, int]:
    text = decode_body((FIXTURES / name).read_bytes(), None, "iso-8859-1")
    parser = parse_xml if name.endswith(".xml") else parse_html
    times, count = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        count = len(build_records("XXVII-7-d", parser(text, name), name, "u", None))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs
    xml_ms, records = median_ms("paris_4_2021-01-21.en.xml", runs)
    html_ms, _ = median_ms("paris_4_2021-01-21.html", runs)
    print(f"records per document: {records}")
    print(f"MTDSG XML parse, median of {runs}: {xml_ms:.1f} ms")
    print(f"ViewDetails page parse, median of {runs}: {html_ms:.1f} ms  (ratio html/xml {html_ms / xml_ms:.1f})")
    main_treaties = len(index_refs(sorted(CHAPTER_INDEX)))
    print(f"chapters = \"all\": {main_treaties} index treaties + their lettered instruments a check;"
          f" the weekly probe adds {main_treaties} requests (one 404 each)")
    print(f"at host_delay 1 s, one at a time: at least {main_treaties / 60:.1f} min a check before lettered"
          f" instruments; parsing every file changed costs about {main_treaties * xml_ms / 1000:.1f} s")


if __name__ == "__main__":
    main()
