"""Values that used to pass `validate` and crash later are config errors with their key path."""

from __future__ import annotations

import pytest

from helpers.cli import run_cli
from helpers.config import html_source, write_config


def source(url: str, defaults: str = "", extra: str = "") -> str:
    return f"""
        [state]
        path = "s.db"
        {defaults}
    """ + html_source(url, extra)


MAIL = """
    [state]
    path = "s.db"
    [[channels]]
    name = "mail"
    kind = "email"
    smtp_host = "{host}"
    security = "{security}"
    username = "alerts"
    password_env = "LM_SMTP_PASSWORD"
    from = "monitor@example.org"
    to = ["desk@example.org"]
"""


@pytest.mark.parametrize("body, where, problem", ids=["ipv6 without bracket", "port over 65535", "port 0", "no host",
                                                      "proxy port", "huge interval", "huge default timeout",
                                                      "max_bytes rounds to 0", "max_bytes zero KB",
                                                      "webhook port"], argvalues=[
    (source("http://[::1"), "sources[0] (\"portal\").url",
     "'http://[::1' is not a valid URL"),
    (source("http://127.0.0.1:70000/x"), "sources[0] (\"portal\").url",
     "'http://127.0.0.1:70000/x' is not a valid URL: Port out of range"),
    (source("http://127.0.0.1:0/x"), "sources[0] (\"portal\").url", "'http://127.0.0.1:0/x': port must be 1 to 65535"),
    (source("https:///chart"), "sources[0] (\"portal\").url", "names no host"),
    (source("https://example.org/", extra='proxy = "http://proxy:65536"'),
     "sources[0] (\"portal\").proxy", "Port out of range"),
    (source("https://example.org/", extra='interval = "99999999999w"'),
     "sources[0] (\"portal\").interval", "longer than the longest duration accepted (3650d)"),
    (source("https://example.org/", defaults='[defaults]\ntimeout = "9999999d"'),
     "defaults.timeout", "longer than the longest duration accepted"),
    (source("https://example.org/", extra='max_bytes = "0.1b"'),
     "sources[0] (\"portal\").max_bytes", "'0.1b' is less than one byte"),
    (source("https://example.org/", extra='max_bytes = "0KB"'),
     "sources[0] (\"portal\").max_bytes", "less than one byte"),
    ("""
        [state]
        path = "s.db"
        [[channels]]
        name = "hook"
        kind = "webhook"
        url = "https://hooks.example.org:99999/in"
     """, "channels[0] (\"hook\").url", "Port out of range"),
])
def test_values_that_crashed_later_are_refused_by_validate_and_check(tmp_path, body, where, problem):
    config = write_config(tmp_path, body)
    for command in ("validate", "check"):
        result = run_cli("--config", str(config), command)
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"{config}: {where}: " in result.stderr and problem in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "s.db").exists()  # refused before anything was opened


def test_a_password_is_never_sent_over_plain_smtp_to_another_host(tmp_path):
    config = write_config(tmp_path, MAIL.format(host="smtp.example.org", security="none"))
    result = run_cli("--config", str(config), "validate", env={"LM_SMTP_PASSWORD": "pw"})
    assert result.returncode == 2
    assert (f'{config}: channels[0] ("mail").security: "none" would send the password in clear to smtp.example.org'
            in result.stderr)


@pytest.mark.parametrize("host, security", [("127.0.0.1", "none"), ("localhost", "none"), ("::1", "none"),
                                            ("smtp.example.org", "starttls"), ("smtp.example.org", "ssl")])
def test_plain_smtp_with_a_password_is_fine_on_loopback_and_tls_anywhere(tmp_path, host, security):
    config = write_config(tmp_path, MAIL.format(host=host, security=security))
    result = run_cli("--config", str(config), "validate", env={"LM_SMTP_PASSWORD": "pw"})
    assert result.returncode == 0, result.stderr


def test_the_largest_durations_and_smallest_sizes_still_accepted_work(tmp_path):
    config = write_config(tmp_path, source("https://[::1]:8443/x",
                                           extra='interval = "3650d"\nmax_bytes = "1b"'))
    result = run_cli("--config", str(config), "validate")
    assert result.returncode == 0, result.stderr
    assert "portal: html every 3650d" in result.stdout
