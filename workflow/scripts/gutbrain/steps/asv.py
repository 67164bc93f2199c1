"""The ASV table step: rule ``build_asv_table`` of ``workflow/rules/denoise.smk`` (log and
benchmark folder ``asv``). Reads a denoiser's sequence table, filters it with
:func:`gutbrain.asv.build_asv_table` and writes the ASV table, FASTA and BIOM; the import step
(:mod:`gutbrain.steps.import_`) writes the same outputs with
:func:`gutbrain.asv_outputs.write_asv_outputs`."""

from __future__ import annotations

import pandas as pd

from gutbrain import tables
from gutbrain.asv import AsvFilter, build_asv_table
from gutbrain.asv_outputs import write_asv_outputs
from gutbrain.errors import InputError
from gutbrain.io import write_tsv


def read_seqtab(path: str) -> pd.DataFrame:
    """Read a denoiser's sequence table (column ``sequence`` then one count column per sample)."""
    table = tables.read("seqtab", path).set_index("sequence")
    return table.astype("int64")


def make_asv_outputs(
    seqtab_path: str,
    filt: AsvFilter,
    tsv: str,
    fasta: str,
    biom_path: str,
    summary_path: str,
    classified: tuple[str, str] | None = None,
    id_scheme: str = "md5",
) -> pd.DataFrame:
    """Read a denoiser's table, filter, write all ASV outputs; fail clearly when none is left.

    ``classified`` (classifications by sequence, output): DADA2 classified the sequences in the
    denoising job; they are keyed by the ASV IDs given here
    (:func:`gutbrain.asv_outputs.assignments_by_asv`), in this job rather than one more."""
    table, sequences, summary = build_asv_table(read_seqtab(seqtab_path), filt, id_scheme)
    write_tsv(pd.DataFrame([summary], columns=tables.columns("asv_filter_summary")), summary_path)
    if table.empty:
        raise InputError(
            f"no ASV left in the whole run ({summary['asvs_in']} sequences from the denoiser in "
            f"{seqtab_path}; {summary['removed_length']} outside denoise.min_length/max_length, "
            f"{summary['removed_abundance']} below denoise.min_abundance). Check the primers "
            f"(qc.primers), truncation (denoise.trunc_len) and read_tracking counts in the logs."
        )
    write_asv_outputs(table, sequences, tsv, fasta, biom_path)
    if classified is not None:
        from gutbrain.asv_outputs import assignments_by_asv

        assignments_by_asv(classified[0], fasta, classified[1])
    return table
