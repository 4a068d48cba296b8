"""The shipped systemd units: they verify, their lockdown scores 2.0 or less, and the daemon runs under it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.config import monitor_config, source_table
from helpers.http import Reply
from helpers.paths import ROOT

UNIT = ROOT / "deploy" / "legal-monitor.service"
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed here")
# prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN): the kernel's own form of MemoryDenyWriteExecute=.
PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1


def installed_unit(folder: Path) -> Path:
    """The unit as an operator installs it, with ExecStart pointed at this installation's binary."""
    binary = Path(sys.executable).parent / "legal-monitor"
    assert binary.exists(), f"{binary} is missing: is the project installed in this environment?"
    text = UNIT.read_text(encoding="utf-8")
    text, count = re.subn(r"^ExecStart=\S+", f"ExecStart={binary}", text, flags=re.M)
    assert count == 1, "the unit must have exactly one ExecStart="
    path = folder / UNIT.name
    path.write_text(text, encoding="utf-8")
    return path


def directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@needs_analyze
def test_unit_verifies_without_warnings(tmp_path):
    unit = installed_unit(tmp_path)
    result = subprocess.run([ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    about_unit = [line for line in (result.stdout + result.stderr).splitlines() if unit.name in line]
    assert result.returncode == 0, result.stderr
    assert about_unit == []


@needs_analyze
def test_unit_exposure_is_two_or_less(tmp_path):
    unit = installed_unit(tmp_path)
    result = subprocess.run([ANALYZE, "security", "--offline=yes", "--no-pager", str(unit)],
                            capture_output=True, text=True, timeout=60)
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", result.stdout + result.stderr)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 2.0, result.stdout


def test_unit_keeps_what_the_daemon_needs():
    """The lockdown must not take away the network, the state folder, secrets or reload."""
    found = directives(UNIT.read_text(encoding="utf-8"))
    families = " ".join(found["RestrictAddressFamilies"]).split()
    assert {"AF_INET", "AF_INET6"} <= set(families)  # portals, webhooks, SMTP, the HTTP listener
    assert "PrivateNetwork" not in found and "IPAddressDeny" not in found
    assert found["StateDirectory"] == ["legal-monitor"]
    assert found["UMask"] == ["0077"]
    assert any(v.endswith("/etc/legal-monitor/env") for v in found["EnvironmentFile"])
    assert found["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert found["ExecStart"][0].endswith("--config /etc/legal-monitor/monitor.toml --log-format json run")


def test_daemon_works_under_memory_deny_write_execute(server, tmp_path):
    """MemoryDenyWriteExecute=yes: a check (httpx, lxml, sqlite, ssl) runs with W^X enforced by the kernel."""
    server.routes["/chart.html"] = Reply(
        200, "<table id='chart'><tr><td class='state'>France</td><td>01/01/2000</td></tr>"
             "<tr><td class='state'>Spain</td><td>02/02/2002</td></tr></table>",
        {"Content-Type": "text/html; charset=utf-8"})
    config = monitor_config(tmp_path, source_table("chart", "html", url=f"{server.base}/chart.html", items="#chart tr",
                                                   key="td.state", fields={"signature": "td:nth-of-type(2)"}))
    wrapper = (
        "import ctypes, mmap, os, sys\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        f"if libc.prctl({PR_SET_MDWE}, {PR_MDWE_REFUSE_EXEC_GAIN}, 0, 0, 0) != 0:\n"
        "    sys.exit(77)\n"
        "try:\n"
        "    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
        "    sys.exit(78)\n"
        "except PermissionError:\n"
        "    pass\n"
        "os.execv(sys.executable, [sys.executable, '-m', 'monitor', *sys.argv[1:]])\n")
    result = subprocess.run([sys.executable, "-c", wrapper, "--config", str(config), "check"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    if result.returncode == 77:
        pytest.skip("this kernel has no PR_SET_MDWE (Linux 6.3 or later enforces W^X per process)")
    assert result.returncode != 78, "W^X was not enforced: the test would prove nothing"
    assert result.returncode == 0, result.stdout + result.stderr
    listed = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), "sources", "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    (chart,) = json.loads(listed.stdout)
    assert chart["records"] == 2 and chart["consecutive_failures"] == 0


USER_UNIT = ROOT / "deploy" / "legal-monitor.user.service"


def installed_user_unit(home: Path) -> Path:
    """The user unit as `systemctl --user` would read it for a checkout in `home`/legal-monitor
    (%h expanded; the checkout's .venv binary is this installation's)."""
    binary = Path(sys.executable).parent / "legal-monitor"
    venv_bin = home / "legal-monitor" / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "legal-monitor").symlink_to(binary)
    (home / "legal-monitor" / "state").mkdir()
    path = home / "legal-monitor.service"
    path.write_text(USER_UNIT.read_text(encoding="utf-8").replace("%h", str(home)), encoding="utf-8")
    return path


def exposure(unit: Path) -> float:
    result = subprocess.run([ANALYZE, "security", "--offline=yes", "--no-pager", str(unit)],
                            capture_output=True, text=True, timeout=60)
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", result.stdout + result.stderr)
    assert match, result.stdout + result.stderr
    return float(match.group(1))


@needs_analyze
def test_user_unit_verifies_and_is_locked_down(tmp_path):
    unit = installed_user_unit(tmp_path)
    result = subprocess.run([ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [line for line in (result.stdout + result.stderr).splitlines() if unit.name in line] == []
    assert exposure(unit) <= 2.0  # 9.2 before the lockdown; the comment atop the unit states the figure
    assert f"rates\n# it {exposure(unit):.1f};" in USER_UNIT.read_text(encoding="utf-8")


def test_user_unit_keeps_what_the_daemon_needs():
    """Network once it is up, the state folder config/monitor.toml names writable, secrets, reload."""
    found = directives(USER_UNIT.read_text(encoding="utf-8"))
    assert found["After"] == ["network-online.target"] and found["Wants"] == ["network-online.target"]
    assert {"AF_INET", "AF_INET6"} <= set(" ".join(found["RestrictAddressFamilies"]).split())
    assert "PrivateNetwork" not in found and "IPAddressDeny" not in found
    assert found["ProtectSystem"] == ["strict"] and found["ProtectHome"] == ["read-only"]
    config = (ROOT / "config" / "monitor.toml").read_text(encoding="utf-8")
    state = re.search(r'^path = "([^"]+)"', config, re.M).group(1)
    state_folder = (Path("/home/u/legal-monitor/config") / state).resolve().parent
    assert found["ReadWritePaths"] == [str(state_folder).replace("/home/u", "%h")]
    assert found["UMask"] == ["0077"]
    assert found["EnvironmentFile"] == ["-%h/.config/legal-monitor/env"]
    assert found["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert found["ExecStart"][0].endswith("--config %h/legal-monitor/config/monitor.toml run")
