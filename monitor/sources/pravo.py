"""The `pravo` kind (work in progress)."""

from __future__ import annotations

from typing import ClassVar

from .base import Source


class PravoSource(Source):
    kind: ClassVar[str] = "pravo"
