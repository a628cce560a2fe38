"""The README's commands cannot rot: every shell block the README marks as tested (an HTML
comment `<!-- tested: … -->` right before it) is taken from the README itself and run, as
a newcomer pastes it, with bash (errors fatal) against a dev stack started by
`scripts/dev` on ports and a .dev directory of the test's own, from a directory laid out
as a clone (the project's scripts and .venv, and that .dev), unchanged."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from pathlib import Path

from harness.database import recreate_database
from tests.support.dev_stack import DATABASE_URL, ROOT, DevRun

MARKER = re.compile(r"<!-- tested: [^>]*-->\n```sh\n(.*?)```", re.DOTALL)


def marked_blocks() -> list[str]:
    return MARKER.findall((ROOT / "README.md").read_text())


def test_the_readme_marks_blocks_to_run() -> None:
    blocks = marked_blocks()
    assert blocks, "no README block is marked as tested"
    assert any("legacy-migration/jobs" in block for block in blocks)


def test_every_tested_readme_block_runs_against_a_dev_stack(dev_run: DevRun,
                                                             tmp_path: Path) -> None:
    # a database as a fresh clone's: the walkthrough's account has no migration yet
    asyncio.run(recreate_database(DATABASE_URL))
    dev_run.start()
    dev_run.wait_ready()
    env = {name: value for name, value in os.environ.items()
           if name not in ("DATABASE_URL", "REDIS_URL", "PORT", "API_URL", "API_KEY",
                           "OPERATOR_KEY")}
    # a directory of its own, as a clone would be: the project's scripts and .venv, and the
    # dev stack's .dev; what the commands write (export.xlsx) stays there
    home = tmp_path / "clone"
    home.mkdir()
    for name in ("scripts", ".venv"):
        (home / name).symlink_to(ROOT / name)
    (home / ".dev").symlink_to(dev_run.dev_dir)
    # in one shell, in order, as a newcomer pastes them (a later block may use an earlier
    # one's functions); each block's output told apart by a line of its own
    blocks = marked_blocks()
    script = "".join(f"echo; echo '@@ block {n}'\n{block}\n" for n, block in enumerate(blocks))
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=home, env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert "error" not in done.stderr.lower(), done.stderr
    outputs = re.split(r"^@@ block \d+\n", done.stdout, flags=re.MULTILINE)[1:]
    assert len(outputs) == len(blocks), done.stdout[-6000:]
    for block, out in zip(blocks, outputs, strict=True):
        last = out.rstrip().splitlines()[-1]
        if "legacy-migration/jobs" in block:
            # the job it created ran to its end and was reported on; the probe answered
            assert re.search(r'"id":"mig_[0-9a-f]{24}","[^{]*"status":"completed"', out), (
                out[-2000:])
            assert '"steps":' in out
            assert '"status":"ok"' in last, last
        elif "api_stub ops" in block:
            # the operators' CLI found the workers and the newest job's step timeline
            assert "wrk_" in out, out[-1500:]
            assert "step" in out.lower(), out[-1500:]
        else:
            # a wizard walkthrough went to the end: the migration executed
            assert '"status":"completed"' in last, out[-1500:]
