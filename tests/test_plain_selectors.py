"""A config's plain selectors are checked without cssselect, and every selector is still accepted
or refused exactly as cssselect (then soupsieve) decides."""

from __future__ import annotations

import random

import pytest
import soupsieve
from cssselect import HTMLTranslator, SelectorError
from lxml import etree

from monitor import options as o
from monitor.sources.html import _selector
from monitor.sources.plaincss import is_plain

NAMES = ["li", "div", "a", "td", "h2", "x-y", "_u", "Tr", "or", "and", "text", "node", "mod", "n", "odd"]
STRINGS = ['"x"', "'a b'", '""', '"@"', "'-'"]
NTH = ["1", "12", "0", "odd", "even", "n", "2n", "2n+1", "3n-2", "n+4"]
SPACES = ["", " ", "  ", "\t", "\n"]


def _attribute(rng: random.Random) -> str:
    pad = lambda: rng.choice(SPACES)  # noqa: E731
    if rng.random() < 0.3:
        return f"[{pad()}{rng.choice(NAMES)}{pad()}]"
    value = rng.choice(NAMES + STRINGS)
    return f"[{pad()}{rng.choice(NAMES)}{pad()}{rng.choice(['', '~', '^', '$', '*', '|'])}={pad()}{value}{pad()}]"


def _simple(rng: random.Random, of_type: bool) -> str:
    choice = rng.randrange(6 if of_type else 5)
    if choice == 0:
        return "." + rng.choice(NAMES)
    if choice == 1:
        return "#" + rng.choice(NAMES)
    if choice == 2:
        return _attribute(rng)
    if choice == 3:
        return ":" + rng.choice(["first-child", "last-child", "only-child", "empty"])
    if choice == 4:
        return f":nth-{rng.choice(['', 'last-'])}child({rng.choice(NTH)})"
    return rng.choice([":first-of-type", ":last-of-type", ":only-of-type",
                       f":nth-{rng.choice(['', 'last-'])}of-type({rng.choice(NTH)})"])


def _compound(rng: random.Random) -> str:
    head = rng.choice(["", "*", *NAMES])
    count = rng.randrange(0 if head else 1, 4)
    return head + "".join(_simple(rng, of_type=head not in ("", "*")) for _ in range(count))


def plain(rng: random.Random) -> str:
    """A selector built from the plain grammar's own pieces."""
    groups = []
    for _ in range(rng.randrange(1, 3)):
        parts = [_compound(rng)]
        for _ in range(rng.randrange(0, 3)):
            parts.append(rng.choice([" ", " > ", ">", "+", " ~ ", "\t", " + "]))
            parts.append(_compound(rng))
        groups.append("".join(parts))
    return rng.choice([",", ", ", " ,"]).join(groups)


STRAYS = ["*:first-of-type", ":first-of-type", ".a:nth-of-type(2)", "::before", "::text", ":has(a)",
          ':contains("x")', ":not(.a)", ":hover", ":nth-child(-n+3)", ":nth-child( 2 )", "é", "ü.x",
          "\\61", "\\", "#1", "[", "]", "(", ")", "'", '"', "!", "@", ">", ",", "  ", "-", "--x", ":",
          ".", "#", "[a=1]", "[a!=b]", "|", "*|a", "\u00a0", "\u2003", "&", "%", "a:nth-child(n+)",
          ":scope", ":root", ":nth-child(1234567)", "0", "-a"]


def near_miss(rng: random.Random) -> str:
    """A plain selector with something stray put in, taken out or swapped."""
    text = plain(rng)
    at = rng.randrange(len(text) + 1)
    roll = rng.random()
    if roll < 0.6:
        return text[:at] + rng.choice(STRAYS) + text[at:]
    if roll < 0.8:
        return text[:at] + text[at + 1:]
    return text[:at] + rng.choice(STRAYS) + text[at + rng.randrange(1, 4):]


def _old_outcome(value: str) -> str | None:
    """What the config check answered before plain selectors were recognised: None when
    accepted, otherwise the problem reported."""
    try:
        css = o.nonempty_text(value).split("@", 1)[0].strip()
    except ValueError as exc:
        return str(exc)
    if not css or css == ":scope":
        return None
    try:
        HTMLTranslator().css_to_xpath(css, prefix="descendant::")
        return None
    except SelectorError:
        pass
    try:
        soupsieve.compile(css)
        return None
    except (soupsieve.SelectorSyntaxError, NotImplementedError) as exc:
        return f"invalid CSS selector {css!r}: {str(exc).splitlines()[0]}"


def _outcome(css: str) -> str | None:
    try:
        _selector(css)
        return None
    except ValueError as exc:
        return str(exc)


def _cases() -> list[str]:
    rng = random.Random(16)
    return [plain(rng) for _ in range(2500)] + [near_miss(rng) for _ in range(2500)]


def test_every_plain_selector_translates_and_compiles_for_lxml():
    accepted = 0
    for css in _cases():
        if not is_plain(css):
            continue
        accepted += 1
        for prefix in ("descendant::", "descendant-or-self::"):
            try:
                expression = HTMLTranslator().css_to_xpath(css, prefix=prefix)
            except SelectorError as exc:
                pytest.fail(f"recognised as plain but cssselect refuses {css!r}: {exc}")
            etree.XPath(expression)  # raises if lxml cannot compile it
    assert accepted > 2500  # every generated plain selector and some near misses


@pytest.mark.filterwarnings("ignore::FutureWarning")  # soupsieve on :contains()
def test_a_config_accepts_and_refuses_exactly_the_selectors_it_did_before():
    cases = _cases()
    refused = [css for css in cases if _old_outcome(css) is not None]
    assert len(refused) > 500  # the near misses do reach the refusals
    for css in cases:
        assert _outcome(css) == _old_outcome(css), css


@pytest.mark.filterwarnings("ignore::FutureWarning")  # soupsieve on :contains()
@pytest.mark.parametrize("css", ["*:first-of-type", ".a:last-of-type", "li::before", "li:has(a)",
                                 'li:contains("x")', "ли", "li\\.x", "#1", "[a=1]", "li:nth-child(-n+3)"])
def test_what_is_not_plain_goes_to_the_full_check(css):
    assert not is_plain(css)
    assert _outcome(css) == _old_outcome(css)


@pytest.mark.parametrize("css", ["ul > li.item", "table#chart tr:nth-child(2n+1) td:first-child",
                                 'a[href^="/doc"], h2 + p ~ p', "li:nth-of-type(odd)", "*[lang|=en]"])
def test_common_selectors_are_plain(css):
    assert is_plain(css)
