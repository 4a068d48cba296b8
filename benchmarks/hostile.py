"""Hostile portals and receivers: peak memory and time of `check` / `test-alert` against them.

    python -m benchmarks.hostile [--code DIR] [--drip-limit 120]

Runs on 127.0.0.1: a page sent with ``Content-Encoding: gzip, gzip`` holding 512 MiB of zeros
(about 1 KB on the wire), a webhook receiver answering HTTP 500 with the same body, and a
server that announces 100 KB and sends one byte a second, watched with ``timeout = "2s"`` (so
that no single read times out: only an overall deadline can end the check), and
an SMTP server whose first reply never ends (continuation lines, as fast as it can send).
Last, the cost of decoding: median time to fetch an 11 MB page sent as 37 KB of gzip
(`benchmarks/decode_speed.py`, in the seconds column).
Each is one `legal-monitor` child process; its wall time and peak RSS come from wait4.
``--code DIR`` runs the monitor found in DIR instead (a checkout of an earlier commit, to
compare); ``--drip-limit`` kills a drip check still running after that many seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .common import ROOT, bench_env, code_version, table

sys.path.insert(0, str(ROOT / "tests"))
from helpers.hostile import DripServer, EndlessSmtp, gzip_bomb, measured_run  # noqa: E402  (test helpers, shared)

SOURCE = """
[state]
path = "state-{name}.db"
[defaults]
retries = 0
host_delay = "0s"
jitter = "0s"
timeout = "{timeout}"
max_bytes = "1MB"
[[sources]]
name = "hostile"
kind = "html"
url = "{url}"
items = "li"
key = "@id"
"""

MAIL = """
[[channels]]
name = "mail"
kind = "email"
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
from = "monitor@example.org"
to = ["desk@example.org"]
timeout = "10s"
"""

HOOK = """
[[channels]]
name = "hook"
kind = "webhook"
url = "{url}"
timeout = "5s"
"""


def bomb_server() -> tuple[ThreadingHTTPServer, str]:
    body = gzip_bomb()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(200 if self.command == "GET" else 500)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip, gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=ROOT, help="folder holding the monitor package to run")
    parser.add_argument("--drip-limit", type=float, default=120.0)
    parser.add_argument("--smtp-limit", type=float, default=60.0,
                        help="kill a test-alert still reading an endless SMTP reply after this many seconds")
    args = parser.parse_args()
    server, base = bomb_server()
    drip = DripServer()
    smtp = EndlessSmtp()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        cases = [
            ("page gzip,gzip 512 MiB", ["check"], SOURCE.format(timeout="30s", url=f"{base}/page", name="bomb"), 300.0),
            ("webhook answer gzip,gzip 512 MiB", ["test-alert"],
             SOURCE.format(timeout="30s", url=f"{base}/page", name="hook") + HOOK.format(url=f"{base}/hook"),
             300.0),
            ("drip 1 byte/s, timeout 2s", ["check"],
             SOURCE.format(timeout="2s", url=f"{drip.base}/page", name="drip"), args.drip_limit),
            ("SMTP reply without end", ["test-alert"],
             SOURCE.format(timeout="30s", url=f"{base}/page", name="mail") + MAIL.format(port=smtp.port),
             args.smtp_limit),
        ]
        for index, (name, command, config, limit) in enumerate(cases):
            path = Path(folder) / f"c{index}.toml"
            path.write_text(config, encoding="utf-8")
            run = measured_run([sys.executable, "-m", "monitor", "--config", str(path), *command],
                               cwd=args.code, env=bench_env(), timeout=limit)
            lines = [line for line in run.output.splitlines() if "hostile" in line or ": FAILED" in line]
            last = (lines or [""])[0][-110:]
            killed = " (killed at the limit)" if run.wall >= limit else ""
            rows.append([name, f"{run.peak_mib:.0f}", f"{run.wall:.1f}{killed}", str(run.returncode), last])
    decode = measured_run([sys.executable, str(ROOT / "benchmarks" / "decode_speed.py")], cwd=args.code,
                          env={**bench_env(), "PYTHONPATH": str(args.code)}, timeout=300)
    rows.append(["11 MB page as 37 KB gzip (median ms per fetch)", f"{decode.peak_mib:.0f}",
                 decode.output.strip()[-200:], str(decode.returncode), ""])
    server.shutdown()
    drip.stop()
    smtp.stop()
    print(table(["case", "peak RSS MiB", "seconds", "exit", "message"], rows))
    print(f"code {code_version() if args.code == ROOT else args.code}")
    print("SUMMARY " + "; ".join(f"{r[0]}: {r[1]} MiB, {r[2]} s" for r in rows))


if __name__ == "__main__":
    main()
