"""Alpha and beta diversity of an ASV count table with scikit-bio, and the rarefaction depth rule.

Conventions used throughout:

* An ASV table is a :class:`pandas.DataFrame` indexed by ASV ID with one integer count column
  per sample (the pipeline's ``asv_table_filtered.tsv`` read with ``index_col="asv_id"``).
* Shannon diversity uses the natural logarithm (nats), scikit-bio's default since 0.6.1.
* Simpson diversity is the Gini-Simpson index ``1 - sum(p_i^2)`` (probability that two reads
  drawn at random come from different ASVs), scikit-bio's ``simpson``.
* Rarefied metrics are computed on counts subsampled without replacement to one common depth.
  Each sample gets its own random stream derived from ``seed`` and the sample ID, so a sample's
  rarefied counts do not depend on which other samples are in the run.
* Samples with fewer reads than the depth are excluded from rarefied metrics and from beta
  diversity; the reason is recorded (see :func:`excluded_samples`), never dropped silently.
"""

from __future__ import annotations

import math
import os
import zlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from skbio import DistanceMatrix, TreeNode
from skbio.diversity import alpha_diversity as skbio_alpha
from skbio.diversity import beta_diversity as skbio_beta
from skbio.stats import subsample_counts
from skbio.stats.ordination import pcoa as skbio_pcoa

from gutbrain.errors import InputError
from gutbrain.pcoa_table import PCOA_AXES, format_pcoa_tsv
from gutbrain.tables import columns

ALPHA_COLUMNS = columns("alpha")
"""Columns of ``alpha.tsv``: the contract columns first, then reads, unrarefied richness, status."""

BETA_METRICS_NO_TREE = ("braycurtis",)
BETA_METRICS_TREE = ("braycurtis", "weighted_unifrac", "unweighted_unifrac")
MIN_PCOA_SAMPLES = 3
RAREFACTION_RULE = (
    "largest depth that keeps at least keep_fraction of the samples and is at least min_depth; "
    "if no depth satisfies both, min_depth when some sample reaches it, otherwise the depth "
    "that keeps keep_fraction of the samples (flagged as low); with one sample, its own depth"
)


def checked_tree(
    tree: TreeNode, asv_ids: Sequence[str], path: str | os.PathLike[str]
) -> TreeNode:
    """Check that every branch has a length and every ASV ID is a tip; root at the midpoint.

    Tips not in ``asv_ids`` are allowed (they do not affect Faith PD or UniFrac). ``path``, the
    tree's file, is named in the errors.
    """
    for node in tree.non_tips():
        if node.is_root():
            continue
        if node.length is None:
            raise InputError(f"{path}: an internal branch has no length; rebuild the tree")
    tips = [tip.name for tip in tree.tips()]
    if any(tip.length is None for tip in tree.tips()):
        raise InputError(f"{path}: some tips have no branch length; rebuild the tree")
    missing = sorted(set(asv_ids) - set(tips))
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise InputError(
            f"{path}: {len(missing)} ASV IDs of the table are not tips of the tree ({shown}); "
            "rebuild the tree from the same asv_seqs.fasta"
        )
    if len(tips) < 2:
        raise InputError(f"{path}: the tree has fewer than two tips; it cannot be rooted")
    return tree.root_at_midpoint()


def choose_rarefaction_depth(
    read_counts: Mapping[str, int], min_depth: int = 1000, keep_fraction: float = 0.9
) -> tuple[int, str]:
    """Choose a rarefaction depth from the samples' read counts and say why.

    Rule (:data:`RAREFACTION_RULE`): with ``k = ceil(keep_fraction * n)``, the candidate is the
    k-th largest read count, i.e. the largest depth that keeps at least ``keep_fraction`` of the
    samples. It is used when it is at least ``min_depth``. Otherwise ``min_depth`` is used when
    some sample reaches it (more samples are excluded, and named). When every sample is below
    ``min_depth`` the candidate (or, if it is zero, the smallest non-zero count) is used and the
    reason says that the depth is low. A single sample is rarefied to its own depth. Samples
    below the chosen depth are named in the reason. Returns ``(0, reason)`` when no sample has
    reads.
    """
    if not 0 < keep_fraction <= 1:
        raise InputError(f"rarefaction keep_fraction must be in (0, 1], got {keep_fraction}")
    if min_depth < 1:
        raise InputError(f"rarefaction min_depth must be at least 1, got {min_depth}")
    counts = {str(s): int(c) for s, c in read_counts.items()}
    nonzero = sorted(c for c in counts.values() if c > 0)
    if not nonzero:
        return 0, "no sample has reads after QC; diversity was not computed"
    n = len(counts)
    if n == 1:
        (sample, depth), = counts.items()
        return depth, f"one sample: rarefied to its own depth ({depth} reads of sample {sample})"
    k = math.ceil(keep_fraction * n)
    candidate = sorted(counts.values(), reverse=True)[k - 1]
    kept_share = f"keeps at least {keep_fraction:.0%} of samples"
    if candidate >= min_depth:
        depth = candidate
        reason = f"largest depth that {kept_share} ({k} of {n}) and is >= {min_depth}"
    elif max(nonzero) >= min_depth:
        depth = min_depth
        reason = (
            f"keeping {keep_fraction:.0%} of samples would need depth {candidate} < min_depth "
            f"{min_depth}; used min_depth"
        )
    else:
        depth = candidate if candidate > 0 else nonzero[0]
        reason = (
            f"every sample is below min_depth {min_depth}; used {depth}, the depth that "
            f"{kept_share} where possible (low depth: diversity estimates are less reliable)"
        )
    below = excluded_samples(counts, depth)
    if below:
        listed = ", ".join(f"{s} ({counts[s]} reads)" for s in below)
        reason += f"; below depth and excluded from rarefied metrics: {listed}"
    else:
        reason += "; no sample excluded"
    return depth, reason


def excluded_samples(read_counts: Mapping[str, int], depth: int) -> dict[str, str]:
    """Samples with fewer reads than ``depth`` mapped to the reason they are excluded."""
    out: dict[str, str] = {}
    for sample, reads in read_counts.items():
        if depth <= 0:
            out[str(sample)] = "no rarefaction depth (no sample has reads)"
        elif int(reads) < depth:
            out[str(sample)] = f"{int(reads)} reads, below the rarefaction depth of {depth}"
    return out


def _sample_rng(seed: int, sample: str) -> np.random.Generator:
    """A random generator for one sample, fixed by the run seed and the sample ID."""
    return np.random.default_rng([int(seed), zlib.crc32(sample.encode("utf-8"))])


def rarefy(asv_table: pd.DataFrame, depth: int, seed: int = 0) -> pd.DataFrame:
    """Subsample every sample with at least ``depth`` reads to exactly ``depth`` reads.

    Samples below ``depth`` are left out of the result (see :func:`excluded_samples`).
    """
    columns = {}
    for sample in asv_table.columns:
        counts = asv_table[sample].to_numpy(dtype=np.int64)
        if depth <= 0 or counts.sum() < depth:
            continue
        columns[sample] = subsample_counts(counts, depth, seed=_sample_rng(seed, str(sample)))
    return pd.DataFrame(columns, index=asv_table.index, dtype=np.int64)


def alpha_diversity(
    asv_table: pd.DataFrame, tree: TreeNode | None = None, *, depth: int, seed: int = 0
) -> pd.DataFrame:
    """Per-sample alpha diversity on rarefied counts, plus unrarefied richness.

    Columns: :data:`ALPHA_COLUMNS`. ``observed_asvs``, ``shannon`` (natural log), ``simpson``
    (Gini-Simpson) and ``faith_pd`` (only with a tree) are computed at ``depth``; samples below
    it get empty values and ``status`` ``below_depth``. ``observed_asvs_unrarefied`` counts ASVs
    with at least one read in the full sample.
    """
    reads = asv_table.sum(axis=0)
    rare = rarefy(asv_table, depth, seed)
    rows = []
    metrics: dict[str, pd.Series] = {}
    if rare.shape[1]:
        matrix = rare.T.to_numpy()
        ids = [str(s) for s in rare.columns]
        metrics["observed_asvs"] = skbio_alpha("observed_features", matrix, ids=ids)
        metrics["shannon"] = skbio_alpha("shannon", matrix, ids=ids)
        metrics["simpson"] = skbio_alpha("simpson", matrix, ids=ids)
        if tree is not None:
            metrics["faith_pd"] = skbio_alpha(
                "faith_pd", matrix, ids=ids, taxa=[str(a) for a in rare.index], tree=tree
            )
    for sample in asv_table.columns:
        name = str(sample)
        rarefied = name in set(rare.columns.astype(str))
        row: dict[str, object] = {"sample": name}
        for metric in ("observed_asvs", "shannon", "simpson", "faith_pd"):
            value = metrics[metric][name] if rarefied and metric in metrics else np.nan
            row[metric] = float(value)
        row["rarefaction_depth"] = int(depth)
        row["reads"] = int(reads[sample])
        row["observed_asvs_unrarefied"] = int((asv_table[sample] > 0).sum())
        row["status"] = "rarefied" if rarefied else "below_depth"
        rows.append(row)
    out = pd.DataFrame(rows, columns=ALPHA_COLUMNS)
    out["observed_asvs"] = out["observed_asvs"].astype("Int64")
    return out


def beta_diversity(
    asv_table: pd.DataFrame, tree: TreeNode | None = None, *, depth: int, seed: int = 0
) -> dict[str, DistanceMatrix]:
    """Distance matrices between samples at ``depth`` reads, keyed by metric.

    Bray-Curtis always; weighted and unweighted UniFrac when a tree is given. Samples below
    ``depth`` are left out (see :func:`excluded_samples`). Returns an empty dict when no
    sample reaches the depth; a single remaining sample gives 1x1 matrices.
    """
    rare = rarefy(asv_table, depth, seed)
    if rare.shape[1] == 0:
        return {}
    ids = [str(s) for s in rare.columns]
    matrix = rare.T.to_numpy()
    out: dict[str, DistanceMatrix] = {}
    metrics = BETA_METRICS_TREE if tree is not None else BETA_METRICS_NO_TREE
    for metric in metrics:
        if metric == "braycurtis":
            out[metric] = skbio_beta(metric, matrix, ids=ids)
        else:
            out[metric] = skbio_beta(
                metric, matrix, ids=ids, taxa=[str(a) for a in rare.index], tree=tree
            )
    return out


def pcoa_skip_reason(dm: DistanceMatrix | None) -> str | None:
    """Why no PCoA is computed for ``dm``, or ``None`` when it can be.

    Reasons: no matrix (no sample reached the rarefaction depth), fewer than
    :data:`MIN_PCOA_SAMPLES` samples, or all distances zero (nothing to ordinate).
    """
    n_samples = 0 if dm is None else dm.shape[0]
    if n_samples < MIN_PCOA_SAMPLES:
        return (
            f"not enough samples for an ordination: {n_samples} sample(s) passed rarefaction, "
            f"PCoA needs at least {MIN_PCOA_SAMPLES}"
        )
    if dm is not None and not np.any(dm.data > 0):
        return "all samples are identical at the rarefaction depth (every distance is 0)"
    return None


def pcoa(dm: DistanceMatrix) -> tuple[pd.DataFrame, pd.Series]:
    """Principal coordinates (first three axes) of a distance matrix and proportion explained.

    Returns a frame with columns ``sample, PC1, PC2, PC3`` and a series of proportions indexed
    by axis name (share of the total positive eigenvalue sum). Raises ``ValueError`` with the
    reason from :func:`pcoa_skip_reason` when no PCoA can be computed.
    """
    reason = pcoa_skip_reason(dm)
    if reason:
        raise ValueError(reason)
    # All axes, so that proportions are shares of the sum of the positive eigenvalues.
    result = skbio_pcoa(dm, dimensions=dm.shape[0], warn_neg_eigval=False)
    eigvals = result.eigvals.to_numpy(dtype=float)
    positive_total = float(eigvals[eigvals > 0].sum())
    coords = result.samples.iloc[:, : len(PCOA_AXES)].copy()
    coords.columns = list(PCOA_AXES[: coords.shape[1]])
    for axis in PCOA_AXES:
        if axis not in coords.columns:
            coords[axis] = 0.0
    coords = coords[list(PCOA_AXES)]
    coords.index = [str(i) for i in dm.ids]
    coords = coords.rename_axis("sample").reset_index()
    shares = [max(float(eigvals[i]), 0.0) / positive_total if i < len(eigvals) else 0.0
              for i in range(len(PCOA_AXES))]
    proportions = pd.Series(shares, index=list(PCOA_AXES), name="proportion_explained")
    return coords, proportions


def distance_matrix_frame(dm: DistanceMatrix) -> pd.DataFrame:
    """A square distance matrix as a frame with a ``sample`` column and one column per sample."""
    ids = [str(i) for i in dm.ids]
    frame = pd.DataFrame(dm.data, index=ids, columns=ids)
    return frame.rename_axis("sample").reset_index()


def diversity_outputs(
    asv_table: pd.DataFrame,
    tree: TreeNode | None = None,
    *,
    min_depth: int = 1000,
    keep_fraction: float = 0.9,
    seed: int = 0,
) -> tuple[dict[str, pd.DataFrame | str], dict[str, object]]:
    """Compute everything of the diversity step: the output files by name, and the rarefaction
    record (written as ``rarefaction.json``).

    Files: ``alpha.tsv`` and ``beta_<metric>.tsv`` (frames), ``pcoa_<metric>.tsv`` (text of
    :func:`format_pcoa_tsv`), for braycurtis and, with a tree, weighted_unifrac and
    unweighted_unifrac; the PCoA files exist even when there are too few samples, with a
    ``# note``.
    """
    reads = {str(s): int(v) for s, v in asv_table.sum(axis=0).items()}
    depth, reason = choose_rarefaction_depth(reads, min_depth, keep_fraction)
    excluded = excluded_samples(reads, depth)
    files: dict[str, pd.DataFrame | str] = {
        "alpha.tsv": alpha_diversity(asv_table, tree, depth=depth, seed=seed)
    }
    betas = beta_diversity(asv_table, tree, depth=depth, seed=seed)
    metrics = BETA_METRICS_TREE if tree is not None else BETA_METRICS_NO_TREE
    for metric in metrics:
        dm = betas.get(metric)
        frame = pd.DataFrame(columns=["sample"]) if dm is None else distance_matrix_frame(dm)
        files[f"beta_{metric}.tsv"] = frame
        skip = pcoa_skip_reason(dm)
        if skip or dm is None:
            text = format_pcoa_tsv(None, None, metric, note=skip or "no distance matrix")
        else:
            coords, proportions = pcoa(dm)
            text = format_pcoa_tsv(coords, proportions, metric)
        files[f"pcoa_{metric}.tsv"] = text
    record: dict[str, object] = {
        "depth": depth,
        "rule": RAREFACTION_RULE,
        "reason": reason,
        "min_depth": min_depth,
        "keep_fraction": keep_fraction,
        "seed": seed,
        "reads_per_sample": reads,
        "excluded_samples": excluded,
        "metrics": list(metrics),
        "shannon_log_base": "e",
        "simpson": "Gini-Simpson (1 - sum p^2)",
    }
    return files, record
