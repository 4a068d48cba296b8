"""Rendered pictures kept by ETag, so an unchanged map is drawn once and then answered from memory."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Callable

DRAWING = "1"
"""Bumped when the drawing code changes, so browsers fetch the new pictures."""


class Pictures:
    """An LRU of SVG documents by ETag; the ETag is a hash of what the picture is drawn from."""

    def __init__(self, size: int = 64):
        self.size = size
        self._kept: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def etag(name: str, *inputs: Any) -> str:
        digest = hashlib.sha256(repr((DRAWING, name, inputs)).encode("utf-8")).hexdigest()[:32]
        return f'"{digest}"'

    def get(self, etag: str, draw: Callable[[], bytes]) -> bytes:
        """The picture with this ETag, drawn now if it is not kept."""
        with self._lock:
            svg = self._kept.get(etag)
            if svg is not None:
                self._kept.move_to_end(etag)
                return svg
        svg = draw()
        with self._lock:
            self._kept[etag] = svg
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return svg
