"""Debian's Chromium for Playwright, or a skip that says how `make test` installs it."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def browser_or_skip(playwright):
    """The system Chromium launched headless by `playwright`; the test is skipped without it."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium with apt-get (needs root)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
