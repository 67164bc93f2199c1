"""Genome x feature tables in the PICRUSt2 layout: KO and 16S copy numbers, genome taxonomy.

The first column holds IDs (genomes, or sequences for PICRUSt2's predictions); the other
columns hold non-negative numbers. Memory is bounded by reading only the columns asked for
(``keep=``, ``kos=``) and by reading the table in row chunks converted to float32. Every bad
cell raises InputError naming the file, line, ID and column.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from gutbrain.errors import InputError

PathLike = str | os.PathLike[str]

KO_PATTERN = re.compile(r"^K\d{5}$")
EC_PATTERN = re.compile(r"^\d+\.(\d+|-)\.(\d+|-)\.(n?\d+|-)$")
TAXONOMY_COLUMNS = ("taxonomy", "gtdb_taxonomy", "ncbi_taxonomy", "ssu_silva_taxonomy")
CHUNK_ROWS = 2000


def normalise_ko(name: str) -> str:
    """Return a KO identifier without the ``ko:`` prefix (``ko:K00001`` -> ``K00001``)."""
    text = str(name).strip()
    return text[3:] if text.lower().startswith("ko:") else text


def _check_id_column(path: Path, ids: pd.Series, offset: int, id_label: str) -> None:
    bad = ids.isna() | (ids.astype("string").str.strip() == "")
    if bool(bad.any()):
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{path}, line {offset + row + 2}: empty {id_label} ID in the first column"
        )


def _locate_bad_cell(
    path: Path, chunk: pd.DataFrame, offset: int, what: str, id_label: str = "genome"
) -> None:
    """Raise InputError for the first non-numeric, missing or negative cell of ``chunk``."""
    id_col = chunk.columns[0]
    for column in chunk.columns[1:]:
        raw = chunk[column]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() | (values < 0)
        if bool(bad.any()):
            row = int(np.flatnonzero(bad.to_numpy())[0])
            cell = raw.iloc[row]
            reason = "missing value" if pd.isna(cell) else f"value {cell!r} is not a number >= 0"
            raise InputError(
                f"{path}, line {offset + row + 2} ({id_label} {chunk[id_col].iloc[row]}), "
                f"column {column}: {reason}; {what} must be non-negative numbers"
            )


def read_genome_table(
    path: PathLike,
    keep: Callable[[str], bool] | None = None,
    what: str = "copy numbers",
    chunk_rows: int = CHUNK_ROWS,
    id_label: str = "genome",
) -> pd.DataFrame:
    """Read a genome x feature table (first column = IDs) as float32, only columns ``keep``-ed.

    The file is read in row chunks with pandas ``usecols`` so that only the requested columns
    are ever materialised. Non-numeric, missing or negative cells raise InputError with the file,
    line, genome and column. Duplicate IDs raise InputError.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"table {p} does not exist; check the reference bundle paths")
    try:
        header = pd.read_csv(p, sep="\t", nrows=0).columns
    except (pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise InputError(f"{p}: cannot read a tab-separated header ({exc})") from exc
    if len(header) < 2:
        raise InputError(
            f"{p}: expected an ID column and at least one value column (tab-separated)"
        )
    id_col = str(header[0])
    selected = [id_col] + [str(c) for c in header[1:] if keep is None or keep(str(c))]
    wanted = set(selected)
    dtypes: defaultdict[str, object] = defaultdict(lambda: np.float32)
    dtypes[id_col] = str
    pieces: list[pd.DataFrame] = []
    offset = 0
    try:
        with pd.read_csv(
            p, sep="\t", usecols=lambda c: c in wanted, dtype=dtypes, chunksize=chunk_rows,
        ) as reader:
            for chunk in _chunks_or_locate(p, reader, wanted, chunk_rows, what, id_label):
                chunk = chunk[selected]
                _check_id_column(p, chunk[id_col], offset, id_label)
                values = chunk.iloc[:, 1:]
                if values.shape[1] and bool((values.isna() | (values < 0)).any().any()):
                    _locate_bad_cell(p, chunk, offset, what, id_label)
                pieces.append(chunk)
                offset += len(chunk)
    except pd.errors.ParserError as exc:
        raise InputError(
            f"{p}: malformed table ({exc}); every row needs {len(header)} fields"
        ) from exc
    table = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=selected)
    table = table.set_index(id_col)
    table.index = table.index.astype(str)
    table.index.name = id_label
    dup = table.index[table.index.duplicated()]
    if len(dup):
        raise InputError(
            f"{p}: {len(dup)} duplicated {id_label} ID(s) in the first column, e.g. "
            f"{', '.join(map(str, dup[:3]))}; each {id_label} must appear once"
        )
    return table.astype(np.float32)


def _chunks_or_locate(
    path: Path, reader: Iterable[pd.DataFrame], wanted: set[str], chunk_rows: int, what: str,
    id_label: str,
) -> Iterator[pd.DataFrame]:
    """Yield chunks; when float parsing fails, re-read as text to name the offending cell."""
    done = 0
    try:
        for chunk in reader:
            done += len(chunk)
            yield chunk
    except ValueError as exc:
        if isinstance(exc, pd.errors.ParserError):
            raise
        with pd.read_csv(
            path, sep="\t", usecols=lambda c: c in wanted, dtype=str, chunksize=chunk_rows,
            keep_default_na=False, na_values=[""],
        ) as slow:
            offset = 0
            for chunk in slow:
                _locate_bad_cell(path, chunk, offset, what, id_label)
                offset += len(chunk)
        raise InputError(f"{path}: could not parse numbers ({exc})") from exc


def read_ko_table(path: PathLike, kos: Iterable[str] | None = None) -> tuple[pd.DataFrame, tuple]:
    """Read a PICRUSt2-layout KO table; return (genome x KO float32, requested KOs absent).

    Column names ``ko:K00001`` or ``K00001`` become ``K00001``. With ``kos``, only those
    columns are read; requested KOs missing from the file are added as zero columns and
    returned as the second value.
    """
    p = Path(path)
    wanted: set[str] | None = None
    if kos is not None:
        wanted = {normalise_ko(k) for k in kos}
        bad = sorted(k for k in wanted if not KO_PATTERN.match(k))
        if bad:
            raise InputError(f"requested KO identifier(s) {bad[:5]} are not of the form K00001")
    keep = None if wanted is None else (lambda c: normalise_ko(c) in wanted)
    table = read_genome_table(p, keep=keep, what="KO copy numbers")
    table.columns = [normalise_ko(c) for c in table.columns]
    dup = table.columns[table.columns.duplicated()]
    if len(dup):
        raise InputError(f"{p}: KO column(s) {list(dup[:5])} appear more than once")
    absent: tuple[str, ...] = ()
    if wanted is not None:
        absent = tuple(sorted(wanted - set(table.columns)))
        if absent:
            zeros = pd.DataFrame(0.0, index=table.index, columns=list(absent), dtype=np.float32)
            table = pd.concat([table, zeros], axis=1)
        table = table[sorted(table.columns)]
    return table, absent


def read_copy_table(path: PathLike) -> pd.Series:
    """Read a PICRUSt2-layout 16S copy-number table (``assembly<TAB>16S_rRNA_Count``)."""
    p = Path(path)
    table = read_genome_table(p, what="16S copy numbers")
    if table.shape[1] != 1:
        raise InputError(
            f"{p}: expected two columns (assembly, 16S_rRNA_Count), found {table.shape[1] + 1}"
        )
    copies = table.iloc[:, 0].astype(np.float64)
    low = copies < 1
    if bool(low.any()):
        genome = copies.index[np.flatnonzero(low.to_numpy())[0]]
        row = int(np.flatnonzero(low.to_numpy())[0])
        raise InputError(
            f"{p}, line {row + 2} (genome {genome}): 16S copy number {copies[genome]:g} < 1; "
            "every genome carries at least one 16S gene"
        )
    copies.name = "copies_16s"
    return copies


def read_taxonomy(path: PathLike, column: str | None = None) -> pd.Series:
    """Read genome taxonomy from a metadata table (TSV, or CSV if the name ends .csv[.gz]).

    The first column holds genome IDs; the lineage column is ``column`` or the first of
    ``taxonomy``, ``gtdb_taxonomy``, ``ncbi_taxonomy``, ``ssu_silva_taxonomy`` present.
    """
    p = Path(path)
    sep = "," if ".csv" in p.name else "\t"
    try:
        meta = pd.read_csv(p, sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        raise InputError(f"{p}: cannot read the metadata table ({exc})") from exc
    candidates = [column] if column else list(TAXONOMY_COLUMNS)
    chosen = next((c for c in candidates if c in meta.columns), None)
    if chosen is None:
        raise InputError(
            f"{p}: no taxonomy column (looked for {candidates}); columns are {list(meta.columns)}"
        )
    taxonomy = pd.Series(meta[chosen].to_numpy(), index=meta.iloc[:, 0].astype(str), name=chosen)
    taxonomy.index.name = "genome"
    return taxonomy[~taxonomy.index.duplicated()]


def read_ec_table(path: PathLike) -> pd.DataFrame:
    """Read a genome x EC copy-number table (PICRUSt2's ``ec.txt.gz``: ``1.1.1.1`` or
    ``EC:1.1.1.1`` column names); columns are named ``EC:<number>``, as in ec_abundance.tsv."""
    table = read_genome_table(path, what="EC copy numbers")
    names = [str(c).strip().removeprefix("EC:") for c in table.columns]
    bad = [c for c in names if not EC_PATTERN.match(c)]
    if bad:
        raise InputError(f"{path}: column(s) {', '.join(bad[:3])} are not EC numbers "
                         "(expected e.g. 1.1.1.1 or EC:1.1.1.1)")
    table.columns = [f"EC:{c}" for c in names]
    return table
