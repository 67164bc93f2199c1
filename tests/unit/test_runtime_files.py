"""workflow/runtime_files.txt lists every file a deployed workflow copies from its git source
(workflow/rules/source.smk): a file missing from it would be missing in every deployment."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_runtime_file_list_is_complete() -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout")
    listed = (REPO / "workflow" / "runtime_files.txt").read_text().split()
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "workflow",
         "resources", "envs"], cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split()
    present = sorted(name for name in set(files) if (REPO / name).is_file())
    assert listed == sorted(listed), "runtime_files.txt is not sorted: run make runtime-files"
    assert set(listed) == set(present), (
        f"runtime_files.txt is out of date (run make runtime-files): missing "
        f"{sorted(set(present) - set(listed))}, stale {sorted(set(listed) - set(present))}"
    )
