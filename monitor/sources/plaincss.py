"""Recognise plain CSS selectors, which certainly translate to XPath, without loading cssselect."""

from __future__ import annotations

import re

_SPACE = r"[ \t\n\r\f]"
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"  # ASCII only, no escapes, no leading '-'
_STRING = r"""(?:"[^"'\\\n\r\f]*"|'[^"'\\\n\r\f]*')"""
_ATTRIBUTE = rf"\[{_SPACE}*{_NAME}{_SPACE}*(?:[~^$*|]?={_SPACE}*(?:{_NAME}|{_STRING}){_SPACE}*)?\]"
_NTH = r"(?:[0-9]{1,6}|odd|even|[0-9]{0,6}n(?:[+-][0-9]{1,6})?)"
_PSEUDO = rf"(?::(?:first-child|last-child|only-child|empty)|:nth-(?:last-)?child\({_NTH}\))"
# The of-type pseudo-classes need an element name: cssselect refuses them after `*` or none.
_OF_TYPE = rf"(?::(?:first|last|only)-of-type|:nth-(?:last-)?of-type\({_NTH}\))"
_SIMPLE = rf"(?:\.{_NAME}|#{_NAME}|{_ATTRIBUTE}|{_PSEUDO})"
_COMPOUND = rf"(?:{_NAME}(?:{_SIMPLE}|{_OF_TYPE})*|\*?{_SIMPLE}+|\*)"
_COMBINATOR = rf"(?:{_SPACE}*[>+~]{_SPACE}*|{_SPACE}+)"
_COMPLEX = rf"{_COMPOUND}(?:{_COMBINATOR}{_COMPOUND})*"
_GROUP = re.compile(rf"{_SPACE}*{_COMPLEX}{_SPACE}*(?:,{_SPACE}*{_COMPLEX}{_SPACE}*)*")


def is_plain(css: str) -> bool:
    """True when `css` is in the plain subset: names, classes, ids, attribute tests and simple
    structural pseudo-classes joined by combinators and commas. Anything else may still be valid."""
    return _GROUP.fullmatch(css) is not None
