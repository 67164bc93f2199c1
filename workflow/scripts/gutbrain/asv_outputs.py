"""The published ASV outputs: the ASV table (TSV and BIOM), its sequences (FASTA), and the
classifications of a denoising job keyed by ASV ID. Written by the denoising step
(:mod:`gutbrain.steps.asv`) and the ASV-table entry (:mod:`gutbrain.steps.import_`) alike."""

from __future__ import annotations

import biom
import dnaio
import pandas as pd

from gutbrain import tables
from gutbrain.errors import InputError
from gutbrain.io import atomic_path, write_tsv


def write_asv_outputs(
    table: pd.DataFrame, sequences: dict[str, str], tsv: str, fasta: str, biom_path: str
) -> None:
    """Write the ASV table as TSV and BIOM (HDF5) and the sequences as FASTA, atomically."""
    write_tsv(table.reset_index(), tsv)
    with atomic_path(fasta) as tmp, dnaio.FastaWriter(tmp) as writer:
        for asv in table.index:
            writer.write(dnaio.SequenceRecord(asv, sequences[asv]))
    obs = biom.Table(
        table.to_numpy(dtype=float),
        observation_ids=list(table.index),
        sample_ids=list(table.columns),
        observation_metadata=[{"sequence": sequences[a]} for a in table.index],
        table_id="gutbrain16s ASV table",
    )
    with atomic_path(biom_path) as tmp:
        import h5py

        with h5py.File(tmp, "w") as handle:
            obs.to_hdf5(handle, "gutbrain16s", creation_date=None)


def assignments_by_asv(by_sequence: str, asv_fasta: str, out: str) -> pd.DataFrame:
    """Turn per-sequence DADA2 classifications into per-ASV rows for the ASVs in ``asv_fasta``.

    Sequences removed by the ASV filters are dropped; every ASV must have a classification.
    """
    table = tables.read("classified_by_sequence", by_sequence, dtype=str, keep_default_na=False)
    table["sequence"] = table["sequence"].str.upper()
    table = table.drop_duplicates("sequence").set_index("sequence")
    with dnaio.open(asv_fasta) as reader:
        asvs = [(rec.name, rec.sequence.upper()) for rec in reader]
    missing = [name for name, seq in asvs if seq not in table.index]
    if missing:
        raise InputError(
            f"{by_sequence}: {len(missing)} ASVs of {asv_fasta} have no classification "
            f"(e.g. {missing[0]}); rerun the DADA2 step"
        )
    rows = table.loc[[seq for _, seq in asvs]].reset_index(drop=True)
    rows.insert(0, "asv_id", [name for name, _ in asvs])
    write_tsv(rows, out)
    return rows
