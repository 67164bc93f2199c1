"""The adapter scripts in workflow/scripts/: each opens the rule's log with
``gutbrain.steps.configure_logging`` before importing anything else of the library, and none
carries a ``noqa`` comment (pyproject.toml allows the ``snakemake`` global and late imports)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "workflow" / "scripts"
ADAPTERS = sorted(SCRIPTS.glob("*.py"))


@pytest.mark.parametrize("script", ADAPTERS, ids=lambda p: p.name)
def test_adapter_opens_the_log_first_and_has_no_noqa(script):
    text = script.read_text(encoding="utf-8")
    assert "noqa" not in text
    code = [line for line in text.split('"""', 2)[2].splitlines() if line.strip()]
    library = [i for i, line in enumerate(code) if "gutbrain" in line]
    assert code[library[0]] == "from gutbrain.steps import configure_logging"
    assert code[library[0] + 1].endswith("configure_logging(snakemake.log[0])")
    assert all(i > library[0] + 1 for i in library[1:])


def test_configure_logging_sends_stderr_and_records_to_the_log(tmp_path):
    log = tmp_path / "rule.log"
    code = (
        "import logging, sys; from gutbrain.steps import configure_logging; "
        f"configure_logging({str(log)!r}); print('printed', file=sys.stderr); "
        "logging.getLogger('gutbrain.test').info('recorded %d', 1); raise SystemExit('failed')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=SCRIPTS, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1 and proc.stderr == ""
    text = log.read_text(encoding="utf-8")
    assert "printed\n" in text and "INFO gutbrain.test: recorded 1" in text
    assert text.endswith("failed\n")


def test_a_step_imports_no_other_step():
    """What two steps share lives in the library: a steps module imports the steps package
    (configure_logging) at most, never another step."""
    import ast

    steps = Path(__file__).resolve().parents[2] / "workflow" / "scripts" / "gutbrain" / "steps"
    found = []
    for path in sorted(steps.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {n}" for n in names if n.startswith("gutbrain.steps.")]
    assert found == []
