"""An httpx client that leaves the cookie jar alone when an answer sets no cookie."""

from __future__ import annotations

from typing import Any

import httpx


class LeanCookies(httpx.Cookies):
    """`httpx.Cookies` that looks at an answer's headers before handing it to the jar.

    httpx passes every answer to the standard library's cookie jar through two adapter
    objects, one of which parses the request's URL again: about a tenth of the CPU of a
    request that comes back 304. An answer with no Set-Cookie or Set-Cookie2 header gives
    the jar nothing to store, so it is skipped; any other answer is handled as before."""

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "Set-Cookie" in headers or "Set-Cookie2" in headers:
            super().extract_cookies(response)


class LeanClient(httpx.AsyncClient):
    """`httpx.AsyncClient` whose cookies are `LeanCookies`: the same cookies kept and sent."""

    def __init__(self, *, cookies: Any = None, **kwargs: Any):
        self._lean_cookies = LeanCookies(cookies)
        super().__init__(cookies=cookies, **kwargs)

    @property  # type: ignore[override]
    def cookies(self) -> httpx.Cookies:
        return self._lean_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._lean_cookies = LeanCookies(cookies)
