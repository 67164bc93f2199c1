"""Parsers for PICRUSt2 outputs (the optional ``function.method: picrust2`` backend).

PICRUSt2 (run elsewhere, in its own conda env) writes, per study sequence (ASV):
``KO_predicted.tsv[.gz]`` (``sequence`` then one column per KO, optionally ``metadata_NSTI``),
``marker_predicted_and_nsti.tsv[.gz]`` (``sequence, 16S_rRNA_Count, metadata_NSTI``) and the
per-sample ``pred_metagenome_unstrat.tsv[.gz]`` (``function`` then one column per sample,
optionally a ``description`` column). These functions turn them into the pipeline's tables
(``asv_predictions``, ``asv_ko``) so the rest of the pipeline is backend-independent.

NSTI (nearest sequenced taxon index: phylogenetic branch length to the nearest reference genome)
becomes our ``distance``; sequences with NSTI above ``max_nsti`` are ``too_distant`` and
sequences absent from PICRUSt2's output (not placed) are ``no_hit``. PICRUSt2 itself divides
counts by the predicted 16S copies and rounds that normalised table to 2 decimals before
multiplying by gene copies; :func:`gutbrain.predict.ko_abundance` does not round, so results
agree exactly when counts / copies have at most 2 decimals and to within about 0.005 x KO
copies per ASV otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from gutbrain.errors import InputError
from gutbrain.genome_tables import KO_PATTERN, normalise_ko, read_genome_table
from gutbrain.predict import PREDICTION_COLUMNS

PathLike = str | os.PathLike[str]

NSTI_COLUMN = "metadata_NSTI"
MARKER_COLUMN = "16S_rRNA_Count"
DEFAULT_MAX_NSTI = 2.0  # PICRUSt2's default --max_nsti


def read_predicted_functions(
    path: PathLike, kos: Iterable[str] | None = None
) -> tuple[pd.DataFrame, pd.Series | None]:
    """Read a PICRUSt2 per-sequence function table (e.g. ``KO_predicted.tsv.gz``).

    Returns (sequence x function float32 table, NSTI per sequence or None). ``ko:`` prefixes
    are removed; other function IDs (EC, ...) are kept as written. With ``kos``, only those
    KO columns (and NSTI) are read.
    """
    wanted = None if kos is None else {normalise_ko(k) for k in kos}

    def keep(column: str) -> bool:
        return column == NSTI_COLUMN or wanted is None or normalise_ko(column) in wanted

    table = read_genome_table(path, keep=keep, what="predicted copy numbers", id_label="sequence")
    nsti = None
    if NSTI_COLUMN in table.columns:
        nsti = table.pop(NSTI_COLUMN).astype(np.float64).rename("nsti")
    table.columns = [normalise_ko(c) if KO_PATTERN.match(normalise_ko(c)) else c
                     for c in table.columns]
    return table, nsti


def read_marker_predictions(path: PathLike) -> pd.DataFrame:
    """Read ``marker_predicted_and_nsti.tsv[.gz]`` into (copies_16s, nsti) indexed by sequence.

    ``nsti`` is NaN when the file has no ``metadata_NSTI`` column. Copy numbers must be >= 1.
    """
    p = Path(path)
    # PICRUSt2 2.6's combined_marker_predicted_and_nsti.tsv.gz adds text columns (the domain
    # each sequence was placed in): only the copy number and NSTI are read.
    table = read_genome_table(p, keep=lambda c: c in (MARKER_COLUMN, NSTI_COLUMN),
                              what="16S copy numbers", id_label="sequence")
    if MARKER_COLUMN not in table.columns:
        raise InputError(f"{p}: no {MARKER_COLUMN} column; is this a PICRUSt2 marker table?")
    copies = table[MARKER_COLUMN].astype(np.float64)
    low = copies < 1
    if bool(low.any()):
        row = int(np.flatnonzero(low.to_numpy())[0])
        raise InputError(
            f"{p}, line {row + 2} (sequence {copies.index[row]}): 16S copy number "
            f"{copies.iloc[row]:g} < 1"
        )
    nsti = (table[NSTI_COLUMN].astype(np.float64) if NSTI_COLUMN in table.columns
            else pd.Series(np.nan, index=table.index))
    return pd.DataFrame({"copies_16s": copies, "nsti": nsti})


def read_pred_metagenome_unstrat(path: PathLike) -> pd.DataFrame:
    """Read ``pred_metagenome_unstrat.tsv[.gz]`` as function x sample (float64, index ``ko``).

    A ``description`` column (added by PICRUSt2's add_descriptions.py) is dropped; ``ko:``
    prefixes are removed.
    """
    p = Path(path)
    try:
        header = pd.read_csv(p, sep="\t", nrows=0).columns
    except (pd.errors.EmptyDataError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot read the PICRUSt2 metagenome table ({exc})") from exc
    keep = [c for c in header if c != "description"]
    table = read_genome_table(p, keep=lambda c: c in keep, what="predicted abundances",
                              id_label="function").astype(np.float64)
    table.index = [normalise_ko(i) for i in table.index]
    table.index.name = "ko"
    return table


def to_asv_predictions(
    marker: pd.DataFrame, asv_ids: Iterable[str], max_nsti: float = DEFAULT_MAX_NSTI
) -> pd.DataFrame:
    """Turn PICRUSt2 marker predictions into our ``asv_predictions`` table.

    ``distance`` = NSTI; ``identity`` and ``nearest_genome`` are not known (empty);
    ``n_hits`` is 1 for placed sequences, 0 otherwise. Status: ``predicted`` (NSTI <= max_nsti
    or NSTI unknown), ``too_distant`` (NSTI > max_nsti), ``no_hit`` (not in PICRUSt2's output).
    """
    ids = pd.Index([str(a) for a in asv_ids], name="asv_id")
    m = marker.reindex(ids)
    placed = m["copies_16s"].notna().to_numpy()
    nsti = m["nsti"].to_numpy(np.float64)
    too_far = placed & ~np.isnan(nsti) & (np.nan_to_num(nsti, nan=0.0) > max_nsti)
    status = np.where(~placed, "no_hit", np.where(too_far, "too_distant", "predicted"))
    copies = np.where(status == "predicted", m["copies_16s"].to_numpy(np.float64), np.nan)
    out = pd.DataFrame({
        "asv_id": ids,
        "nearest_genome": "",
        "identity": np.nan,
        "distance": nsti,
        "n_hits": placed.astype(np.int64),
        "copies_16s": copies,
        "status": status,
    })
    return out[PREDICTION_COLUMNS]


def to_asv_ko(functions: pd.DataFrame, asv_predictions: pd.DataFrame) -> pd.DataFrame:
    """Restrict a PICRUSt2 per-sequence function table to the ``predicted`` ASVs (asv x KO)."""
    predicted = asv_predictions.loc[asv_predictions["status"] == "predicted", "asv_id"]
    missing = pd.Index(predicted).difference(functions.index)
    if len(missing):
        raise InputError(
            f"{len(missing)} predicted sequence(s) are missing from the PICRUSt2 function "
            f"table (e.g. {', '.join(missing[:3])}); use the KO and marker files of one run"
        )
    out = functions.loc[list(predicted)].astype(np.float32)
    out.index.name = "asv_id"
    return out
