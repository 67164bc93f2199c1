"""ASV tables: stable IDs, length and abundance filters, and the reader of the pipeline's ASV
table TSV. The denoise step (:mod:`gutbrain.steps.denoise`) writes the TSV/FASTA/BIOM outputs."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import InputError

#: ASV ID schemes (config key denoise.asv_ids): ``md5``, the MD5 hex digest of the upper-case
#: sequence, as QIIME 2 and nf-core/ampliseq name features, so IDs match across tools; or
#: ``sha1_12``, ``ASV_`` + the first 12 hex digits of its SHA-1 (this pipeline before 0.2.0).
ID_SCHEMES = ("md5", "sha1_12")


def asv_id(sequence: str, scheme: str = "md5") -> str:
    """Stable ASV identifier of a sequence (see :data:`ID_SCHEMES`)."""
    data = sequence.upper().encode("ascii")
    if scheme == "md5":
        return hashlib.md5(data).hexdigest()
    if scheme == "sha1_12":
        return "ASV_" + hashlib.sha1(data).hexdigest()[:12]
    raise InputError(f"unknown ASV ID scheme '{scheme}' (config key denoise.asv_ids: "
                     f"{' or '.join(ID_SCHEMES)})")


@dataclass(frozen=True)
class AsvFilter:
    """Length window (bp) and minimum total abundance (reads in the run) for keeping an ASV."""

    min_length: int = 1
    max_length: int = 100_000
    min_abundance: int = 1


def build_asv_table(
    seqtab: pd.DataFrame, filt: AsvFilter, id_scheme: str = "md5"
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
    ids = [asv_id(s, id_scheme) for s in table.index]
    sequences = dict(zip(ids, table.index, strict=True))
    table.index = pd.Index(ids, name="asv_id")
    order = sorted(table.index, key=lambda i: (-int(table.loc[i].sum()), i))
    return table.loc[order], sequences, summary


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
