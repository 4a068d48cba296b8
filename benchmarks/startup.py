"""What start-up costs, in instructions: the floor's imports, the CLI's, and a command that loads a config.

    python -m benchmarks.startup [--sources 1000] [--code DIR]

Runs each under valgrind's callgrind and reports the instructions it collected (repeatable to
well under 1 %, where CPU time on a shared machine swings by a third): `import asyncio, httpx`
(what `benchmarks/floor.py` imports), `import monitor.cli.commands`, that plus the `html` kind and the
webhook channel (what `check` of the `compare_urlwatch` config imports before its first
request), and `legal-monitor validate` of that config with N html sources (imports, the config
read and checked, each source described). No network. Bytecode is cached first, as an installed
package has it. `--code DIR` measures the `monitor/` of another tree (such as an export of an
older commit) with this interpreter. Needs `valgrind` on the PATH.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .common import PYTHON, ROOT, bench_env, code_version, table, write_config

CHECK_IMPORTS = "import monitor.cli.commands, monitor.sources.html, monitor.channels.webhook"


def instructions(args: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Instructions callgrind collected running `args` (the command must succeed)."""
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *args], cwd=cwd,
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {result.stderr[-2000:]}")
    found = re.search(r"Collected : (\d+)", result.stderr)
    if not found:
        raise RuntimeError(f"no instruction count from callgrind: {result.stderr[-500:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--code", type=Path, default=ROOT, help="tree whose monitor/ is measured (default: this one)")
    args = parser.parse_args(argv)
    if not shutil.which("valgrind"):
        parser.error("valgrind is not installed")
    code = args.code.resolve()
    env = {**bench_env(), "PYTHONPATH": str(code)}
    env.pop("PYTHONSAFEPATH", None)
    with tempfile.TemporaryDirectory() as folder:
        config = write_config(Path(folder), "http://127.0.0.1:9", args.sources, "html")
        commands = [
            ("floor: import asyncio, httpx", ["-c", "import asyncio, httpx"]),
            ("import monitor.cli.commands", ["-c", "import monitor.cli.commands"]),
            ("import monitor.cli.commands + html kind + webhook", ["-c", CHECK_IMPORTS]),
            (f"validate, {args.sources} html sources", ["-m", "monitor", "--config", str(config), "validate"]),
        ]
        for _, command in commands:  # writes the bytecode caches
            subprocess.run([PYTHON, *command], cwd=code, env=env, capture_output=True, check=True)
        rows = [(label, instructions([PYTHON, *command], code, env)) for label, command in commands]
    floor = rows[0][1]
    version = code_version() if code == ROOT else str(code)
    print(f"startup  code {version}  {args.sources} html sources")
    print(table(["run", "instructions (G)", "÷ floor"], [(label, f"{n / 1e9:.3f}", f"{n / floor:.2f}")
                                                          for label, n in rows]))
    print("SUMMARY " + " ".join(f"{key}={n}" for key, (_, n) in
                                zip(("floor", "import_cli", "check_imports", "validate"), rows, strict=False)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
