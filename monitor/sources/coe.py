"""The `coe` kind (work in progress)."""

from __future__ import annotations

from typing import ClassVar

from .base import Source


class CoeSource(Source):
    kind: ClassVar[str] = "coe"
