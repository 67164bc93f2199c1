"""Nearest-genome functional prediction (``function.method: nearest``).

Each ASV is searched against the bundle's reference 16S with ``vsearch --usearch_global``. Its
predicted gene content is the weighted mean of the KO copy numbers of its closest reference
genomes, and its predicted 16S copy number the weighted mean of theirs.

Weighting rule: of an ASV's hits (best hit per genome), take the ``k`` genomes with the highest
identity (ties broken by genome ID), keep those within ``window`` (default 0.005, i.e. half a
percentage point) of the best identity, and weight each by its identity (weights normalised to
sum to 1). With a single close genome this is plain nearest-genome prediction; with several
near-equal genomes (e.g. identical 16S in different strains) it averages them.

ASV status: ``predicted`` (best distance = 1 - identity <= ``max_distance``), ``too_distant``
(a hit exists but is farther), ``no_hit`` (no reference at or above vsearch's ``--id``). Only
predicted ASVs contribute to KO abundances. All of this is *predicted potential* from 16S, not
a measurement of the genes present.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from gutbrain.bundle import ReferenceBundle
from gutbrain.errors import InputError
from gutbrain.genome_tables import normalise_ko
from gutbrain.tables import columns

PathLike = str | os.PathLike[str]

STATUSES = ("predicted", "too_distant", "no_hit")
PREDICTION_COLUMNS = [
    "asv_id", "nearest_genome", "identity", "distance", "n_hits", "copies_16s", "status",
]
#: sample_confidence.tsv, one shape for every method (genus_profile, nearest, picrust2); a
#: column a method does not measure is empty (genomes_per_read: genus profiles only;
#: weighted_distance: methods that place ASVs on reference genomes).
CONFIDENCE_COLUMNS = columns("sample_confidence")
CONTRIBUTION_COLUMNS = columns("ko_contributions")


def vsearch_command(
    asv_fasta: PathLike,
    db_fasta: PathLike,
    out_tsv: PathLike,
    k: int,
    min_identity: float,
    threads: int = 1,
    maxaccepts: int | None = None,
    maxrejects: int = 64,
    vsearch: str = "vsearch",
) -> list[str]:
    """Return the vsearch global-search argument list (no shell) used by run_vsearch_search.

    ``maxaccepts`` defaults to ``k``; raise it when genomes carry several distinct 16S copies.
    vsearch 2.22 does not accept ``--randseed`` for ``--usearch_global``; the search is
    deterministic per query, and hits are sorted afterwards by :func:`parse_hits`.
    """
    if k < 1:
        raise InputError(f"function.k must be >= 1 (got {k})")
    if not 0.0 < min_identity <= 1.0:
        raise InputError(f"function.min_identity must be in (0, 1] (got {min_identity})")
    return [
        vsearch, "--usearch_global", str(asv_fasta), "--db", str(db_fasta),
        "--id", f"{min_identity:g}", "--maxaccepts", str(maxaccepts or k),
        "--maxrejects", str(maxrejects), "--userout", str(out_tsv),
        "--userfields", "query+target+id", "--output_no_hits",
        "--threads", str(max(1, int(threads))), "--quiet",
    ]


def run_vsearch_search(
    asv_fasta: PathLike,
    db_fasta: PathLike,
    out_tsv: PathLike,
    k: int,
    min_identity: float,
    threads: int = 1,
    maxaccepts: int | None = None,
    vsearch: str = "vsearch",
) -> Path:
    """Search ASVs against the reference 16S with vsearch; return the hits file path.

    Raises RuntimeError with vsearch's stderr if it fails.
    """
    cmd = vsearch_command(asv_fasta, db_fasta, out_tsv, k, min_identity, threads,
                          maxaccepts=maxaccepts, vsearch=vsearch)
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"vsearch failed (exit {done.returncode}): {' '.join(cmd)}\n{done.stderr.strip()}"
        )
    return Path(out_tsv)


def parse_hits(path: PathLike) -> pd.DataFrame:
    """Read a vsearch ``query+target+id`` userout file into (query, target, genome, identity).

    Identity becomes a fraction (vsearch reports percent). Rows with target ``*`` (no hit)
    are dropped; the genome is the target label before ``|``. Only the best hit per
    (query, genome) is kept. Rows are sorted by query, identity (descending), genome.
    """
    p = Path(path)
    try:
        hits = pd.read_csv(p, sep="\t", header=None, names=["query", "target", "identity"],
                           dtype={"query": str, "target": str, "identity": np.float64})
    except pd.errors.EmptyDataError:
        hits = pd.DataFrame({"query": pd.Series(dtype=str), "target": pd.Series(dtype=str),
                             "identity": pd.Series(dtype=np.float64)})
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{p}: not a vsearch query+target+id table ({exc})") from exc
    hits = hits[hits["target"] != "*"].copy()
    if bool(((hits["identity"] < 0) | (hits["identity"] > 100)).any()):
        raise InputError(f"{p}: identity outside 0-100; expected vsearch percent identities")
    hits["identity"] = hits["identity"] / 100.0
    hits["genome"] = hits["target"].str.split("|", n=1, regex=False).str[0]
    hits = hits.sort_values(["query", "identity", "genome"], ascending=[True, False, True],
                            kind="mergesort")
    hits = hits.drop_duplicates(["query", "genome"], keep="first")
    return hits[["query", "target", "genome", "identity"]].reset_index(drop=True)


def select_hits(hits: pd.DataFrame, k: int | None = None, window: float | None = 0.005
                ) -> pd.DataFrame:
    """Apply the weighting rule's selection: best per genome, top ``k``, within ``window``.

    Adds a ``weight`` column (identity normalised to sum 1 per query).
    """
    h = hits.sort_values(["query", "identity", "genome"], ascending=[True, False, True],
                         kind="mergesort").drop_duplicates(["query", "genome"], keep="first")
    if k is not None:
        h = h[h.groupby("query", sort=False).cumcount() < k]
    if window is not None:
        best = h.groupby("query", sort=False)["identity"].transform("max")
        h = h[h["identity"] >= best - window - 1e-12]
    h = h.copy()
    h["weight"] = h["identity"] / h.groupby("query", sort=False)["identity"].transform("sum")
    return h.reset_index(drop=True)


def predict_asvs(
    hits: pd.DataFrame,
    bundle: ReferenceBundle,
    asv_ids: Iterable[str],
    max_distance: float,
    k: int | None = None,
    window: float | None = 0.005,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predict 16S copies and KO copies per ASV from its nearest reference genomes.

    ``hits`` is :func:`parse_hits` output. Returns ``(asv_predictions, asv_ko)``:
    ``asv_predictions`` has one row per ASV of ``asv_ids`` (in that order) with columns
    asv_id, nearest_genome, identity, distance, n_hits (genomes averaged under the weighting
    rule), copies_16s (empty unless predicted), status (+ nearest_taxonomy when the bundle has
    taxonomy); ``asv_ko`` is predicted ASV x KO copies (float32, index
    ``asv_id``) for the ``predicted`` ASVs only. Hits to genomes absent from the bundle raise
    InputError (the search database does not match the bundle).
    """
    ids = pd.Index([str(a) for a in asv_ids], name="asv_id")
    if ids.has_duplicates:
        raise InputError(f"duplicated ASV IDs given to prediction, e.g. {ids[ids.duplicated()][0]}")
    h = hits[hits["query"].isin(ids)]
    genome_pos = bundle.ko.index.get_indexer(h["genome"])
    if bool((genome_pos < 0).any()):
        unknown = sorted(set(h["genome"][genome_pos < 0]))
        raise InputError(
            f"{len(unknown)} hit target genome(s) are not in reference bundle {bundle.name!r} "
            f"(e.g. {', '.join(unknown[:3])}); rebuild the search database from this bundle"
        )
    sel = select_hits(h, k=k, window=window)
    best = sel.drop_duplicates("query", keep="first").set_index("query")
    identity = best["identity"].reindex(ids)
    distance = 1.0 - identity
    status = np.where(identity.isna(), "no_hit",
                      np.where(distance > max_distance + 1e-12, "too_distant", "predicted"))
    status = pd.Series(status, index=ids)
    predicted = ids[status.to_numpy() == "predicted"]
    n_hits = sel.groupby("query", sort=False).size().reindex(ids)

    sel = sel[sel["query"].isin(predicted)]
    row = predicted.get_indexer(sel["query"])
    col = bundle.ko.index.get_indexer(sel["genome"])
    from scipy import sparse  # here: the genus-profile and scoring jobs import this module

    weights = sparse.csr_matrix(
        (sel["weight"].to_numpy(np.float64), (row, col)),
        shape=(len(predicted), len(bundle.ko.index)),
    )
    ko_values = weights @ bundle.ko.to_numpy(dtype=np.float32)
    copies = weights @ bundle.copies_16s.to_numpy(np.float64)

    preds = pd.DataFrame({
        "asv_id": ids,
        "nearest_genome": best["genome"].reindex(ids).fillna("").to_numpy(),
        "identity": identity.to_numpy(),
        "distance": distance.to_numpy(),
        "n_hits": n_hits.fillna(0).astype(np.int64).to_numpy(),
        "copies_16s": pd.Series(copies, index=predicted).reindex(ids).to_numpy(),
        "status": status.to_numpy(),
    })
    if bundle.taxonomy is not None:
        preds["nearest_taxonomy"] = (
            bundle.taxonomy.reindex(preds["nearest_genome"]).fillna("").to_numpy()
        )
    asv_ko = pd.DataFrame(np.asarray(ko_values, dtype=np.float32), index=predicted,
                          columns=[normalise_ko(c) for c in bundle.ko.columns])
    asv_ko.index.name = "asv_id"
    return preds, asv_ko


def predict_asv_traits(
    hits: pd.DataFrame,
    asv_predictions: pd.DataFrame,
    traits: pd.DataFrame,
    k: int | None = None,
    window: float | None = 0.005,
) -> pd.DataFrame:
    """Predicted ASV x trait copies (for example ECs) of the ``predicted`` ASVs of
    ``asv_predictions``, averaged over the same nearest genomes and weights as
    :func:`predict_asvs` gives the KOs. ``traits`` is genome x trait; a selected genome missing
    from it raises InputError (the trait table does not belong to the bundle)."""
    predicted = pd.Index(
        asv_predictions.loc[asv_predictions["status"] == "predicted", "asv_id"].astype(str),
        name="asv_id",
    )
    sel = select_hits(hits[hits["query"].isin(predicted)], k=k, window=window)
    col = traits.index.get_indexer(sel["genome"])
    if bool((col < 0).any()):
        unknown = sorted(set(sel["genome"][col < 0]))
        raise InputError(
            f"{len(unknown)} genome(s) of the predictions are not in the trait table "
            f"(e.g. {', '.join(unknown[:3])}); it does not belong to this reference bundle"
        )
    from scipy import sparse

    weights = sparse.csr_matrix(
        (sel["weight"].to_numpy(np.float64), (predicted.get_indexer(sel["query"]), col)),
        shape=(len(predicted), len(traits.index)),
    )
    values = weights @ traits.to_numpy(dtype=np.float32)
    return pd.DataFrame(np.asarray(values, dtype=np.float32), index=predicted,
                        columns=list(traits.columns))


def count_matrix(asv_table: pd.DataFrame) -> pd.DataFrame:
    """Return counts indexed by ASV ID (accepts an ``asv_id`` column or an index)."""
    table = asv_table.set_index("asv_id") if "asv_id" in asv_table.columns else asv_table
    table.index = table.index.astype(str)
    return table


def _normalised_counts(
    asv_table: pd.DataFrame, asv_predictions: pd.DataFrame, asv_ko: pd.DataFrame
) -> tuple[pd.Index, np.ndarray, pd.Index]:
    """(predicted ASVs present in both, counts / predicted 16S copies float64, samples)."""
    counts = count_matrix(asv_table)
    preds = asv_predictions.set_index("asv_id")
    missing = counts.index.difference(preds.index)
    if len(missing):
        raise InputError(
            f"{len(missing)} ASV(s) of the ASV table have no prediction row "
            f"(e.g. {', '.join(missing[:3])}); rerun the functional prediction"
        )
    is_pred = preds["status"].reindex(counts.index) == "predicted"
    asvs = counts.index[is_pred.to_numpy()]
    lacking = asvs.difference(asv_ko.index)
    if len(lacking):
        raise InputError(
            f"{len(lacking)} predicted ASV(s) lack a row in the ASV KO table "
            f"(e.g. {', '.join(lacking[:3])}); the prediction tables do not match"
        )
    copies = preds.loc[asvs, "copies_16s"].to_numpy(np.float64)
    values = counts.loc[asvs].to_numpy(np.float64) / copies[:, None]
    return asvs, values, counts.columns


def ko_abundance(
    asv_table: pd.DataFrame, asv_predictions: pd.DataFrame, asv_ko: pd.DataFrame
) -> pd.DataFrame:
    """Predicted KO abundance per sample: sum over predicted ASVs of count / 16S copies x KO copies.

    Returns KO x sample (float64, index named ``ko``). ASVs that are ``too_distant`` or
    ``no_hit`` contribute nothing (see :func:`sample_confidence` for the fraction predicted).
    """
    asvs, norm, samples = _normalised_counts(asv_table, asv_predictions, asv_ko)
    ko = asv_ko.loc[asvs].to_numpy(np.float64)
    result = ko.T @ norm
    out = pd.DataFrame(result, index=pd.Index(asv_ko.columns, name="ko"), columns=samples)
    return out


def ko_contributions(
    asv_table: pd.DataFrame,
    asv_predictions: pd.DataFrame,
    asv_ko: pd.DataFrame,
    genus_of_asv: Mapping[str, str],
    kos: Iterable[str],
    min_share: float = 0.0,
) -> pd.DataFrame:
    """Per-ASV contributions to selected KOs: sample, ko, asv_id, genus, abundance, share.

    ``abundance`` = count / predicted 16S copies x KO copies; ``share`` = abundance divided by
    the sample's total for that KO. Only non-zero rows (and, if given, share >= ``min_share``)
    are returned, sorted by sample, ko and decreasing abundance. ASVs without a genus get "".
    KOs absent from ``asv_ko`` are ignored. The text columns are pandas Categoricals (the
    table can have millions of rows: ~300 ASVs x ~300 KOs x samples).
    """
    asvs, norm, samples = _normalised_counts(asv_table, asv_predictions, asv_ko)
    wanted = [k for k in dict.fromkeys(normalise_ko(k) for k in kos) if k in asv_ko.columns]
    ko_sub = asv_ko.loc[asvs, wanted].to_numpy(np.float64)
    # (sample, asv) pairs with reads, sample-major; then the KOs each pair's ASV carries.
    pair_s, pair_a = np.nonzero(norm.T)
    pair_norm = norm[pair_a, pair_s]
    pair, j = np.nonzero(ko_sub[pair_a] > 0)
    a = pair_a[pair].astype(np.int32)
    s = pair_s[pair].astype(np.int32)
    j = j.astype(np.int32)
    del pair_s, pair_a
    val = pair_norm[pair] * ko_sub[a, j]
    del pair, pair_norm
    flat = s.astype(np.int64) * max(len(wanted), 1) + j
    totals = np.bincount(flat, weights=val, minlength=len(samples) * max(len(wanted), 1))
    share = val / totals[flat]
    del flat, totals
    if min_share > 0:
        keep = share >= min_share
        a, s, j, val, share = a[keep], s[keep], j[keep], val[keep], share[keep]
    order = np.lexsort((-val, j, s))
    genus_names = [str(genus_of_asv.get(x, "") or "") for x in asvs]
    genus_cat = pd.Categorical(genus_names)
    return pd.DataFrame({
        "sample": pd.Categorical.from_codes(s[order], categories=pd.Index(samples).astype(str)),
        "ko": pd.Categorical.from_codes(j[order], categories=pd.Index(wanted, dtype=str)),
        "asv_id": pd.Categorical.from_codes(a[order], categories=pd.Index(asvs).astype(str)),
        "genus": pd.Categorical.from_codes(genus_cat.codes[a[order]],
                                           categories=genus_cat.categories),
        "abundance": val[order],
        "share": share[order],
    })


def sample_confidence(asv_table: pd.DataFrame, asv_predictions: pd.DataFrame,
                      method: str = "nearest",
                      genus_of_asv: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per-sample prediction confidence (:data:`CONFIDENCE_COLUMNS`).

    ``weighted_distance`` = read-weighted mean distance to the nearest genome over predicted
    ASVs (NaN when no predicted reads); ``fraction_reads_predicted`` = predicted reads / all
    reads (0 for an empty sample); ``n_genera_predicted`` = genera (``genus_of_asv``) among the
    sample's predicted ASVs (empty without it); counts of ASVs (count > 0) and reads, total
    and predicted; ``method`` names the prediction method; ``genomes_per_read`` is empty.
    """
    counts = count_matrix(asv_table)
    preds = asv_predictions.set_index("asv_id").reindex(counts.index)
    if bool(preds["status"].isna().any()):
        missing = counts.index[preds["status"].isna().to_numpy()]
        raise InputError(
            f"{len(missing)} ASV(s) of the ASV table have no prediction row "
            f"(e.g. {', '.join(missing[:3])}); rerun the functional prediction"
        )
    values = counts.to_numpy(np.float64)
    is_pred = (preds["status"] == "predicted").to_numpy()
    dist = np.where(is_pred, preds["distance"].to_numpy(np.float64), 0.0)
    reads_total = values.sum(axis=0)
    reads_pred = values[is_pred].sum(axis=0)
    weighted = dist @ values
    with np.errstate(invalid="ignore", divide="ignore"):
        weighted_distance = np.where(reads_pred > 0, weighted / np.where(reads_pred > 0,
                                                                         reads_pred, 1), np.nan)
        fraction = np.where(reads_total > 0, reads_pred / np.where(reads_total > 0,
                                                                   reads_total, 1), 0.0)
    present = values > 0
    if genus_of_asv is None:
        n_genera = pd.array([pd.NA] * values.shape[1], dtype="Int64")
    else:
        genus = np.array([genus_of_asv.get(a) or "" for a in counts.index], dtype=object)
        n_genera = [len(set(genus[is_pred & present[:, s]]) - {""})
                    for s in range(values.shape[1])]
    if bool(np.all(values == np.rint(values))):
        reads_total = reads_total.astype(np.int64)
        reads_pred = reads_pred.astype(np.int64)
    return pd.DataFrame({
        "sample": list(counts.columns),
        "method": method,
        "weighted_distance": weighted_distance,
        "fraction_reads_predicted": fraction,
        "genomes_per_read": np.nan,
        "n_genera_predicted": n_genera,
        "n_asvs": present.sum(axis=0).astype(np.int64),
        "n_asvs_predicted": present[is_pred].sum(axis=0).astype(np.int64),
        "reads_total": reads_total,
        "reads_predicted": reads_pred,
    }, columns=CONFIDENCE_COLUMNS)


def summarise_status(asv_predictions: pd.DataFrame) -> dict[str, int]:
    """Number of ASVs per status (every status listed, zeros included)."""
    counts = asv_predictions["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}

