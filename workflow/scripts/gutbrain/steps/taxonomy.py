"""The taxonomy step (``workflow/rules/taxonomy.smk``): DADA2 classifications keyed by ASV ID
(called by the ASV table step, :mod:`gutbrain.steps.asv`),
and the classifier output normalised (:mod:`gutbrain.taxonomy`) into the taxonomy table, the
on-target ASV table and the off-target summary. The classifiers themselves run in R (DADA2) and
vsearch (SINTAX); the read tracking of this file is :mod:`gutbrain.tracking`."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from gutbrain import tables
from gutbrain.asv import read_asv_table
from gutbrain.io import write_tsv
from gutbrain.taxonomy import finalize, from_dada2, from_sintax, off_target_summary


def read_assignments(path: str, method: str, cutoff: float) -> pd.DataFrame:
    """A classifier's output (``method`` dada2 or sintax) as the table of
    :func:`gutbrain.taxonomy.from_dada2`/:func:`~gutbrain.taxonomy.from_sintax`."""
    if method == "dada2":
        return from_dada2(
            tables.read("assignments", path, keep_default_na=False, na_values=["NA"])
        )
    with open(path, encoding="utf-8") as handle:
        return from_sintax(handle, cutoff, path)


def filter_taxonomy(
    assignments: str,
    asv_table: str,
    method: str,
    cutoff: float,
    remove: Iterable[str],
    taxonomy_out: str,
    table_out: str,
    summary_out: str,
) -> pd.DataFrame:
    """Write the unified taxonomy table, the on-target ASV table and an off-target summary."""
    table = read_asv_table(asv_table)
    raw = read_assignments(assignments, method, cutoff)
    taxonomy = finalize(raw, table.index, remove)
    write_tsv(taxonomy, taxonomy_out)
    kept = taxonomy.loc[taxonomy["status"] == "kept", "asv_id"]
    write_tsv(table.loc[list(kept)].reset_index(), table_out)
    write_tsv(off_target_summary(table, taxonomy), summary_out)
    return taxonomy


