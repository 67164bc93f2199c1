"""The QC step (``workflow/rules/qc.smk``): the checked sample sheet published as
``results/samples.tsv``. The per-sample job of this file is :mod:`gutbrain.prepare` and the
run-wide primer check :func:`gutbrain.tracking.check_primers`."""

from __future__ import annotations

import os

import pandas as pd

from gutbrain.io import write_tsv
from gutbrain.samples import load_sample_sheet, sample_table


def write_sample_table(
    sheet_path: str | os.PathLike[str], out: str | os.PathLike[str], allow_mixed: bool = False
) -> pd.DataFrame:
    """Load and check a sample sheet (:func:`gutbrain.samples.load_sample_sheet`) and write it
    as the table later steps read (:func:`gutbrain.samples.sample_table`)."""
    table = sample_table(load_sample_sheet(sheet_path, allow_mixed=allow_mixed))
    write_tsv(table, out)
    return table
