"""Light jobs import only what they use: the modules behind the per-sample preparation job and
the run-wide primer check load neither pandas nor scikit-bio (their import alone costs about a
second, more than the work of these jobs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[2] / "workflow" / "scripts"
HEAVY = ("pandas", "skbio", "scipy", "biom")


@pytest.mark.parametrize(
    "module",
    ["gutbrain.prepare", "gutbrain.fastq_checks", "gutbrain.unoise", "gutbrain.tracking"],
)
def test_light_module_imports_no_heavy_package(module):
    code = (
        f"import sys; import {module}; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=LIBRARY,
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.strip() == "", f"{module} imports {proc.stdout.strip()}"
