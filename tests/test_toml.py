"""The config's TOML parser reads every document as the standard library's tomllib does.

The loader parses with rtoml (compiled, TOML 1.0) for speed. A config must mean the same to it
as to tomllib, which users and other tools read it with: the same values from every valid
document, and a refusal with a line and column for every invalid one. The two known
differences are both on the side of the TOML standard: integers beyond 64 bits are refused
(the standard says so; tomllib keeps them), and a leading byte-order mark is skipped (as
editors on Windows write it; tomllib refuses the file).
"""

from __future__ import annotations

import datetime
import random
import re
import tomllib

import pytest

from monitor.config import load_config, read_toml
from monitor.errors import ConfigError

from conftest import ROOT, write_config

VALID = {
    "strings": (r'''
        basic = "tab\there \"quoted\" \u00e9 \U0001F600 back\\slash"
        literal = 'C:\Users\path'
        multi = """
        Roses are red\
            Violets are blue"""
        empty = ""
        cyrillic = "Федеральный закон"
        ''' "multi_literal = '''\nfirst line\n  second 'quoted' line'''\n"),
    "numbers": """
        int = +99
        neg = -17
        under = 1_000_000
        hex = 0xDEAD_beef
        oct = 0o755
        bin = 0b1101
        float = 6.626e-34
        exp = 5e+22
        frac = -0.01
        inf1 = inf
        inf2 = -inf
        zero = -0.0
        big = 9_223_372_036_854_775_807
        small = -9_223_372_036_854_775_808
        """,
    "tables": """
        top = 1
        [a.b.c]
        d = 2
        [a]
        e = 3
        [x."quoted key".y]
        z = true
        ['literal key']
        w = false
        """,
    "dotted and inline": """
        site."google.com" = true
        fruit.apple.color = "red"
        fruit.apple.taste.sweet = true
        point = { x = 1, y = 2, nested = { deep = [1, 2] } }
        empty = {}
        """,
    "arrays": """
        ints = [1, 2, 3]
        mixed = [1, "two", 3.0, [4], { five = 5 }]
        multiline = [
            "a",  # a comment
            "b",
        ]
        empty = []
        [[sources]]
        name = "one"
        [[sources]]
        name = "two"
        [sources.sub]
        k = 1
        [[sources.list]]
        v = 1
        """,
    "dates": """
        odt = 1979-05-27T07:32:00Z
        odt2 = 1979-05-27T00:32:00.999999-07:00
        odt3 = 1979-05-27 07:32:00+01:00
        ldt = 1979-05-27T07:32:00.5
        ld = 1979-05-27
        lt = 07:32:00.123
        """,
    "comments and line ends": "# only a comment\r\nkey = \"v\" # trailing\r\n\r\n[t] # table comment\r\nk = 1\r\n",
}

INVALID = {
    "unclosed table": "[[sources]\nname = 1\n",
    "duplicate key": "a = 1\na = 2\n",
    "table twice": "[a]\nx = 1\n[a]\ny = 2\n",
    "dotted then table": "a.b = 1\n[a]\nc = 2\n",
    "inline table extended": "a = { b = 1 }\n[a.c]\nd = 2\n",
    "bare value": "a = hello\n",
    "no value": "a = \n",
    "unterminated string": 'name = "abc\n',
    "control character": 'a = "x\x01"\n',
    "bad escape": 'a = "\\q"\n',
    "two statements": "a = 1 b = 2\n",
    "no key": "= 1\n",
    "bad date": "a = 2024-02-30\n",
    "bad time": "a = 24:00:00\n",
    "leading zero": "a = 007\n",
    "float without digits": "a = 1.\n",
    "array of tables over array": "a = [1]\n[[a]]\nb = 2\n",
    # TOML 1.1 relaxations tomllib refuses: one meaning for every config.
    "1.1 newline in inline table": "a = { x = 1,\n y = 2 }\n",
    "1.1 trailing comma in inline table": "a = { x = 1, }\n",
    "1.1 \\e escape": 'a = "\\e"\n',
    "1.1 time without seconds": "a = 07:32\n",
}


def _parsed(tmp_path, text: str) -> dict:
    """What the loader reads from a config file holding `text`."""
    path = tmp_path / "doc.toml"
    path.write_text(text, encoding="utf-8")
    return read_toml(path)


def _typed(value):
    """`value` with the type of every scalar beside it (1, 1.0 and True are equal in Python),
    and datetimes as text with their offset (two equal instants may differ in offset)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    if isinstance(value, (datetime.datetime, datetime.time)):
        return type(value).__name__, value.isoformat(), value.utcoffset()
    return type(value).__name__, value


@pytest.mark.parametrize("name", VALID)
def test_a_valid_document_reads_as_tomllib_reads_it(tmp_path, name):
    text = re.sub(r"(?m)^ {8}", "", VALID[name])
    expected = tomllib.loads(text)
    assert _typed(_parsed(tmp_path, text)) == _typed(expected)


@pytest.mark.parametrize("name", INVALID)
def test_an_invalid_document_is_a_config_error_with_its_line_and_column(tmp_path, name):
    text = INVALID[name]
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}: invalid TOML: ")
    assert re.search(r"line \d+ column \d+", problem), problem


def test_the_shipped_configs_read_as_tomllib_reads_them(tmp_path):
    for path in sorted((ROOT / "config").glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        assert _typed(_parsed(tmp_path, text)) == _typed(tomllib.loads(text)), path.name


def test_randomly_built_configs_read_as_tomllib_reads_them(tmp_path):
    """Source tables with every kind of value a config holds, in random shapes and orders."""
    rng = random.Random(20261126)
    words = ["chart", "Федерация", "état", "a b", 'quote"d', "back\\slash", "tab\t", "", "#hash", "=", "'"]

    def string() -> str:
        word = rng.choice(words) + rng.choice(words)
        if "'" not in word and "\t" not in word and rng.random() < 0.3:
            return f"'{word}'"
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'

    def value(depth: int = 0) -> str:
        pick = rng.randrange(7 if depth < 2 else 4)
        return [string, lambda: str(rng.randint(-10**12, 10**12)), lambda: rng.choice(["true", "false"]),
                lambda: repr(rng.uniform(-1e6, 1e6)),
                lambda: "[" + ", ".join(value(depth + 1) for _ in range(rng.randrange(4))) + "]",
                lambda: "{ " + ", ".join(f"k{i} = {value(depth + 1)}" for i in range(rng.randrange(4))) + " }",
                lambda: f"{rng.randint(1900, 2100)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"][pick]()

    for _ in range(40):
        lines = ["[defaults]", f"interval = {string()}"]
        for index in range(rng.randrange(1, 12)):
            lines += ["", "[[sources]]", f'name = "s{index}"']
            lines += [f"key{k} = {value()}" for k in range(rng.randrange(6))]
            if rng.random() < 0.3:
                lines += ["[sources.fields]", f'"quoted key" = {value()}', f"dotted.key = {value()}"]
        text = "\n".join(lines) + "\n"
        assert _typed(_parsed(tmp_path, text)) == _typed(tomllib.loads(text)), text


def test_the_two_known_differences_lean_to_the_standard(tmp_path):
    too_big = "a = 9_223_372_036_854_775_808\n"
    assert tomllib.loads(too_big) == {"a": 2**63}
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(write_config(tmp_path, too_big))
    marked = "\ufeff[state]\npath = \"state/monitor.db\"\n"
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(marked)
    assert _parsed(tmp_path, marked) == {"state": {"path": "state/monitor.db"}}
