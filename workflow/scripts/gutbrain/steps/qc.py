"""The QC step (``workflow/rules/qc.smk``): the checked sample sheet published as
``results/samples.tsv``, and the run-wide primer check (``results/qc/primer_check.tsv``). The
per-sample job of this file is :mod:`gutbrain.prepare`.

The primer check is a light job: this module imports pandas only where the sample sheet needs it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from gutbrain.io import write_rows
from gutbrain.tracking import PRIMER_CHECK_COLUMNS, primer_check_rows, read_cutadapt_counts

if TYPE_CHECKING:
    import pandas as pd


def write_sample_table(
    sheet_path: str | os.PathLike[str], out: str | os.PathLike[str], allow_mixed: bool = False
) -> pd.DataFrame:
    """Load and check a sample sheet (:func:`gutbrain.samples.load_sample_sheet`) and write it
    as the table later steps read (:func:`gutbrain.samples.sample_table`)."""
    from gutbrain.io import write_tsv
    from gutbrain.samples import load_sample_sheet, sample_table

    table = sample_table(load_sample_sheet(sheet_path, allow_mixed=allow_mixed))
    write_tsv(table, out)
    return table


def check_primers(
    samples: Sequence[str],
    cutadapt_jsons: Sequence[str],
    primers: str,
    require: bool,
    min_fraction: float,
    out: str,
) -> list[dict]:
    """The rule ``check_primers``: ``primer_check.tsv`` from every sample's cutadapt report;
    warnings go to the log, and with ``require`` low samples stop the run (nothing written)."""
    counts = [read_cutadapt_counts(path) for path in cutadapt_jsons]
    rows, warnings = primer_check_rows(
        samples, counts, [str(p) for p in cutadapt_jsons], primers, require, min_fraction
    )
    for message in warnings:
        print("WARNING: " + message, file=sys.stderr)
    write_rows(rows, PRIMER_CHECK_COLUMNS, out)
    return rows
