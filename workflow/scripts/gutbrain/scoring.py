"""Module abundance and coverage from KO abundances (Omixer-RPM algorithm); the taxa behind them.

For each module and sample (Darzi et al. 2016 ISME J 10:2762, doi 10.1038/ismej.2016.15):

1. An alternative (enzyme) has the mean abundance of its subunits; a missing subunit counts 0,
   so a complex ``K1,K2`` with K1 = 2 and K2 = 0 has abundance 1.
2. A step takes its best alternative (highest abundance) and is *observed* when that is > 0.
3. ``coverage`` = observed steps / steps.
4. ``score`` from the step abundances of the best path, by the chosen estimator:

   * ``ACR`` (omixer ``average``): sum of step abundances / observed steps, or / all steps with
     ``normalize_by_length``;
   * ``MED`` (omixer ``median``, its default): median of the observed step abundances, or of all
     steps (absent ones as 0) with ``normalize_by_length``; a median of 0 is replaced by the
     smallest positive step abundance;
   * ``SUM``: sum of step abundances (divided by the number of steps with ``normalize_by_length``);
   * ``MIN``: smallest observed step abundance.

   Omixer-RPM enumerates every path (one alternative per step) and keeps the one with the
   highest coverage, then the highest score. Because abundances are non-negative and each
   estimator is non-decreasing in every step value, taking the best alternative per step gives
   the same optimum without enumerating paths.
5. ``distribute``: a KO named by N modules contributes abundance / N to each of them
   (omixer's ``--Xdistribute``).

Status per module and sample: ``not_predictable`` (module cannot be observed from KOs; score and
coverage empty), ``absent`` (coverage 0; score 0), ``below_coverage`` (0 < coverage <
min_coverage; score empty unless ``report_below_coverage``), ``scored``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from gutbrain.errors import InputError
from gutbrain.modules import Module

ALGORITHMS = {
    "ACR": "ACR", "AVERAGE": "ACR", "MED": "MED", "MEDIAN": "MED",
    "SUM": "SUM", "MIN": "MIN",
}
SCORE_COLUMNS = ["module", "name", "category", "sample", "score", "coverage", "status"]
CONTRIBUTION_COLUMNS = ["module", "sample", "genus", "share", "rank"]
UNASSIGNED_GENUS = "unassigned"


def normalise_algorithm(algorithm: str) -> str:
    """Map an estimator name (ACR/average, MED/median, SUM, MIN; any case) to its short code."""
    code = ALGORITHMS.get(str(algorithm).strip().upper())
    if code is None:
        raise InputError(
            f"unknown module score estimator {algorithm!r}; use one of ACR (average), "
            "MED (median), SUM or MIN"
        )
    return code


def _check_abundance(ko_abundance: pd.DataFrame) -> pd.DataFrame:
    """Validate a KO x sample table and sum rows that repeat a KO."""
    if not isinstance(ko_abundance, pd.DataFrame):
        raise InputError("KO abundance must be a table with KOs as rows and samples as columns")
    try:
        values = ko_abundance.astype(float)
    except (TypeError, ValueError) as error:
        raise InputError(f"KO abundance table has non-numeric values ({error})") from error
    if values.isna().to_numpy().any():
        raise InputError("KO abundance table has empty or NaN values; fill them with 0")
    if (values.to_numpy() < 0).any():
        bad = values.index[(values < 0).any(axis=1)][0]
        raise InputError(f"KO abundance table has a negative abundance for {bad}")
    values.index = values.index.astype(str)
    if values.index.has_duplicates:
        values = values.groupby(level=0, sort=False).sum()
    return values


def ortholog_module_counts(modules: Iterable[Module]) -> Counter[str]:
    """How many modules name each ortholog (used to distribute shared KO abundance)."""
    counts: Counter[str] = Counter()
    for module in modules:
        counts.update(set(module.orthologs))
    return counts


def step_abundances(
    module: Module, ko_abundance: pd.DataFrame, divisor: Mapping[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per step and sample: best-alternative abundance and the index of that alternative.

    Returns two arrays of shape (steps, samples). ``divisor`` optionally divides each
    ortholog's abundance (the ``distribute`` option).
    """
    n_samples = ko_abundance.shape[1]
    index = ko_abundance.index
    matrix = ko_abundance.to_numpy(dtype=float)
    zeros = np.zeros(n_samples)
    values = np.zeros((len(module.steps), n_samples))
    chosen = np.zeros((len(module.steps), n_samples), dtype=int)
    for i, step in enumerate(module.steps):
        alternatives = np.zeros((len(step), n_samples))
        for j, alternative in enumerate(step):
            total = zeros.copy()
            for ortholog in alternative:
                position = index.get_indexer([ortholog])[0]
                if position >= 0:
                    row = matrix[position]
                    total = total + (row / divisor[ortholog] if divisor else row)
            alternatives[j] = total / len(alternative)
        values[i] = alternatives.max(axis=0)
        chosen[i] = alternatives.argmax(axis=0)
    return values, chosen


def _median_score(column: np.ndarray, normalize_by_length: bool) -> float:
    observed = column if normalize_by_length else column[column > 0]
    if observed.size == 0:
        return 0.0
    score = float(np.median(observed))
    if score == 0.0:
        positive = observed[observed > 0]
        score = float(positive.min()) if positive.size else 0.0
    return score


def path_scores(values: np.ndarray, algorithm: str, normalize_by_length: bool) -> np.ndarray:
    """Score per sample from a (steps x samples) array of best step abundances."""
    algorithm = normalise_algorithm(algorithm)
    n_steps = values.shape[0]
    present = (values > 0).sum(axis=0)
    total = values.sum(axis=0)
    if algorithm == "ACR":
        denominator = np.full(values.shape[1], float(n_steps)) if normalize_by_length else present
        safe = np.where(denominator > 0, denominator, 1)
        return np.where(present > 0, total / safe, 0.0)
    if algorithm == "SUM":
        return total / n_steps if normalize_by_length else total
    if algorithm == "MIN":
        masked = np.where(values > 0, values, np.inf)
        return np.where(present > 0, masked.min(axis=0), 0.0)
    return np.array([_median_score(values[:, s], normalize_by_length)
                     for s in range(values.shape[1])])


def score_modules(
    ko_abundance: pd.DataFrame,
    modules: Sequence[Module],
    min_coverage: float,
    algorithm: str = "MED",
    normalize_by_length: bool = False,
    distribute: bool = False,
    report_below_coverage: bool = False,
) -> pd.DataFrame:
    """Score every module in every sample of a KO x sample abundance table.

    Returns a long table with columns ``module, name, category, sample, score, coverage,
    status`` (one row per module and sample, modules in the given order). See the module
    docstring for the algorithm and the status rules.
    """
    if not 0 <= float(min_coverage) <= 1:
        raise InputError(f"module min_coverage must be between 0 and 1, got {min_coverage}")
    algorithm = normalise_algorithm(algorithm)
    table = _check_abundance(ko_abundance)
    samples = [str(s) for s in table.columns]
    divisor: dict[str, float] | None = None
    if distribute:
        present = set(table.index)
        counts = ortholog_module_counts(modules)
        divisor = {o: float(n) for o, n in counts.items() if o in present}
    rows: list[dict[str, object]] = []
    for module in modules:
        if not module.predictable:
            for sample in samples:
                rows.append(_row(module, sample, np.nan, np.nan, "not_predictable"))
            continue
        values, _ = step_abundances(module, table, divisor)
        scores = path_scores(values, algorithm, normalize_by_length)
        coverage = (values > 0).sum(axis=0) / len(module.steps)
        for s, sample in enumerate(samples):
            cov = float(coverage[s])
            if cov == 0:
                status, score = "absent", 0.0
            elif cov >= min_coverage:
                status, score = "scored", float(scores[s])
            else:
                status = "below_coverage"
                score = float(scores[s]) if report_below_coverage else np.nan
            rows.append(_row(module, sample, score, cov, status))
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def _row(module: Module, sample: str, score: float, coverage: float, status: str
         ) -> dict[str, object]:
    return {"module": module.id, "name": module.name, "category": module.category,
            "sample": sample, "score": score, "coverage": coverage, "status": status}


def module_contributions(
    asv_table: pd.DataFrame,
    asv_ko: pd.DataFrame,
    genus_of_asv: Mapping[str, str] | pd.Series,
    modules: Sequence[Module],
    scores: pd.DataFrame,
    top_n: int = 5,
) -> pd.DataFrame:
    """Top genera behind each scored module in each sample.

    Rule: for a module and sample with status ``scored``, take the KOs named in the module's
    observed steps (steps where at least one KO has abundance > 0 in that sample). ASV ``a``
    contributes ``abundance[a, sample] x copies[a, ko]`` of each such KO; a genus's ``share`` is
    the sum over its ASVs and those KOs divided by the same sum over all ASVs. The ``top_n``
    genera are kept, ranked 1..n by share (ties by genus name). ASVs without a genus are
    pooled as ``unassigned``.

    ``asv_table``: ASV x sample abundances (pass copy-number-normalised abundances, as used
    for ``ko_abundance.tsv``, so that shares agree with it); ``asv_ko``: ASV x KO predicted
    copies per genome; ``genus_of_asv``: ASV -> genus name.
    """
    if top_n < 1:
        raise InputError(f"module contributions top_n must be at least 1, got {top_n}")
    scored = scores[scores["status"] == "scored"]
    if scored.empty:
        return pd.DataFrame(columns=CONTRIBUTION_COLUMNS)
    asvs = asv_table.index.intersection(asv_ko.index)
    abundance = asv_table.loc[asvs].astype(float)
    copies = asv_ko.loc[asvs].astype(float)
    genus = pd.Series(genus_of_asv, dtype=object).reindex(asvs)
    genus = genus.where(genus.notna() & (genus.astype(str).str.strip() != ""), UNASSIGNED_GENUS)
    genus = genus.astype(str)
    by_id = {m.id: m for m in modules}
    rows: list[dict[str, object]] = []
    for module_id, group in scored.groupby("module", sort=False):
        module = by_id.get(str(module_id))
        if module is None:
            continue
        for sample in group["sample"]:
            if sample not in abundance.columns:
                continue
            per_ko = copies.mul(abundance[sample], axis=0)  # ASV x KO abundance in this sample
            kos: list[str] = []
            for step in module.steps:
                step_kos = [k for alt in step for k in alt if k in per_ko.columns]
                if step_kos and per_ko[step_kos].to_numpy().sum() > 0:
                    kos.extend(k for k in step_kos if k not in kos)
            if not kos:
                continue
            per_asv = per_ko[kos].sum(axis=1)
            total = float(per_asv.sum())
            if total <= 0:
                continue
            shares = (per_asv.groupby(genus).sum() / total)
            shares = shares[shares > 0]
            ranked = sorted(shares.items(), key=lambda item: (-item[1], item[0]))[:top_n]
            for rank, (name, share) in enumerate(ranked, start=1):
                rows.append({"module": module.id, "sample": sample, "genus": name,
                             "share": float(share), "rank": rank})
    return pd.DataFrame(rows, columns=CONTRIBUTION_COLUMNS)
