"""Builders the tests share, one module per job; tests import them as `helpers.<module>`.

Fixtures are not here but in tests/conftest.py: a test gets a fixture by naming it as an argument.
"""

__all__ = [
    "browser",      # the system Chromium for Playwright, or a skip
    "checks",       # one check cycle in the test's own process
    "cli",          # `python -m monitor` as a subprocess: run_cli, Daemon, serve_process
    "cn_pdf",       # minimal UN depositary notification PDFs
    "coe",          # a local Treaty Office and the `coe` kind's builders
    "config",       # the one config builder: [state], [http], [daemon], [defaults], sources, channels
    "daemon",       # pages and configs for daemon tests, and the waits between their checks
    "dashboard",    # a state database filled by the real checks, served by the web side
    "delivery",     # events stored as a check stores them, and delivered
    "depositaries", # one depositary source and its database, checked as the daemon does
    "disk",         # a small tmpfs, filled to the last byte
    "generic",      # a chart page for the generic kinds and a config watching it
    "headlines",    # EN/RU/FR headlines for the keyword classifier
    "hostile",      # decompression bombs, dripping servers, measured runs
    "http",         # the local HTTP server on 127.0.0.1: Seen, Reply, LocalServer
    "paths",        # ROOT and FIXTURES
    "pravo",        # the `pravo` kind's items, answers and a local portal
    "schema",       # the event@1 JSON Schema as receivers load it
    "smtp",         # a real SMTP server (aiosmtpd) that keeps what it receives
    "tls",          # a self-signed certificate for 127.0.0.1
    "untc",         # the `untc` kind's fixtures, configs and readers
    "web",          # raw requests to the web side, `serve` as a subprocess until it answers
]
