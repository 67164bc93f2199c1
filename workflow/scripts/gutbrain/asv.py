"""ASV tables: stable IDs, length and abundance filters, TSV/FASTA/BIOM outputs."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import biom
import dnaio
import pandas as pd

from .errors import InputError
from .io import atomic_path, write_tsv


def asv_id(sequence: str) -> str:
    """Stable ASV identifier: ``ASV_`` + the first 12 hex digits of sha1(uppercase sequence)."""
    return "ASV_" + hashlib.sha1(sequence.upper().encode("ascii")).hexdigest()[:12]


@dataclass(frozen=True)
class AsvFilter:
    """Length window (bp) and minimum total abundance (reads in the run) for keeping an ASV."""

    min_length: int = 1
    max_length: int = 100_000
    min_abundance: int = 1


def read_seqtab(path: str) -> pd.DataFrame:
    """Read a denoiser's sequence table (column ``sequence`` then one count column per sample)."""
    table = pd.read_csv(path, sep="\t", dtype={"sequence": str})
    if "sequence" not in table.columns:
        raise InputError(f"{path}: first column must be 'sequence'")
    table = table.set_index("sequence")
    return table.astype("int64")


def build_asv_table(
    seqtab: pd.DataFrame, filt: AsvFilter
) -> tuple[pd.DataFrame, dict[str, str], dict]:
    """Turn a sequence x sample table into an ASV table with stable IDs.

    Returns the table (index ``asv_id``; sorted by total abundance, then ID), the ID -> sequence
    map, and a summary of what the filters removed.
    """
    seqs = [s.upper() for s in seqtab.index]
    table = seqtab.copy()
    table.index = seqs
    table = table.groupby(level=0, sort=False).sum()
    lengths = table.index.str.len()
    totals = table.sum(axis=1)
    keep_len = (lengths >= filt.min_length) & (lengths <= filt.max_length)
    keep_abund = totals >= filt.min_abundance
    keep = keep_len & keep_abund
    summary = {
        "asvs_in": int(len(table)),
        "removed_length": int((~keep_len).sum()),
        "removed_abundance": int((keep_len & ~keep_abund).sum()),
        "reads_removed": int(totals[~keep].sum()),
        "asvs_out": int(keep.sum()),
    }
    table = table[keep]
    ids = [asv_id(s) for s in table.index]
    sequences = dict(zip(ids, table.index, strict=True))
    table.index = pd.Index(ids, name="asv_id")
    order = sorted(table.index, key=lambda i: (-int(table.loc[i].sum()), i))
    return table.loc[order], sequences, summary


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


def read_asv_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an ``asv_table*.tsv`` (``asv_id`` then one integer count column per sample)."""
    path = Path(path)
    try:
        table = pd.read_csv(path, sep="\t", dtype={"asv_id": str})
    except FileNotFoundError as err:
        raise InputError(f"{path}: ASV table not found; run the taxonomy step first") from err
    if "asv_id" not in table.columns:
        raise InputError(f"{path}: the first column must be 'asv_id' (found {list(table.columns)})")
    table = table.set_index("asv_id")
    table.columns = [str(c) for c in table.columns]
    for sample in table.columns:
        if not pd.api.types.is_integer_dtype(table[sample]):
            raise InputError(
                f"{path}: column '{sample}' must hold integer read counts; fix the table"
            )
        if (table[sample] < 0).any():
            raise InputError(f"{path}: column '{sample}' has negative counts; fix the table")
    return table.astype("int64")


def make_asv_outputs(
    seqtab_path: str, filt: AsvFilter, tsv: str, fasta: str, biom_path: str, summary_path: str
) -> pd.DataFrame:
    """Read a denoiser's table, filter, write all ASV outputs; fail clearly when none is left."""
    table, sequences, summary = build_asv_table(read_seqtab(seqtab_path), filt)
    write_tsv(pd.DataFrame([summary]), summary_path)
    if table.empty:
        raise InputError(
            f"no ASV left in the whole run ({summary['asvs_in']} sequences from the denoiser in "
            f"{seqtab_path}; {summary['removed_length']} outside denoise.min_length/max_length, "
            f"{summary['removed_abundance']} below denoise.min_abundance). Check the primers "
            f"(qc.primers), truncation (qc.trunc_len) and read_tracking counts in the logs."
        )
    write_asv_outputs(table, sequences, tsv, fasta, biom_path)
    return table
