"""The import step (``workflow/rules/import.smk``; ``import`` is a keyword): read an existing ASV
table and its sequences, check them with :mod:`gutbrain.asv_import`, and write the same ASV
outputs as the denoisers, keeping the user's feature IDs."""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import dnaio
import pandas as pd

from gutbrain.asv_import import (
    SEQS_KEY,
    TABLE_KEY,
    biom_frame,
    check_counts,
    check_sequences,
    listed,
    parse_tsv_table,
    qza_data,
    sample_metadata,
    table_format,
)
from gutbrain.asv_outputs import write_asv_outputs
from gutbrain.errors import InputError
from gutbrain.io import open_text, write_tsv
from gutbrain.references import provenance_row, sha256sum, write_provenance
from gutbrain.samples import load_metadata_sheet


def read_tsv_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a TSV ASV table (:func:`gutbrain.asv_import.parse_tsv_table`), gzipped or not."""
    path = Path(path)
    try:
        with open_text(path) as handle:
            lines = handle.read().splitlines()
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile) as err:
        if not isinstance(err, UnicodeDecodeError):
            raise InputError(f"ASV table {path}: the gzip file is truncated or corrupt") from err
        raise InputError(
            f"ASV table {path} is neither BIOM nor UTF-8 text (byte {err.start})"
        ) from err
    return parse_tsv_table(path, lines)


def read_biom_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a BIOM table, HDF5 or JSON (:func:`gutbrain.asv_import.biom_frame`)."""
    import biom

    path = Path(path)
    try:
        table = biom.load_table(str(path))
    except Exception as err:  # biom raises many types (TypeError, KeyError, ValueError...)
        raise InputError(
            f"ASV table {path} cannot be read as BIOM ({type(err).__name__}: {err}). Check that "
            "it is a complete BIOM file (biom validate-table) or give the TSV from biom convert"
        ) from err
    return biom_frame(path, table)


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an ASV table of any accepted format (index ``asv_id``, one column per sample)."""
    kind = table_format(path)
    return read_biom_table(path) if kind.startswith("biom") else read_tsv_table(path)


def read_sequences(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read the FASTA of ``input.asv_seqs`` into {ID: sequence} (ID = header up to a space).

    Refuses duplicate IDs and unreadable files; sequences are upper-cased but checked later
    (:func:`gutbrain.asv_import.check_sequences`), only for the IDs the table uses.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"ASV sequences {path} not found (config key {SEQS_KEY}; relative paths are taken "
            "from the working directory)"
        )
    seqs: dict[str, str] = {}
    try:
        with dnaio.open(path, fileformat="fasta") as reader:
            for number, record in enumerate(reader, start=1):
                ident = record.name.split()[0] if record.name.strip() else ""
                if not ident:
                    raise InputError(f"ASV sequences {path}, record {number}: empty FASTA header")
                if ident in seqs:
                    raise InputError(
                        f"ASV sequences {path}: ID '{ident}' appears twice (second time in "
                        f"record {number}); IDs must be unique"
                    )
                seqs[ident] = record.sequence.upper()
    except (OSError, EOFError, dnaio.FileFormatError) as err:
        raise InputError(f"ASV sequences {path} cannot be read as FASTA ({err})") from err
    return seqs


def import_asv_table(
    table_path: str | os.PathLike[str],
    seqs_path: str | os.PathLike[str],
    expected_samples: Sequence[str],
    tsv: str,
    fasta: str,
    biom_path: str,
    metadata_path: str,
    provenance_path: str,
    sheet_path: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Read and check the table and sequences; write the pipeline's ASV outputs.

    ``expected_samples`` are the samples read from the header when the workflow was parsed
    (the table must not have changed since). Features are kept under the user's IDs, sorted
    like the denoisers' tables (total reads, then ID); features without reads are dropped and
    FASTA records not in the table ignored, both noted on stderr (the job's log). Also writes
    the samples' metadata (from the optional sample sheet, for the reports) and provenance
    rows (path and sha256 of both input files).
    """
    with tempfile.TemporaryDirectory() as scratch:  # .qza members, removed at the end
        table_file, seqs_file = table_path, seqs_path
        if Path(table_path).suffix == ".qza":
            table_file, _ = qza_data(table_path, "FeatureTable[Frequency]", scratch)
        if Path(seqs_path).suffix == ".qza":
            seqs_file, _ = qza_data(seqs_path, "FeatureData[Sequence]", scratch)
        table = read_table(table_file)
        seqs = read_sequences(seqs_file)
    if list(table.columns) != list(expected_samples):
        raise InputError(
            f"ASV table {table_path} changed since the workflow started (samples now "
            f"{listed(list(table.columns))}); run again"
        )
    kept = check_counts(table_path, table)
    dropped = len(table) - len(kept)
    if dropped:
        print(f"{table_path}: {dropped} feature(s) without reads dropped", file=sys.stderr)
    check_sequences(seqs_path, seqs, list(kept.index))
    unused = len(set(seqs) - set(kept.index))
    if unused:
        print(f"{seqs_path}: {unused} sequence(s) not in the table ignored", file=sys.stderr)
    order = sorted(kept.index, key=lambda i: (-int(kept.loc[i].sum()), i))
    kept = kept.loc[order]
    kept.index.name = "asv_id"
    write_asv_outputs(kept, {i: seqs[i] for i in kept.index}, tsv, fasta, biom_path)
    sheet = load_metadata_sheet(sheet_path) if sheet_path else None
    write_tsv(sample_metadata(list(kept.columns), sheet), metadata_path)
    write_provenance(
        [
            provenance_row(key, "input", "", os.path.abspath(path), sha256sum(path))
            for key, path in ((TABLE_KEY, table_path), (SEQS_KEY, seqs_path))
        ],
        provenance_path,
    )
    print(
        f"imported {len(kept)} features x {kept.shape[1]} samples from {table_path} "
        f"({int(kept.to_numpy().sum())} reads) with sequences from {seqs_path}",
        file=sys.stderr,
    )
    return kept
