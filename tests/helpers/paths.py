"""Where the repository and the tests' captured fixtures are."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root (this file is tests/helpers/paths.py)."""
FIXTURES = ROOT / "tests" / "fixtures"
