"""Per-source transport: a proxy, a CA bundle for a private TLS server (verification on), TLS knobs."""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers.cli import run_cli
from helpers.config import QUICK, html_source, monitor_config
from helpers.http import Reply
from monitor.config import SourceConfig
from monitor.net.fetch import LEGACY_SERVER_CONNECT, tls_context

PAGE = "<html><body><ul><li id='fr'>France</li><li id='ru'>Russian Federation</li></ul></body></html>"


def test_proxy_carries_the_requests_of_its_source(tmp_path, server):
    # The local server acts as the proxy: a name that resolves nowhere is reached through it.
    server.routes["/chart.html"] = Reply(200, PAGE)
    config = monitor_config(tmp_path, html_source("http://portal.invalid/chart.html", f'proxy = "{server.base}"'),
                            state="s.db", defaults=QUICK)
    result = run_cli("--config", str(config), "check", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)[0]["added"] == 2
    [seen] = server.hits("/chart.html")
    assert seen.headers["Host"] == "portal.invalid"


@pytest.fixture
def tls_server(certificate):
    """An HTTPS server on 127.0.0.1 with a certificate no public CA signed."""
    cert, key = certificate

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", cert
    httpd.shutdown()
    httpd.server_close()


def test_certificates_are_verified_and_a_ca_bundle_trusts_a_private_server(tmp_path, tls_server):
    url, cert = tls_server
    untrusted = monitor_config(tmp_path, html_source(f"{url}/chart.html"), name="untrusted.toml", state="s.db",
                               defaults=QUICK)
    result = run_cli("--config", str(untrusted), "check")
    assert result.returncode == 1
    assert "certificate verify failed" in result.stdout and "Traceback" not in result.stderr
    trusted = monitor_config(tmp_path, html_source(f"{url}/chart.html", f'ca_bundle = "{cert}"'), name="trusted.toml",
                             state="s.db", defaults=QUICK)
    result = run_cli("--config", str(trusted), "check", "--json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)[0]["added"] == 2


def test_tls_knobs_touch_only_the_source_that_sets_them():
    plain = tls_context(SourceConfig(name="a", kind="html"))
    legacy = tls_context(SourceConfig(name="b", kind="html", tls_seclevel=0, tls_legacy_connect=True))
    assert plain.verify_mode == legacy.verify_mode == ssl.CERT_REQUIRED
    assert plain.check_hostname and legacy.check_hostname
    assert legacy.options & LEGACY_SERVER_CONNECT
    assert not plain.options & LEGACY_SERVER_CONNECT
    assert legacy.security_level == 0 and plain.security_level >= 1
