"""A worker's freed large blocks go back to the system (worker.process.memory): measured in
a fresh interpreter, with the fix and without it (glibc's own behaviour, which the fix
changes)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from harness.processes import ROOT

pytestmark = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc",
    reason="NOT RUN: the fix is glibc's mallopt, and this C library is "
           f"{platform.libc_ver()[0] or 'unknown'} (the project supports Debian and Ubuntu)")

_SCRIPT = """
import sys
from worker.process.memory import return_large_blocks

def anon_kb():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1])

if sys.argv[1] == "fixed":
    assert return_large_blocks()
first = bytearray(8 << 20)  # freed: glibc raises its threshold past 8 MB (unless fixed)
del first
before = anon_kb()
blocks = [bytearray(4 << 20) for _ in range(10)]  # 40 MB, every page written
pins = [bytearray(4096) for _ in range(200)]  # from the heap, after the blocks
del blocks
print(anon_kb() - before)
"""


def _kept_kb(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", _SCRIPT, mode], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return int(done.stdout)


def test_freed_large_blocks_go_back_to_the_system() -> None:
    assert _kept_kb("fixed") < 5 * 1024


def test_without_the_fix_glibc_keeps_them() -> None:
    """What the fix is for: here 40 MB freed stay in the process."""
    assert _kept_kb("default") > 30 * 1024
