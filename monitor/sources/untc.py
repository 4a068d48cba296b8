"""The `untc` kind (work in progress)."""

from __future__ import annotations

from typing import ClassVar

from .base import Source


class UntcSource(Source):
    kind: ClassVar[str] = "untc"
