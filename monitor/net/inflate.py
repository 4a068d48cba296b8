"""Read an HTTP body under a cap on DECODED bytes: gzip/deflate layers inflated in small steps."""

from __future__ import annotations

import zlib
from contextlib import aclosing
from typing import AsyncIterator, Iterator

import httpx

from monitor.errors import FetchError, TooLarge

ACCEPT_ENCODING = "gzip, deflate"
"""The only content-codings asked for: the ones this module can inflate step by step."""
STEP = 64 * 1024
"""Largest piece any layer hands on at once; memory per layer stays near this."""
MAX_LAYERS = 2
"""Content-coding layers accepted (``gzip, gzip`` is two); each one is bounded the same way."""


class _Layer:
    """One gzip or deflate layer, inflating at most STEP bytes per call into zlib."""

    def __init__(self, coding: str):
        self.coding = coding
        self.inflater: zlib._Decompress | None = None
        self.done = False

    def _start(self, data: bytes) -> zlib._Decompress:
        if self.coding == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" should be zlib-wrapped; some servers send raw deflate. The header tells.
        wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self.done:
            if self.inflater is None:
                self.inflater = self._start(data)
            out = self.inflater.decompress(data, STEP)
            data = self.inflater.unconsumed_tail
            if out:
                yield out
            while len(out) == STEP and not data:  # zlib may hold more output for this input
                out = self.inflater.decompress(b"", STEP)
                if out:
                    yield out
            if self.inflater.eof:
                rest = self.inflater.unused_data + data
                self.inflater, data = None, rest
                # gzip allows several members one after another; anything else after the end is ignored
                if not (self.coding == "gzip" and rest.startswith(b"\x1f\x8b")):
                    self.done = True


def codings(response: httpx.Response) -> list[str]:
    """The content-codings applied to the body, in the order they were applied."""
    found = []
    for value in response.headers.get_list("Content-Encoding"):
        for coding in value.split(","):
            coding = coding.strip().lower()
            if coding and coding != "identity":
                found.append("gzip" if coding == "x-gzip" else coding)
    return found


async def decoded_chunks(response: httpx.Response, shown: str) -> AsyncIterator[bytes]:
    """The response body decoded piece by piece, no piece larger than STEP (identity bodies
    come as the network gives them). Raise FetchError for a coding that cannot be bounded."""
    applied = codings(response)
    unknown = [c for c in applied if c not in ("gzip", "deflate")]
    if unknown:
        raise FetchError(f"{shown} answered with content-coding {unknown[0]!r}, which is not supported "
                         f"(asked for {ACCEPT_ENCODING})")
    if len(applied) > MAX_LAYERS:
        raise FetchError(f"{shown} answered with {len(applied)} content-coding layers "
                         f"({', '.join(applied)}); at most {MAX_LAYERS} are accepted")
    layers = [_Layer(coding) for coding in reversed(applied)]  # undo the last one applied first

    def through(data: bytes, index: int) -> Iterator[bytes]:
        if index == len(layers):
            yield data
            return
        for piece in layers[index].feed(data):
            yield from through(piece, index + 1)

    try:
        async for raw in response.aiter_raw():
            for piece in through(raw, 0):
                yield piece
    except zlib.error as exc:
        raise FetchError(f"cannot decode the {'+'.join(applied)} body from {shown}: {exc}") from None


async def read_capped(response: httpx.Response, cap: int, shown: str) -> bytes:
    """The decoded body, or TooLarge as soon as more than `cap` bytes have been decoded."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise TooLarge(f"response from {shown} is {int(declared):,} bytes, over the {cap:,}-byte cap (max_bytes)")
    chunks, total = [], 0
    # An uncoded body (every 304 among them) is read as the network gives it, with no decoding layer.
    body = decoded_chunks(response, shown) if "Content-Encoding" in response.headers else response.aiter_raw()
    async with aclosing(body) as pieces:
        async for chunk in pieces:
            total += len(chunk)
            if total > cap:
                raise TooLarge(f"response from {shown} is over the {cap:,}-byte cap (max_bytes) once decoded")
            chunks.append(chunk)
    return b"".join(chunks)


async def read_head(response: httpx.Response, limit: int) -> bytes:
    """At most `limit` decoded bytes from the start of the body (the rest is not read);
    empty when the body cannot be decoded."""
    chunks, total = [], 0
    try:
        async with aclosing(decoded_chunks(response, str(response.url))) as pieces:
            async for chunk in pieces:
                chunks.append(chunk[: limit - total])
                total += len(chunks[-1])
                if total >= limit:
                    break
    except FetchError:
        return b""
    return b"".join(chunks)
