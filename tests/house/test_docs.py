"""The README stays true: its quick start, its links, its command table and the parts docs/ include."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from helpers.paths import ROOT

README = ROOT / "README.md"

FENCE = re.compile(r"^```.*?^```", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def section(text: str, title: str) -> str:
    """The body of the `## title` section, up to the next heading of level 2."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(h) for h in HEADING.findall(text)}


def link_targets(text: str) -> list[str]:
    """Every link and image target outside code."""
    prose = INLINE_CODE.sub("", FENCE.sub("", text))
    # Link text may itself be code (`[`coe`](docs/portals/coe.md)`): take targets from the prose.
    return LINK_TARGET.findall(prose)


def test_quick_start_gives_the_two_commands_that_the_makefile_has():
    quick = section(README.read_text(encoding="utf-8"), "Quick start")
    block = re.search(r"```sh\n(.*?)```", quick, re.S)
    assert block, "the quick start has no sh block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), f"the Makefile lost its `{target}` target"


def test_quick_start_names_the_python_that_pyproject_requires():
    quick = section(README.read_text(encoding="utf-8"), "Quick start")
    said = re.search(r"Python ≥ (\d+\.\d+)", quick)
    assert said, "the quick start does not say which Python it needs"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == f">={said.group(1)}"


def test_every_relative_link_of_the_readme_points_to_a_file_and_heading_that_exist():
    text = README.read_text(encoding="utf-8")
    targets = [t for t in link_targets(text) if not re.match(r"[a-z][a-z0-9+.-]*:", t)]
    assert len(targets) > 20, "the README's links were not found"
    broken = []
    for target in targets:
        path_part, _, anchor = target.partition("#")
        path = (ROOT / path_part).resolve() if path_part else README
        if ROOT not in path.parents and path != ROOT:
            broken.append(f"{target}: outside the repository")
        elif not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target}: no heading '#{anchor}' in {path.relative_to(ROOT)}")
    assert not broken, "broken links in README.md:\n" + "\n".join(broken)


def test_the_link_check_finds_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Your first watch\n\n## The payload schema\n", encoding="utf-8")
    assert anchors(page) == {"your-first-watch", "the-payload-schema"}
    assert slug("`[[channels]]`: keys every channel accepts") == "channels-keys-every-channel-accepts"
    assert link_targets("see [a](docs/a.md) and `[b](docs/b.md)`\n```\n[c](c.md)\n```\n") == ["docs/a.md"]


def test_the_command_table_lists_every_command_of_the_cli():
    text = section(README.read_text(encoding="utf-8"), "Command line")
    documented = set(re.findall(r"`legal-monitor ([a-z][a-z-]*)", text))
    documented |= set(re.findall(r"`(deliveries) retry", text))
    help_text = subprocess.run([sys.executable, "-m", "monitor", "--help"], capture_output=True, text=True,
                               check=True, cwd=ROOT, timeout=60).stdout
    listed = help_text.split("positional arguments:", 1)[1].split("options:", 1)[0]
    commands = set(re.findall(r"^    ([a-z][a-z-]*)\b", listed, re.M))
    assert len(commands) >= 10, help_text
    assert documented == commands


@pytest.mark.parametrize("page", sorted((ROOT / "docs").rglob("*.md")), ids=lambda p: p.name)
def test_readme_parts_that_docs_include_are_still_marked(page):
    """docs/ pages include parts of the README (`--8<-- "README.md:NAME"`); each needs its markers."""
    readme = README.read_text(encoding="utf-8")
    for name in re.findall(r'^--8<-- "README\.md:([\w-]+)"', page.read_text(encoding="utf-8"), re.M):
        start = readme.find(f"<!-- --8<-- [start:{name}] -->")
        end = readme.find(f"<!-- --8<-- [end:{name}] -->")
        assert 0 <= start < end, f"{page.name} includes README section {name!r}, which is no longer marked"
