"""The fixtures every test folder may ask for by name; the builders behind them are in tests/helpers/."""

from __future__ import annotations

import pytest

# The helpers' own asserts (run_cli checks `events --json` against the schema) report like a test's.
pytest.register_assert_rewrite("helpers")

from helpers.cli import run_cli  # noqa: E402
from helpers.config import write_config  # noqa: E402
from helpers.dashboard import serve_dashboard  # noqa: E402
from helpers.disk import mount_small_disk, unmount  # noqa: E402
from helpers.http import LocalServer, Reply  # noqa: E402
from helpers.smtp import start_smtp  # noqa: E402
from helpers.tls import self_signed  # noqa: E402

__all__ = ["Reply", "run_cli", "write_config"]
"""Importable from here only for tests/test_event_ids.py, which is kept byte for byte (tests/README.md)."""


@pytest.fixture
def server():
    """The local HTTP server on 127.0.0.1; every event POSTed to it must match event-1.schema.json."""
    local = LocalServer().start()
    yield local
    local.stop()
    assert local.schema_errors == [], "a delivered event does not match event-1.schema.json"


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate and its key for 127.0.0.1, as (cert, key) paths."""
    made = self_signed(tmp_path)
    if made is None:
        pytest.skip("openssl is needed to make a test certificate")
    return made


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 accepting login alerts / pw-from-env."""
    inbox = start_smtp()
    yield inbox
    try:
        inbox.controller.stop()
    except Exception:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The base address of the dashboard over a database the real checks filled (one per module)."""
    with serve_dashboard(tmp_path_factory.mktemp("dash")) as base:
        yield base


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    problem = mount_small_disk(mount)
    if problem:
        pytest.skip(f"cannot mount a small tmpfs here: {problem}")
    yield mount
    unmount(mount)
