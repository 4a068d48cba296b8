"""Recognise plain CSS selectors, which certainly translate to XPath, without loading cssselect."""

from __future__ import annotations

import re

# One token of a plain selector. The pattern stays small: compiling a regular expression costs
# in proportion to its length, and avoiding cssselect's many large ones is the point.
_SPACE = r"[ \t\n\r\f]"
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"  # ASCII only, no escapes, no leading '-'
_STRING = r"""(?:"[^"'\\\n\r\f]*"|'[^"'\\\n\r\f]*')"""
_ATTRIBUTE = rf"\[{_SPACE}*{_NAME}{_SPACE}*(?:[~^$*|]?={_SPACE}*(?:{_NAME}|{_STRING}){_SPACE}*)?\]"
_NTH = r"(?:[0-9]{1,6}|odd|even|[0-9]{0,6}n(?:[+-][0-9]{1,6})?)"
_PSEUDO = rf":(?:(?:first|last|only)-(?:child|of-type)|empty|nth-(?:last-)?(?:child|of-type)\({_NTH}\))"
_TOKEN = re.compile(rf"(?P<type>{_NAME}|\*)|(?P<simple>[.#]{_NAME}|{_ATTRIBUTE}|{_PSEUDO})"
                    rf"|(?P<combinator>{_SPACE}*[>+~,]{_SPACE}*|{_SPACE}+)")


def is_plain(css: str) -> bool:
    """True when `css` is in the plain subset: type names, classes, ids, attribute tests and
    structural pseudo-classes, joined by combinators and commas. Anything else may still be valid."""
    position, compound = 0, ""  # compound: "" (empty so far), "*" (any element) or "typed"
    while position < len(css):
        token = _TOKEN.match(css, position)
        if token is None:
            return False
        position = token.end()
        if token["type"]:
            if compound:  # a type name only opens a compound
                return False
            compound = "*" if token["type"] == "*" else "typed"
        elif token["simple"]:
            if "-of-type" in token["simple"] and compound != "typed":  # cssselect needs the element name
                return False
            compound = compound or "*"
        elif not compound:  # a combinator or comma needs something before it
            return False
        else:
            compound = ""
    return compound != ""
