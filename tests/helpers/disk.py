"""A small filesystem to fill: a tmpfs mounted in the test's folder, and a filler to the last byte."""

from __future__ import annotations

import subprocess
from pathlib import Path


def mount_small_disk(folder: Path) -> str | None:
    """Mount a 4 MiB tmpfs on `folder` (root only); why it could not be mounted, or None."""
    folder.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(folder)],
                            capture_output=True, text=True)
    return (result.stderr.strip() or str(result.returncode)) if result.returncode else None


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder):
    """Fill the filesystem of `folder` to the last byte; return the filler file."""
    filler = folder / "filler"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as handle:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    handle.write(chunk[:size])
            except OSError:
                pass
    return filler
