"""Light jobs import only what they use: the modules behind the per-sample preparation job and
the run-wide primer check (gutbrain.steps.qc) load neither pandas nor scikit-bio (their import
alone costs about a second, more than the work of these jobs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[2] / "workflow" / "scripts"
HEAVY = ("pandas", "skbio", "scipy", "biom")


@pytest.mark.parametrize(
    "module",
    ["gutbrain.prepare", "gutbrain.fastq_checks", "gutbrain.unoise", "gutbrain.tracking",
     "gutbrain.steps", "gutbrain.steps.qc"],
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


@pytest.mark.parametrize(
    "module", ["gutbrain.pcoa_table", "gutbrain.report.inputs", "gutbrain.steps.report"]
)
def test_report_jobs_do_not_load_scikit_bio(module):
    """The report and read-tracking jobs read the PCoA tables without scikit-bio."""
    code = f"import sys; import {module}; print('skbio' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=LIBRARY, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == "False"


def test_write_rows_formats_as_write_tsv(tmp_path):
    import pandas as pd
    from gutbrain.io import write_rows, write_tsv

    rows = [
        {"sample": "S1", "input": 3000, "fraction": 0.99933, "status": "ok"},
        {"sample": "S.2", "input": 0, "fraction": float("nan"), "status": ""},
        {"sample": "S3", "input": 12, "fraction": 1.0, "status": "warning"},
    ]
    columns = ["sample", "input", "fraction", "status"]
    write_rows(rows, columns, tmp_path / "rows.tsv")
    write_tsv(pd.DataFrame(rows, columns=columns), tmp_path / "frame.tsv")
    assert (tmp_path / "rows.tsv").read_bytes() == (tmp_path / "frame.tsv").read_bytes()


MERGE_OUTPUT = """vsearch v2.22.1_linux_x86_64, 23.5GB RAM, 2 cores

Merging reads 100%
      3000  Pairs
      2707  Merged (90.2%)
       293  Not merged (9.8%)
"""
FILTER_OUTPUT = """Reading input file 100%
2910 sequences kept (of which 38 truncated), 90 sequences discarded.
"""


def test_vsearch_counts_are_read_from_its_reports():
    from gutbrain.unoise import _KEPT, _MERGED, _reported

    assert _reported(_MERGED, MERGE_OUTPUT, "merged") == (2707,)
    assert _reported(_KEPT, FILTER_OUTPUT, "kept") == (2910, 90)
    empty = "Merging reads 100%\n         0  Pairs\n         0  Merged\n         0  Not merged\n"
    assert _reported(_MERGED, empty, "merged") == (0,)
    with pytest.raises(RuntimeError, match="did not report the filtered reads"):
        _reported(_KEPT, MERGE_OUTPUT, "the filtered reads")


def test_otu_table_is_read_per_sample(tmp_path):
    from gutbrain.unoise import _read_otutab

    table = tmp_path / "otutab.tsv"
    table.write_text("#OTU ID\tS.1\tS2\nz0\t5\t0\nz2\t1\t7\n")
    assert _read_otutab(table) == {"S.1": {"z0": 5, "z2": 1}, "S2": {"z2": 7}}
    assert _read_otutab(tmp_path / "absent.tsv") == {}
