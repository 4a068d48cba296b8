"""The package as published: sdist and wheel built and accepted by twine, the wheel installed
and run in a fresh venv away from the source tree; the image's Dockerfile passes hadolint."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import monitor

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATA_DIRS = ("web/templates", "web/static", "schemas")


def _run(args: list[str | Path], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LEGAL_MONITOR_CONFIG", "VIRTUAL_ENV")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build`: the sdist, then the wheel built from that sdist."""
    out = tmp_path_factory.mktemp("dist")
    built = _run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out, timeout=300)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    [found] = dist.glob("*.whl")
    return found


@pytest.mark.package
def test_twine_accepts_the_sdist_and_the_wheel(dist):
    files = sorted(dist.iterdir())
    assert sorted(f.suffix for f in files) == [".gz", ".whl"]
    checked = _run([BIN / "twine", "check", "--strict", *files], cwd=dist)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2


@pytest.mark.package
def test_the_version_has_one_source(wheel):
    assert wheel.name.startswith(f"legal_monitor-{monitor.__version__}-")


@pytest.mark.package
def test_the_wheel_carries_every_template_stylesheet_and_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {path.relative_to(ROOT).as_posix() for folder in DATA_DIRS
               for path in (ROOT / "monitor" / folder).rglob("*")
               if path.is_file() and "__pycache__" not in path.parts}
    assert "monitor/web/templates/base.html" in shipped and "monitor/web/static/style.css" in shipped
    assert shipped <= names, sorted(shipped - names)
    assert not [n for n in names if n.startswith(("tests/", "config/", "benchmarks/"))]


@pytest.mark.package
def test_the_wheel_installs_and_runs_in_a_fresh_venv(wheel, tmp_path):
    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    installed = _run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], cwd=tmp_path, timeout=300)
    assert installed.returncode == 0, installed.stderr[-3000:]
    cli = venv / "bin" / "legal-monitor"
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "monitor.toml", tmp_path / "config" / "monitor.toml")

    where = _run([venv / "bin" / "python", "-c", "import monitor; print(monitor.__file__)"], cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    helped = _run([cli, "--help"], cwd=tmp_path)
    assert helped.returncode == 0 and helped.stdout.startswith("usage: legal-monitor"), helped.stderr
    version = _run([cli, "--version"], cwd=tmp_path)
    assert version.stdout.strip() == f"legal-monitor {monitor.__version__}"

    valid = _run([cli, "--config", "config/monitor.toml", "validate"], cwd=tmp_path)
    assert valid.returncode == 0, valid.stderr
    sources = len(tomllib.loads((ROOT / "config" / "monitor.toml").read_text())["sources"])
    assert valid.stdout.startswith("config/monitor.toml: valid") and f"  {sources} sources" in valid.stdout

    # The dashboard's templates and style sheet load from the installed package.
    pages = _run([venv / "bin" / "python", "-c",
                  "from importlib.resources import files\n"
                  "from monitor.web.dashboard import environment\n"
                  "env = environment()\n"
                  "css = files('monitor.web').joinpath('static/style.css').read_bytes()  # as StaticFiles reads it\n"
                  "print(len([env.get_template(n) for n in env.list_templates()]), len(css))"],
                 cwd=tmp_path)
    assert pages.returncode == 0, pages.stderr
    templates, css = map(int, pages.stdout.split())
    assert templates == len([p for p in (ROOT / "monitor" / "web" / "templates").rglob("*") if p.is_file()]) and css > 0


def test_the_image_lock_file_pins_every_dependency():
    """A dependency added to pyproject.toml without `make lock` would break the image's build."""
    pinned: dict[str, list[str]] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, _, version = line.split(";")[0].strip(" \\").partition("==")
            pinned.setdefault(canonicalize_name(name), []).append(version.strip())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dependency in map(Requirement, project["dependencies"]):
        versions = pinned.get(canonicalize_name(dependency.name), [])
        assert any(dependency.specifier.contains(v) for v in versions), \
            f"requirements.lock has no {dependency} (pinned: {versions}): run `make lock`"


def test_the_dockerfile_passes_hadolint():
    linted = _run([BIN / "hadolint", "--no-color", ROOT / "Dockerfile"], cwd=ROOT)
    assert linted.returncode == 0 and not linted.stdout.strip(), linted.stdout + linted.stderr
