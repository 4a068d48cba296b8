"""The house's floors hold: imports point down (import-linter), code outside a package uses its
face, each face gives what it names, and the lint rules pass (ruff)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import monitor
from helpers.paths import ROOT

PACKAGES = sorted(name for _, name, is_package in pkgutil.walk_packages(monitor.__path__, "monitor.") if is_package)
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    if not found.exists():
        found = Path(shutil.which(name) or name)
    return str(found)


def test_imports_point_down_the_floors():
    result = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_floors(tmp_path):
    """The contract is not vacuous: a copy of the package where the store imports the pipeline fails it."""
    copy = tmp_path / "house"
    shutil.copytree(ROOT / "monitor", copy / "monitor", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    flood = copy / "monitor" / "store" / "flood.py"
    flood.write_text(flood.read_text(encoding="utf-8") + "\n\ndef _up():\n    from monitor.pipeline import check_all\n",
                     encoding="utf-8")
    result = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=copy, capture_output=True, text=True,
                            timeout=120, env={"PYTHONPATH": str(copy), "PATH": str(BIN)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "monitor.store.flood -> monitor.pipeline" in result.stdout


def test_the_lint_rules_pass():
    result = subprocess.run([_tool("ruff"), "check", "--no-cache", "monitor", "tests", "benchmarks"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def _imports_from_inside(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("monitor."):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "." * node.level + (node.module or "")))
    return found


def test_code_outside_a_package_imports_its_face():
    wrong = []
    for path in sorted((ROOT / "monitor").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for line, imported in _imports_from_inside(path):
            if imported.startswith("."):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: relative import {imported}")
                continue
            for package in sorted(PACKAGES, key=len, reverse=True):
                if imported.startswith(package + "."):
                    if not (module == package or module.startswith(package + ".")):
                        wrong.append(f"{path.relative_to(ROOT)}:{line}: {imported} is inside {package}")
                    break
    assert wrong == []


@pytest.mark.parametrize("package", PACKAGES)
def test_each_name_of_a_face_is_what_it_says_even_after_every_module_loaded(package):
    face = importlib.import_module(package)
    for _, name, _ in pkgutil.walk_packages(face.__path__, package + "."):
        importlib.import_module(name)
    assert face.__all__, package
    for name in face.__all__:
        value = getattr(face, name)
        assert not isinstance(value, type(monitor)), f"{package}.{name} is a module, not what the face names"


def test_the_top_level_holds_at_most_twenty_modules():
    modules = sorted(path.name for path in (ROOT / "monitor").glob("*.py"))
    assert len(modules) <= 20, modules


def test_no_function_in_the_package_is_over_sixty_lines():
    long = []
    for path in sorted((ROOT / "monitor").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > 60:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name} has {lines} lines")
    assert long == []


def test_no_test_module_imports_another_test_module_or_conftest():
    """Shared builders live in tests/helpers; the one exception is the untouched guard of the event ids."""
    wrong = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if "node_modules" in path.parts or path.name == "test_event_ids.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                if name == "conftest" or name.split(".")[0].startswith("test_"):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {name}")
    assert wrong == []


def test_the_mutation_run_names_only_files_that_exist():
    """A module or test that moved must move in `[tool.mutmut]` too, or `make mutation` skips it unsaid."""
    import tomllib

    mutmut = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    assert [p for p in mutmut["only_mutate"] if not list(ROOT.glob(p))] == []
    assert [p for p in mutmut["pytest_add_cli_args_test_selection"] if not (ROOT / p).is_file()] == []
