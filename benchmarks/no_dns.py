"""How long one check of a many-document source takes when the portal's name does not resolve.

A `untc` source of 11 treaties at an unresolvable host (`*.test`, answered in-process by a
stub of socket.getaddrinfo: nothing leaves the machine). Prints the check's duration, the
lookups it made and its one-line error.

Run: python -m benchmarks.no_dns [--retries 3]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import textwrap
import time
from pathlib import Path

from benchmarks.common import code_version
from monitor.config import load_config
from monitor.pipeline.check import check_all
from monitor.store.state import open_state

TREATIES = ["IV-1", "IV-2", "IV-3", "IV-4", "IV-5", "IV-8", "IV-9", "IV-11", "IV-12", "XXVII-7-d", "XVIII-10"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--retries", type=int, default=3, help="the source's retries (default 3, the shipped one)")
    args = parser.parse_args()
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, *rest, **options):
        name = host.decode() if isinstance(host, bytes) else host
        if isinstance(name, str) and name.endswith(".test"):
            lookups.append(name)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *rest, **options)

    socket.getaddrinfo = getaddrinfo
    folder = Path(tempfile.mkdtemp(prefix="lm-no-dns-"))
    (folder / "monitor.toml").write_text(textwrap.dedent(f"""
        [state]
        path = "state.db"
        [[sources]]
        name = "un"
        kind = "untc"
        base_url = "https://treaties.un.test"
        treaties = {TREATIES!r}
        retries = {args.retries}
    """).replace("'", '"'))
    config = load_config(folder / "monitor.toml")
    state = open_state(config.state_path)
    try:
        start = time.monotonic()
        [report] = asyncio.run(check_all(config, state))
        took = time.monotonic() - start
    finally:
        state.close()
    print(f"{len(TREATIES)} documents, retries = {args.retries}: check {report.outcome} in {took:.1f} s, "
          f"{len(lookups)} lookups")
    print(f"error: {report.error}")
    print(f"SUMMARY seconds={took:.1f} lookups={len(lookups)} code {code_version()}")


if __name__ == "__main__":
    main()
