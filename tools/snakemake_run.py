"""The Snakemake command line for the repository's workflow, shared by the workflow tests and
the benchmarks (each runs it its own way: captured, timed, or interrupted)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Folder of the venv's (or the current interpreter's) tools: snakemake, cutadapt.
BIN = Path(sys.executable).parent


def snakemake_cmd(workdir: Path, config: Path, *args: str, cores: int = 2) -> list[str]:
    """Run the repository's Snakefile in ``workdir`` with ``config``, no retries, plus args."""
    return [
        str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "-d", str(workdir),
        "--configfile", str(config), "--cores", str(cores), "--retries", "0", *args,
    ]
